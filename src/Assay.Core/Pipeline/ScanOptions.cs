using Assay.Core.Extraction;
using Assay.Core.Formats;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>What one scan uses: handlers, limits, inspectors, and optionally where to extract.</summary>
public sealed record ScanOptions
{
    public required HandlerRegistry Handlers { get; init; }
    public ScanLimits Limits { get; init; } = new();

    /// <summary>Catalogers and analyzers, fresh instances for this scan.</summary>
    public IReadOnlyList<IInspector> Inspectors { get; init; } = [];

    /// <summary>Told of each container's entries in stored order (see <see cref="IEntryObserver"/>); null: nobody asks.</summary>
    public IEntryObserver? EntryObserver { get; init; }

    /// <summary>When set, the unpacked tree is also written here (through <see cref="ExtractionRoot"/> only).</summary>
    public ExtractionRoot? Extraction { get; init; }

    /// <summary>Worker threads; default all cores.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Private scratch folder for spooled content; default under the system temp folder.</summary>
    public string? ScratchDirectory { get; init; }

    public string ToolName { get; init; } = "assay";
    public string ToolVersion { get; init; } = "0.0.0";
}

/// <summary>Live counters of a running scan, for progress display.</summary>
public sealed class ScanProgress
{
    private long _files;
    private long _bytes;
    private long _containers;

    public long Files => Interlocked.Read(ref _files);
    public long BytesHashed => Interlocked.Read(ref _bytes);
    public long Containers => Interlocked.Read(ref _containers);

    /// <summary>The container being unpacked most recently (for display only).</summary>
    public string? Current { get; internal set; }

    internal void AddFile(long bytes)
    {
        Interlocked.Increment(ref _files);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void AddContainer() => Interlocked.Increment(ref _containers);
}
