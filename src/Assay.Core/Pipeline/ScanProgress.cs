namespace Assay.Core.Pipeline;

/// <summary>Live counters of a running scan, for progress display; updated from every worker.</summary>
public sealed class ScanProgress
{
    private long _files;
    private long _bytes;
    private long _containers;
    private long _cached;

    public long Files => Interlocked.Read(ref _files);
    public long BytesHashed => Interlocked.Read(ref _bytes);
    public long Containers => Interlocked.Read(ref _containers);

    /// <summary>Files whose results came from the cache rather than from unpacking and inspecting them.</summary>
    public long FromCache => Interlocked.Read(ref _cached);

    /// <summary>The container being unpacked most recently (for display only).</summary>
    public string? Current { get; internal set; }

    /// <summary>The stage running (<c>identify</c>, <c>unpack</c>, <c>inspect</c>, <c>assemble</c>, or an evaluation step's id).</summary>
    public string? Stage { get; set; }

    internal void AddFile(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void AddContainer() => Interlocked.Increment(ref _containers);

    internal void AddCached(long files) => Interlocked.Add(ref _cached, files);
}
