using Assay.Store;
using Assay.Store.Data;
using Hangfire;
using Hangfire.States;

namespace Assay.Server.Work;

/// <summary>
/// Scale-out dispatch: a queued scan becomes a Hangfire job per stage on PostgreSQL, carrying only
/// (scan, stage, attempt that handed it on); Assay's scan and stage rows stay the truth and every
/// job claims and commits through the attempt fence (<see cref="StageJob"/>). The queue follows
/// the scan's priority (<see cref="ScanQueues"/>).
/// </summary>
internal sealed class HangfireDispatcher(AssayStore store, IBackgroundJobClient jobs) : IScanDispatcher
{
    /// <summary>The first stage of every scan.</summary>
    public static string FirstStage => ScanStore.Stages[0];

    public async ValueTask DispatchAsync(string scanId, CancellationToken cancellationToken = default)
    {
        var scan = await store.Scans.GetForWorkerAsync(scanId, cancellationToken)
            ?? throw new InvalidOperationException($"scan {scanId} is not in the store; it cannot be dispatched");
        Enqueue(scan, FirstStage, scan.Attempt);
    }

    /// <summary>Enqueues the job of <paramref name="stage"/>; <paramref name="handedOnBy"/> is the attempt allowed to hand the scan on.</summary>
    public string Enqueue(ScanRow scan, string stage, long handedOnBy) =>
        jobs.Create(Hangfire.Common.Job.FromExpression<StageJob>(j => j.RunAsync(scan.Id, stage, handedOnBy, CancellationToken.None)), new EnqueuedState(ScanQueues.For(scan.Priority)));

    /// <summary>Hangfire wakes its own workers; nothing in this process waits on the dispatcher.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Delay(timeout, cancellationToken);
}
