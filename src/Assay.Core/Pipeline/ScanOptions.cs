using Assay.Core.Extraction;
using Assay.Core.Formats;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>What one scan uses: handlers, limits, inspectors, workers, and optionally where to extract and what to cache.</summary>
public sealed record ScanOptions
{
    public required HandlerRegistry Handlers { get; init; }
    public ScanLimits Limits { get; init; } = new();

    /// <summary>Catalogers and analyzers, fresh instances for this scan (they keep per-scan caches).</summary>
    public IReadOnlyList<IInspector> Inspectors { get; init; } = [];

    /// <summary>Told of each container's entries in stored order (see <see cref="IEntryObserver"/>); null: nobody asks.</summary>
    public IEntryObserver? EntryObserver { get; init; }

    /// <summary>When set, the unpacked tree is also written here (through <see cref="ExtractionRoot"/> only).</summary>
    public ExtractionRoot? Extraction { get; init; }

    /// <summary>Threads working at once, the caller's included; default all cores. 1 runs everything in order on the caller's thread.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Private scratch folder for spooled content; default under the system temp folder.</summary>
    public string? ScratchDirectory { get; init; }

    /// <summary>Results of earlier scans by content hash, or null for none. Not used while extracting (that needs the content).</summary>
    public IScanCache? Cache { get; init; }

    /// <summary>
    /// What the results of this engine depend on (its code, rules and data), part of every cache
    /// key: a cache entry written by another build is never read. Required with <see cref="Cache"/>.
    /// </summary>
    public string? CacheFingerprint { get; init; }

    /// <summary>Unpack tar and cpio as they stream out of a decompressor (default) rather than spooling them first.</summary>
    public bool Streaming { get; init; } = true;

    public string ToolName { get; init; } = "assay";
    public string ToolVersion { get; init; } = "0.0.0";
}
