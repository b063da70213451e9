using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// Re-dispatches scans whose worker died (killed, paused, cut off): every half lease it takes the
/// running scans that stopped heart-beating (<see cref="ScanStore.TakeStaleAsync"/>) and enqueues
/// the job of their first unfinished stage. Hangfire's own sliding invisibility re-delivers a dead
/// worker's job as well; this sweep also covers a job that was never enqueued (the store went away
/// between a stage's commit and the next stage's enqueue). Duplicates are harmless: the claim fence
/// lets one run.
/// </summary>
internal sealed class StaleScanSweeper(AssayStore store, ServerOptions options, HangfireDispatcher dispatcher, ILogger<StaleScanSweeper> log) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Lease / 2;
        var lease = (long)options.Lease.TotalMilliseconds;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stoppingToken);
                foreach (var scan in await store.Scans.TakeStaleAsync(lease, Batch, stoppingToken))
                {
                    var stages = await store.Scans.StagesAsync(scan.Id, stoppingToken);
                    var stage = stages.FirstOrDefault(s => s.Status != ScanStore.Status.Succeeded)?.Stage ?? ScanStore.Stages[^1];
                    log.LogWarning("scan {Scan}: worker {Worker} stopped heart-beating (attempt {Attempt}); re-dispatching {Stage}", scan.Id, scan.LeaseOwner, scan.Attempt, stage);
                    dispatcher.Enqueue(scan, stage, scan.Attempt);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or Hangfire.BackgroundJobClientException)
            {
                // The store is away (restarting, network); the rows wait for the next sweep.
                log.LogWarning(e, "stale-scan sweep: store unavailable, retrying");
            }
        }
    }
}
