using System.Diagnostics;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// Every worker's sweep, so no scan is lost between two processes:
/// <list type="bullet">
/// <item>every poll interval it releases held scans through the dispatch gate
/// (<see cref="DispatchGate"/>): a scan whose web process died between its insert and its
/// dispatch, or that waits for a fair turn, is enqueued without any request;</item>
/// <item>every half lease it re-dispatches scans whose worker died (killed, paused, cut off): the
/// running scans that stopped heart-beating (<see cref="ScanStore.TakeStaleAsync"/>) get the job
/// of their first unfinished stage. Hangfire's own sliding invisibility re-delivers a dead
/// worker's job as well; this sweep also covers a job that was never enqueued (the store went away
/// between a stage's commit and the next stage's enqueue).</item>
/// </list>
/// Duplicates are harmless: the claim fence lets one run.
/// </summary>
internal sealed class StaleScanSweeper(AssayStore store, ServerOptions options, HangfireDispatcher dispatcher, ILogger<StaleScanSweeper> log) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var staleEvery = options.Lease / 2;
        var tick = options.PollInterval < staleEvery ? options.PollInterval : staleEvery;
        var lease = (long)options.Lease.TotalMilliseconds;
        var sinceStale = Stopwatch.StartNew();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, stoppingToken);
                if (await dispatcher.ReleaseAsync(stoppingToken) is var released and > 0)
                    log.LogInformation("dispatch sweep: released {Count} held scan(s)", released);
                if (sinceStale.Elapsed < staleEvery)
                    continue;
                sinceStale.Restart();
                foreach (var scan in await store.Scans.TakeStaleAsync(lease, Batch, stoppingToken))
                {
                    var stages = await store.Scans.StagesAsync(scan.Id, stoppingToken);
                    var stage = stages.FirstOrDefault(s => s.Status != ScanStore.Status.Succeeded)?.Stage ?? ScanStore.Stages[^1];
                    log.LogWarning("scan {Scan}: worker {Worker} stopped heart-beating or released its lease (attempt {Attempt}); re-dispatching {Stage}", scan.Id, scan.LeaseOwner, scan.Attempt, stage);
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
                log.LogWarning(e, "scan sweep: store unavailable, retrying");
            }
        }
    }
}
