namespace Assay.Server.Work;

/// <summary>
/// The Hangfire queues stage jobs go to. Hangfire.PostgreSql's fetch orders by queue <em>name</em>
/// among the queues a server listens to (PostgreSqlJobQueue: <c>ORDER BY fetchedat NULLS FIRST,
/// queue, jobid</c>), so the names sort in priority order: an interactive upload's stage is
/// fetched before any bulk re-scan's.
/// </summary>
internal static class ScanQueues
{
    /// <summary>
    /// The later stages of a scan that has started (any priority): fetched first, so a started scan
    /// finishes before new ones start. Without it a scan's short index stage waited in FIFO order
    /// behind every first stage the dispatch gate had released (measured: about 10 s per scan with
    /// 4 released, bench/scaleout).
    /// </summary>
    public const string Continue = "a-continue";

    /// <summary>User-triggered scans (the UI, the API by default).</summary>
    public const string Interactive = "a-interactive";

    /// <summary>Bulk scans (CI pipelines, re-scans) that may wait behind interactive ones.</summary>
    public const string Bulk = "b-bulk";

    /// <summary>Every queue a worker listens to, in priority order (which is also name order).</summary>
    public static IReadOnlyList<string> All { get; } = [Continue, Interactive, Bulk];

    /// <summary>Scan priorities at or below this (lower runs first) are interactive.</summary>
    public const long InteractivePriority = 10;

    /// <summary>The priority of a bulk scan.</summary>
    public const long BulkPriority = 100;

    /// <summary>The queue of a scan of <paramref name="priority"/>.</summary>
    public static string For(long priority) => priority <= InteractivePriority ? Interactive : Bulk;

    /// <summary>The queue of <paramref name="stage"/> of a scan of <paramref name="priority"/>: its first stage by priority, the later ones on <see cref="Continue"/>.</summary>
    public static string For(long priority, string stage, string firstStage) => stage == firstStage ? For(priority) : Continue;
}
