using System.Diagnostics;
using System.Runtime;

namespace Assay.Cli;

/// <summary>
/// A diagnostic for memory work (bench/scan/memory.sh): with <c>ASSAY_MEMORY_REPORT=1</c> in the
/// environment, the command prints to stderr, as it exits, what the garbage collector holds (heap,
/// large-object heap, fragmentation, committed), the bytes allocated in all and the process' peak
/// working set, so a peak RSS can be split into live data, GC slack and native memory.
/// </summary>
internal static class MemoryReport
{
    /// <summary>The environment variable that turns the report on.</summary>
    public const string Variable = "ASSAY_MEMORY_REPORT";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) is "1" or "true";

    public static void Write(TextWriter to)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var loh = info.GenerationInfo.Length > 3 ? info.GenerationInfo[3].SizeAfterBytes : 0;
        using var self = Process.GetCurrentProcess();
        to.WriteLine(
            $"assay: memory: peak working set {Mb(self.PeakWorkingSet64)} MB; GC heap {Mb(info.HeapSizeBytes)} MB " +
            $"(large objects {Mb(loh)} MB, fragmented {Mb(info.FragmentedBytes)} MB), committed {Mb(info.TotalCommittedBytes)} MB, " +
            $"allocated in all {Mb(GC.GetTotalAllocatedBytes())} MB; collections gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, " +
            $"gen2 {GC.CollectionCount(2)}; server GC {GCSettings.IsServerGC}, latency {GCSettings.LatencyMode}, gen0 budget cap {Gen0Cap()}");
    }

    /// <summary>The collector's largest gen0 budget as it reports it (capped in Assay.Cli.csproj; 128 MiB here without the cap).</summary>
    private static string Gen0Cap() =>
        GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var value) && value is long bytes and > 0
            ? $"{bytes >> 20} MiB"
            : "default";

    private static long Mb(long bytes) => bytes / 1_000_000;
}
