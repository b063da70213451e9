using Assay.Store;
using Assay.Store.Data;
using Hangfire;
using Hangfire.States;

namespace Assay.Server.Work;

/// <summary>
/// Scale-out dispatch: a queued scan becomes a Hangfire job per stage on PostgreSQL, carrying only
/// (scan, stage, attempt that handed it on); Assay's scan and stage rows stay the truth and every
/// job claims and commits through the attempt fence (<see cref="StageJob"/>). The queue follows
/// the scan's priority (<see cref="ScanQueues"/>). A new scan's first stage goes through the
/// dispatch gate (<see cref="DispatchGate"/>): held in Assay's table, released a few at a time in
/// an order fair across tenants, by whoever releases next (the request that queued it, a stage job
/// that claims or ends a scan, the workers' sweep), so a web process that dies between inserting
/// a scan and enqueueing its job loses nothing.
/// </summary>
internal sealed class HangfireDispatcher(AssayStore store, ServerOptions options, IBackgroundJobClient jobs, ILogger<HangfireDispatcher> log) : IScanDispatcher
{
    /// <summary>The first stage of every scan.</summary>
    public static string FirstStage => ScanStore.Stages[0];

    /// <summary>A scan was queued: release what the gate allows (this scan, or a fairer one first).</summary>
    public async ValueTask DispatchAsync(string scanId, CancellationToken cancellationToken = default)
    {
        try
        {
            await ReleaseAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or BackgroundJobClientException)
        {
            // The scan row is committed and held: the workers' sweep releases it once the store is back.
            log.LogWarning(e, "scan {Scan} is queued but could not be dispatched now; the workers' sweep will dispatch it", scanId);
        }
    }

    /// <summary>Releases held scans through the gate; returns how many were enqueued.</summary>
    public async Task<int> ReleaseAsync(CancellationToken cancellationToken)
    {
        var released = await store.DispatchGate.ReleaseAsync(options.DispatchAhead, (long)options.Lease.TotalMilliseconds, scan =>
        {
            Enqueue(scan, FirstStage, scan.Attempt);
            return Task.CompletedTask;
        }, cancellationToken);
        foreach (var scan in released)
            log.LogDebug("scan {Scan} of tenant {Tenant} released to {Queue}", scan.Id, scan.TenantId, ScanQueues.For(scan.Priority));
        return released.Count;
    }

    /// <summary>Enqueues the job of <paramref name="stage"/>; <paramref name="handedOnBy"/> is the attempt allowed to hand the scan on.</summary>
    public string Enqueue(ScanRow scan, string stage, long handedOnBy) =>
        jobs.Create(Hangfire.Common.Job.FromExpression<StageJob>(j => j.RunAsync(scan.Id, stage, handedOnBy, CancellationToken.None)), new EnqueuedState(ScanQueues.For(scan.Priority, stage, FirstStage)));

    /// <summary>Hangfire wakes its own workers; nothing in this process waits on the dispatcher.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, cancellationToken);
}
