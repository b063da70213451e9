using System.Collections.Concurrent;

namespace Assay.Core.Pipeline;

/// <summary>
/// The scan's workers: <c>parallelism - 1</c> threads plus the thread that started the scan, which
/// joins them once its own work is done. Work is posted with <see cref="TryPost"/>; when the queue
/// holds <see cref="Capacity"/> items or <see cref="MaxQueuedBytes"/> of content waiting, the poster
/// runs the work itself (caller runs), which bounds memory and can never deadlock a handler that
/// waits on a child. With parallelism 1 everything runs inline, in order.
/// </summary>
internal sealed class WorkQueue : IDisposable
{
    private readonly ConcurrentQueue<(Action Work, long Bytes)> _items = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly Thread[] _workers;
    private readonly Action<Exception> _onFailure;
    private int _count;
    private long _bytes;
    private volatile bool _stopping;

    /// <param name="parallelism">Threads working at once, the caller included.</param>
    /// <param name="onFailure">Told of an exception a work item let escape (the scan is then stopped by the caller).</param>
    public WorkQueue(int parallelism, Action<Exception> onFailure)
    {
        _onFailure = onFailure;
        var workers = Math.Max(0, parallelism - 1);
        Capacity = workers == 0 ? 0 : 4 * workers + 4;
        _workers = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"assay-worker-{i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Items that may wait at once.</summary>
    public int Capacity { get; }

    /// <summary>Bytes of content (spooled files) that may wait at once.</summary>
    public long MaxQueuedBytes { get; init; } = 64L << 20;

    /// <summary>Queues <paramref name="work"/> that holds <paramref name="bytes"/> of content; false when the caller must run it itself.</summary>
    public bool TryPost(Action work, long bytes)
    {
        if (_stopping || Capacity == 0)
            return false;
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        // One item larger than the byte bound may still wait alone.
        if (bytes > 0 && Interlocked.Add(ref _bytes, bytes) is var queued && queued > MaxQueuedBytes && queued != bytes)
        {
            Interlocked.Add(ref _bytes, -bytes);
            Interlocked.Decrement(ref _count);
            return false;
        }
        _items.Enqueue((work, bytes));
        _available.Release();
        return true;
    }

    /// <summary>The calling thread works on queued items until <paramref name="done"/> is set.</summary>
    public void HelpUntil(ManualResetEventSlim done)
    {
        // Woken by queued work or by the end of the walk. (It polled every 20 ms, so a walk that
        // ended on a worker waited for the poll: 10 ms on average, a fifth of a small image's scan.)
        WaitHandle[] wakes = [done.WaitHandle, _available.AvailableWaitHandle];
        while (!done.IsSet)
        {
            if (_available.Wait(0))
                RunOne();
            else
                WaitHandle.WaitAny(wakes, 20);
        }
    }

    private void Work()
    {
        while (!_stopping)
        {
            _available.Wait();
            if (_stopping)
                break;
            RunOne();
        }
    }

    private void RunOne()
    {
        if (!_items.TryDequeue(out var item))
            return;
        Interlocked.Decrement(ref _count);
        if (item.Bytes > 0)
            Interlocked.Add(ref _bytes, -item.Bytes);
        try
        {
            item.Work();
        }
        catch (Exception e)
        {
            _onFailure(e);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_workers.Length > 0)
            _available.Release(_workers.Length);
        foreach (var worker in _workers)
            worker.Join();
        _available.Dispose();
    }
}
