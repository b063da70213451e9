using Assay.Store;

namespace Assay.Server.Work;

/// <summary>
/// In-process workers (<see cref="ServerOptions.Workers"/> loops): each claims a queued scan (or
/// one whose lease expired) from the store and runs it. Woken by the dispatcher, polling as a fallback.
/// </summary>
internal sealed class ScanWorker(AssayStore store, ServerOptions options, IScanDispatcher dispatcher, ScanExecutor executor, ILogger<ScanWorker> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Workers).Select(i => LoopAsync($"{Environment.MachineName}/{Environment.ProcessId}/{i}", stoppingToken)));

    private async Task LoopAsync(string workerId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claim = await store.Scans.ClaimAsync(workerId, (long)options.Lease.TotalMilliseconds, stoppingToken);
                if (claim is null)
                {
                    await dispatcher.WaitAsync(options.PollInterval, stoppingToken);
                    continue;
                }
                var (scanId, attempt) = (claim.Scan.Id, claim.Attempt);
                log.LogInformation("worker {Worker}: scan {Scan} attempt {Attempt}", workerId, scanId, attempt);
                await executor.RunAsync(claim, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException)
            {
                // The database is away (restarting, network): back off and try again; the rows are the truth.
                log.LogWarning(e, "worker {Worker}: store unavailable, retrying", workerId);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
