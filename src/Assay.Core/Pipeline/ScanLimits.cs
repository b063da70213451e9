namespace Assay.Core.Pipeline;

/// <summary>
/// Every bound the pipeline enforces against hostile input (DESIGN.md: hostile input is the normal
/// case). Each one, when hit, becomes an error entry of category <c>limit</c>; never a crash.
/// </summary>
public sealed record ScanLimits
{
    /// <summary>Containers inside containers, the input being depth 0.</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Bytes produced by all decompressors together.</summary>
    public long MaxTotalBytes { get; init; } = 64L << 30;

    /// <summary>Total output may be at most this many times the input size (but see <see cref="MinTotalBytes"/>).</summary>
    public long MaxExpansion { get; init; } = 100;

    /// <summary>Total output always allowed, whatever the input size.</summary>
    public long MinTotalBytes { get; init; } = 1L << 30;

    /// <summary>Size of one produced file.</summary>
    public long MaxFileBytes { get; init; } = 16L << 30;

    /// <summary>Output/input ratio of one decompressed stream, checked once the output passes <see cref="RatioFloorBytes"/>.</summary>
    public long MaxRatio { get; init; } = 1000;

    /// <summary>Below this output size the ratio is not checked (tiny streams compress very well).</summary>
    public long RatioFloorBytes { get; init; } = 16L << 20;

    /// <summary>Entries of all containers together.</summary>
    public long MaxFiles { get; init; } = 2_000_000;

    /// <summary>Wall time one handler may spend on one container.</summary>
    public TimeSpan HandlerTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Spooled content up to this size stays in memory; larger goes to a private scratch file.</summary>
    public long MemorySpoolBytes { get; init; } = 32L << 20;

    /// <summary>
    /// Spooled content the whole scan may hold in memory at once, over all workers and nesting
    /// levels (<see cref="Content.MemoryBudget"/>); past it, spools go to scratch files. Not in
    /// <see cref="ToTable"/>: where content is held never changes what a scan finds. 16 MiB: on
    /// the 1.1 GB mixed tar.gz of bench/scan, 64 MiB held that much of live segments whenever the
    /// reader ran ahead of the workers; 16 MiB took peak RSS from 270 to 220 MB with the same CPU
    /// and no slower a small image (bench/scan/README.md).
    /// </summary>
    public long MemorySpoolBudgetBytes { get; init; } = 16L << 20;

    /// <summary>Blobs smaller than this are not carved.</summary>
    public long MinCarveBytes { get; init; } = 64;

    /// <summary>As a sorted name → value table for the evaluation document.</summary>
    public SortedDictionary<string, long> ToTable() => new(StringComparer.Ordinal)
    {
        ["maxDepth"] = MaxDepth,
        ["maxTotalBytes"] = MaxTotalBytes,
        ["maxFileBytes"] = MaxFileBytes,
        ["maxRatio"] = MaxRatio,
        ["maxFiles"] = MaxFiles,
        ["maxExpansion"] = MaxExpansion,
        ["handlerTimeoutSeconds"] = (long)HandlerTimeout.TotalSeconds,
        ["memorySpoolBytes"] = MemorySpoolBytes,
    };
}
