using Assay.Core.Content;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

/// <summary>The unpacking work queue's parts: leases on shared content, the pausable handler clock, caller-runs when full.</summary>
public sealed class WorkQueueTests
{
    [Fact]
    public void SharedBlob_LastLease_DisposesOwnedContent()
    {
        var blob = new CountingBlob();
        var shared = new SharedBlob(blob, owns: true);
        shared.Acquire();
        shared.Acquire();
        shared.Release();
        shared.Release();
        Assert.Equal(0, blob.Disposed);
        shared.Release();
        Assert.Equal(1, blob.Disposed);
        Assert.Throws<InvalidOperationException>(() => shared.Acquire());
    }

    [Fact]
    public void SharedBlob_NotOwned_IsNeverDisposed()
    {
        var blob = new CountingBlob();
        new SharedBlob(blob, owns: false).Release();
        Assert.Equal(0, blob.Disposed);
    }

    [Fact]
    public void HandlerClock_Paused_DoesNotRunOut()
    {
        using var clock = new HandlerClock(TimeSpan.FromMilliseconds(300), default);
        using (clock.Pause())
        {
            Thread.Sleep(700);
            Assert.False(clock.Token.IsCancellationRequested);
        }
        Assert.False(clock.Token.IsCancellationRequested);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(300));
        // the rest of its own time still runs out
        Assert.True(clock.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void HandlerClock_NestedPauses_ResumeOnceAtTheOutermost()
    {
        using var clock = new HandlerClock(TimeSpan.FromMilliseconds(200), default);
        using (clock.Pause())
        {
            using (clock.Pause())
                Thread.Sleep(250);
            Thread.Sleep(250);
            Assert.False(clock.Token.IsCancellationRequested);
        }
    }

    [Fact]
    public void HandlerClock_ScanCancelled_CancelsToo()
    {
        using var scan = new CancellationTokenSource();
        using var clock = new HandlerClock(TimeSpan.FromMinutes(10), scan.Token);
        scan.Cancel();
        Assert.True(clock.Token.IsCancellationRequested);
    }

    [Fact]
    public void WorkQueue_OneThread_RunsNothingAside()
    {
        using var queue = new WorkQueue(1, _ => { });
        Assert.Equal(0, queue.Capacity);
        Assert.False(queue.TryPost(() => { }, 0));
    }

    [Fact]
    public void WorkQueue_Full_TheCallerRunsTheWork()
    {
        using var gate = new ManualResetEventSlim(false);
        using var queue = new WorkQueue(2, _ => { });
        var posted = 0;
        // the one worker blocks; the queue fills to its capacity, then refuses
        while (queue.TryPost(() => gate.Wait(), 0))
            posted++;
        Assert.InRange(posted, queue.Capacity, queue.Capacity + 1);
        gate.Set();
    }

    [Fact]
    public void WorkQueue_BytesBound_RefusesMoreContentButOneLargeItemAlone()
    {
        using var gate = new ManualResetEventSlim(false);
        using var queue = new WorkQueue(2, _ => { }) { MaxQueuedBytes = 1000 };
        Assert.True(queue.TryPost(() => gate.Wait(), 0));   // occupies the worker
        Thread.Sleep(100);
        Assert.True(queue.TryPost(() => { }, 5000));        // alone, larger than the bound
        Assert.False(queue.TryPost(() => { }, 10));         // no room left
        gate.Set();
    }

    [Fact]
    public void WorkQueue_FailureOfAnItem_IsReported()
    {
        Exception? seen = null;
        using var done = new ManualResetEventSlim(false);
        using var queue = new WorkQueue(2, e => { seen = e; done.Set(); });
        Assert.True(queue.TryPost(() => throw new InvalidOperationException("boom"), 0));
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
        Assert.IsType<InvalidOperationException>(seen);
    }

    private sealed class CountingBlob : IBlob
    {
        public int Disposed { get; private set; }
        public long Length => 0;
        public int Read(long position, Span<byte> buffer) => 0;
        public void Dispose() => Disposed++;
    }
}
