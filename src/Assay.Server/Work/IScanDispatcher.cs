namespace Assay.Server.Work;

/// <summary>
/// Hands queued work to workers. The scan and stage rows are the truth; a dispatcher only says
/// "there is work". In-process (<see cref="InProcessDispatcher"/>) it wakes this process's workers;
/// for scale-out a job engine (Hangfire) implements it by enqueueing (scan, stage, attempt) jobs
/// whose handlers claim through the same fenced store calls.
/// </summary>
public interface IScanDispatcher
{
    /// <summary>A scan was queued (or re-queued): dispatch it.</summary>
    ValueTask DispatchAsync(string scanId, CancellationToken cancellationToken = default);

    /// <summary>Waits until work may be available or <paramref name="timeout"/> passes (workers poll as a fallback).</summary>
    Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
