using System.Diagnostics;

namespace Assay.Core.Pipeline;

/// <summary>
/// The time one handler may spend on one container (<see cref="ScanLimits.HandlerTimeout"/>),
/// counting only the handler's own work: while a child it handed over runs inline on the same
/// thread (the work queue was full), the clock is paused, so a fast SquashFS handler over a large
/// root filesystem is not cut off for the time its files took. <see cref="Token"/> is cancelled
/// when the handler's own time runs out or the scan is cancelled.
/// </summary>
internal sealed class HandlerClock : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly TimeSpan _budget;
    private readonly Stopwatch _running = new();
    private readonly Lock _lock = new();
    private int _pauses;

    public HandlerClock(TimeSpan budget, CancellationToken scan)
    {
        _budget = budget;
        _source = CancellationTokenSource.CreateLinkedTokenSource(scan);
        _source.CancelAfter(budget);
        _running.Start();
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The handler's own time so far.</summary>
    public TimeSpan Elapsed => _running.Elapsed;

    /// <summary>Stops counting (nested pauses count once); returns a scope that resumes it.</summary>
    public PauseScope Pause()
    {
        lock (_lock)
        {
            if (_pauses++ == 0 && !_source.IsCancellationRequested)
            {
                _running.Stop();
                _source.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        return new PauseScope(this);
    }

    private void Resume()
    {
        lock (_lock)
        {
            if (--_pauses == 0 && !_source.IsCancellationRequested)
            {
                var left = _budget - _running.Elapsed;
                _source.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                _running.Start();
            }
        }
    }

    public void Dispose() => _source.Dispose();

    /// <summary>Resumes the clock when disposed.</summary>
    public readonly struct PauseScope(HandlerClock clock) : IDisposable
    {
        public void Dispose() => clock.Resume();
    }
}
