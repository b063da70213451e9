namespace Assay.Core.Content;

/// <summary>
/// A blob shared by a container and the children that are slices of it, with a count of leases:
/// the unpacking handler holds one while it runs, every child waiting in the work queue holds one,
/// and the content (a spooled buffer or scratch file) is disposed when the last lease is released.
/// So a handler hands a file over and goes on without waiting for it to be processed.
/// </summary>
public sealed class SharedBlob
{
    private readonly bool _owns;
    private int _leases = 1;

    /// <param name="blob">The content.</param>
    /// <param name="owns">True when the content is disposed with the last lease; false for content owned elsewhere (the input file).</param>
    public SharedBlob(IBlob blob, bool owns)
    {
        ArgumentNullException.ThrowIfNull(blob);
        Blob = blob;
        _owns = owns;
    }

    public IBlob Blob { get; }

    /// <summary>Leases still held (for tests and diagnostics).</summary>
    public int Leases => Volatile.Read(ref _leases);

    /// <summary>Another lease; throws when the content was already released (a lease taken too late is a bug).</summary>
    public SharedBlob Acquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _leases);
            if (current <= 0)
                throw new InvalidOperationException("a lease was taken on content that was already released");
            if (Interlocked.CompareExchange(ref _leases, current + 1, current) == current)
                return this;
        }
    }

    /// <summary>Gives a lease back; the last one disposes owned content.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _leases);
        if (left < 0)
            throw new InvalidOperationException("a lease was released twice");
        if (left == 0 && _owns)
            Blob.Dispose();
    }
}
