namespace Assay.Core.Content;

/// <summary>
/// Bytes of spooled content that one scan may hold in memory at once, shared by all its workers
/// and every nesting level. Each in-memory spool (<see cref="PooledBlob"/>) takes its segments from
/// the budget as it grows and gives them back when it is disposed (when the file and every child
/// that leases it are done); a spool the budget refuses goes on in a scratch file instead.
/// Without it, every worker and every level of nesting (a uImage in a tar, the kernel in the
/// uImage, the filesystem in that) could each hold a full in-memory spool, and the queue more on
/// top: the scan's peak memory was the product of those, not a bound.
/// Where content is held never changes what a scan finds, only its memory and I/O.
/// </summary>
public sealed class MemoryBudget
{
    private long _inUse;
    private long _peak;
    private long _refusals;

    /// <param name="capacity">Bytes that may be held at once (0 keeps every spool on disk).</param>
    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Bytes that may be held at once.</summary>
    public long Capacity { get; }

    /// <summary>Bytes held now.</summary>
    public long InUse => Volatile.Read(ref _inUse);

    /// <summary>The most bytes held at once so far.</summary>
    public long Peak => Volatile.Read(ref _peak);

    /// <summary>Requests refused so far (each one a spool that went to a scratch file).</summary>
    public long Refusals => Volatile.Read(ref _refusals);

    /// <summary>Takes <paramref name="bytes"/> when they fit; false (and nothing taken) when they do not.</summary>
    public bool TryTake(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var current = Volatile.Read(ref _inUse);
        while (true)
        {
            if (bytes > Capacity - current)
            {
                Interlocked.Increment(ref _refusals);
                return false;
            }
            var seen = Interlocked.CompareExchange(ref _inUse, current + bytes, current);
            if (seen == current)
                break;
            current = seen;
        }
        var now = current + bytes;
        var peak = Volatile.Read(ref _peak);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak)
                break;
            peak = seen;
        }
        return true;
    }

    /// <summary>Gives back bytes taken with <see cref="TryTake"/>.</summary>
    public void Give(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (Interlocked.Add(ref _inUse, -bytes) < 0)
            throw new InvalidOperationException($"memory budget: {bytes} bytes given back that were not taken");
    }
}
