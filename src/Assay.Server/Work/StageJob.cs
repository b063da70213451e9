using Assay.Store;
using Hangfire;

namespace Assay.Server.Work;

/// <summary>
/// The Hangfire job of one scan stage. It claims the scan through the fence (the claim bumps the
/// attempt; a duplicate or late delivery finds a live lease or an ended scan and does nothing),
/// runs the stage (<see cref="ScanExecutor"/>: output as a content-addressed blob, commit only
/// while the attempt is current) and enqueues the next stage. An exception here is the store or
/// Hangfire being away, never the scan's own failure (that is recorded in the scan): Hangfire
/// retries it with backoff, and the claim fence keeps a retry from doubling work.
/// </summary>
[AutomaticRetry(Attempts = 5, DelaysInSeconds = [2, 5, 15, 30, 60], OnAttemptsExceeded = AttemptsExceededAction.Delete)]
public sealed class StageJob
{
    private readonly AssayStore _store;
    private readonly ServerOptions _options;
    private readonly ScanExecutor _executor;
    private readonly HangfireDispatcher _dispatcher;
    private readonly ILogger<StageJob> _log;

    internal StageJob(AssayStore store, ServerOptions options, ScanExecutor executor, HangfireDispatcher dispatcher, ILogger<StageJob> log)
    {
        _store = store;
        _options = options;
        _executor = executor;
        _dispatcher = dispatcher;
        _log = log;
    }

    /// <summary>Who holds a lease: machine, process and role, for the stage rows and the logs.</summary>
    internal static string WorkerId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/stage";

    /// <summary>Runs <paramref name="stage"/> of <paramref name="scanId"/> (Hangfire passes its shutdown token as <paramref name="cancellationToken"/>).</summary>
    /// <param name="handedOnBy">The attempt that committed the previous stage and enqueued this job (the scan's attempt when it was queued or re-dispatched).</param>
    [JobDisplayName("scan {0}: {1} (after attempt {2})")]
    public async Task RunAsync(string scanId, string stage, long handedOnBy, CancellationToken cancellationToken)
    {
        var claim = await _store.Scans.ClaimForStageAsync(scanId, handedOnBy, WorkerId, (long)_options.Lease.TotalMilliseconds, cancellationToken);
        if (claim is null)
        {
            _log.LogInformation("scan {Scan}: {Stage} job after attempt {Attempt} finds the scan ended or held by a live worker; nothing to do", scanId, stage, handedOnBy);
            return;
        }
        _log.LogInformation("worker {Worker}: scan {Scan} {Stage} attempt {Attempt}", WorkerId, scanId, stage, claim.Attempt);
        if (stage == HangfireDispatcher.FirstStage)
            await ReleaseHeldAsync();   // this scan left the gate's queue: let the next (fairly chosen) one in
        var outcome = await _executor.RunAsync(claim, stage, cancellationToken);
        if (outcome.Next is { } next)
            _dispatcher.Enqueue(claim.Scan, next, claim.Attempt);
        else if (outcome == StageOutcome.Ended)
            await ReleaseHeldAsync();
    }

    /// <summary>Releases held scans through the gate; a store error is left to the workers' sweep, never failing this job.</summary>
    private async Task ReleaseHeldAsync()
    {
        try
        {
            await _dispatcher.ReleaseAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or BackgroundJobClientException)
        {
            _log.LogWarning(e, "dispatch gate: release failed; the workers' sweep will retry");
        }
    }
}
