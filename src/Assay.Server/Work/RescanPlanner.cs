using Assay.Engine;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>What a re-scan request found and queued.</summary>
/// <param name="Database">The vulnerability database the re-matches use.</param>
/// <param name="Queued">Re-match scans queued (one per release whose newest evaluation came from another database).</param>
public sealed record RescanPlan(VulnerabilityDatabaseVersion Database, IReadOnlyList<string> Queued);

/// <summary>
/// Brings every release's newest evaluation up to the vulnerability database the service uses now:
/// one re-match scan (stages <c>rematch</c>, <c>index</c>; the unpack is not redone) per release
/// whose findings came from another database, at bulk priority through the same dispatcher as
/// every scan (Hangfire on PostgreSQL, the in-process workers on SQLite), attempt-fenced like any
/// stage. Idempotent: a release with a scan queued or running is left alone, and the plan is made
/// under a lock, so two web processes starting at once queue each re-match once.
/// </summary>
internal sealed class RescanPlanner(AssayStore store, RescanDatabase database, IScanDispatcher dispatcher, ILogger<RescanPlanner> log)
{
    /// <summary>Who re-match scans are requested by (the scan list shows it).</summary>
    public const string RequestedBy = "system:vulndb-rescan";

    public async Task<RescanPlan> PlanAsync(CancellationToken cancellationToken)
    {
        var current = database.Current();
        if (current.Fingerprint is null)
            return new RescanPlan(current, []);
        var scans = await store.Rescans.PlanAsync(current.Fingerprint, RequestedBy, ScanEngine.ToolVersion, ScanQueues.BulkPriority, cancellationToken);
        foreach (var scan in scans)
            await dispatcher.DispatchAsync(scan.Id, cancellationToken);
        if (scans.Count > 0)
            log.LogInformation("vulnerability database {Label} ({Fingerprint}): {Count} evaluations queued for re-matching", current.Label, current.Fingerprint, scans.Count);
        return new RescanPlan(current, [.. scans.Select(s => s.Id)]);
    }
}
