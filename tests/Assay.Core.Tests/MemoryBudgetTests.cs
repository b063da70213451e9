using Assay.Core.Content;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

public sealed class MemoryBudgetTests
{
    private const int Segment = PooledBlob.SegmentBytes;

    [Fact]
    public void TryTake_PastCapacity_IsRefusedAndTakesNothing()
    {
        var budget = new MemoryBudget(100);
        Assert.True(budget.TryTake(60));
        Assert.False(budget.TryTake(41));
        Assert.Equal(60, budget.InUse);
        Assert.Equal(1, budget.Refusals);
        Assert.True(budget.TryTake(40));
        budget.Give(100);
        Assert.Equal(0, budget.InUse);
        Assert.Equal(100, budget.Peak);
    }

    [Fact]
    public void Give_MoreThanTaken_Throws()
    {
        var budget = new MemoryBudget(100);
        Assert.True(budget.TryTake(10));
        Assert.Throws<InvalidOperationException>(() => budget.Give(11));
    }

    [Fact]
    public void Spool_WhileTheBudgetIsHeldByAnother_GoesToAScratchFile()
    {
        var budget = new MemoryBudget(2 * Segment);
        using var scratch = new Scratch();
        var spooler = new Spooler(new ScanLimits(), scratch.Path, budget);
        var first = Data(Segment + 100, 1);
        using var held = spooler.Spool(new MemoryStream(first), default);
        Assert.IsType<PooledBlob>(held);
        Assert.Equal(2L * Segment, budget.InUse);

        var second = Data(1000, 2);
        using (var over = spooler.Spool(new MemoryStream(second), default))
        {
            // the budget has no segment left: even a small file goes to disk, every byte kept
            Assert.IsType<FileBlob>(over);
            Assert.Equal(second, over.ReadBytes(0, second.Length));
            Assert.Single(scratch.Files());
        }
        Assert.Empty(scratch.Files());
        Assert.Equal(first, held.ReadBytes(0, first.Length));
        Assert.Equal(2L * Segment, budget.InUse);
    }

    [Fact]
    public void Spool_BudgetReleasedWhenTheBlobIsDisposed_NextSpoolStaysInMemory()
    {
        var budget = new MemoryBudget(2 * Segment);
        using var scratch = new Scratch();
        var spooler = new Spooler(new ScanLimits(), scratch.Path, budget);
        var held = spooler.Spool(new MemoryStream(Data(2 * Segment, 3)), default);
        using (var refused = spooler.Spool(new MemoryStream(Data(10, 4)), default))
            Assert.IsType<FileBlob>(refused);
        held.Dispose();
        held.Dispose(); // twice gives back once
        Assert.Equal(0, budget.InUse);
        using var next = spooler.Spool(new MemoryStream(Data(10, 5)), default);
        Assert.IsType<PooledBlob>(next);
        Assert.Equal(Segment, budget.InUse);
    }

    [Fact]
    public void Spool_RunsOutOfBudgetMidway_MovesToScratchAndGivesTheMemoryBack()
    {
        var budget = new MemoryBudget(3 * Segment);
        using var scratch = new Scratch();
        var spooler = new Spooler(new ScanLimits(), scratch.Path, budget);
        var data = Data(10 * Segment + 7, 6);
        // prefix and 1 MiB reads: the first chunk already passes three segments
        using var blob = spooler.Spool(data.AsSpan(0, 100), new MemoryStream(data, 100, data.Length - 100), default);
        Assert.IsType<FileBlob>(blob);
        Assert.Equal(data, blob.ReadBytes(0, data.Length));
        Assert.Equal(0, budget.InUse);
        Assert.True(budget.Refusals >= 1);
    }

    [Fact]
    public void Spool_ZeroBudget_KeepsEverythingOnDisk()
    {
        var budget = new MemoryBudget(0);
        using var scratch = new Scratch();
        var data = Data(5, 7);
        using var blob = new Spooler(new ScanLimits(), scratch.Path, budget).Spool(new MemoryStream(data), default);
        Assert.IsType<FileBlob>(blob);
        Assert.Equal(data, blob.ReadBytes(0, data.Length));
        Assert.Equal(0, budget.Peak);
    }

    [Fact]
    public void Spool_EmptyStream_TakesNoBudget()
    {
        var budget = new MemoryBudget(0);
        using var scratch = new Scratch();
        using var blob = new Spooler(new ScanLimits(), scratch.Path, budget).Spool(new MemoryStream(), default);
        Assert.IsType<PooledBlob>(blob);
        Assert.Equal(0, blob.Length);
    }

    [Fact]
    public void Spool_ManyThreadsAtOnce_NeverHoldMoreThanTheBudgetAndKeepEveryByte()
    {
        var budget = new MemoryBudget(8 * Segment);
        using var scratch = new Scratch();
        var spooler = new Spooler(new ScanLimits(), scratch.Path, budget);
        var inMemory = 0;
        var onDisk = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var data = Data(1 + (i * 37_123 % (3 * Segment)), 100 + i);
            using var blob = spooler.Spool(new MemoryStream(data), default);
            Interlocked.Increment(ref blob is PooledBlob ? ref inMemory : ref onDisk);
            Assert.True(budget.InUse <= budget.Capacity);
            Thread.Sleep(1); // hold it a moment, as a queued child does
            Assert.Equal(data, blob.ReadBytes(0, data.Length));
        });
        Assert.Equal(0, budget.InUse);
        Assert.InRange(budget.Peak, 1, budget.Capacity);
        Assert.Equal(64, inMemory + onDisk);
        Assert.True(inMemory > 0);
        Assert.Empty(scratch.Files());
    }

    [Fact]
    public void PooledBlob_AppendRefused_ThrowsAndKeepsWhatItHad()
    {
        var budget = new MemoryBudget(Segment);
        using var blob = new PooledBlob(budget);
        blob.Append(new byte[Segment - 1]);
        Assert.True(blob.TryAppend([1]));
        Assert.False(blob.TryAppend([2]));
        Assert.Throws<InvalidOperationException>(() => blob.Append([2]));
        Assert.Equal(Segment, blob.Length);
        Assert.Equal(1, blob.ReadBytes(Segment - 1, 1)[0]);
    }

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A private scratch folder, deleted at the end.</summary>
    private sealed class Scratch : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"assay-budget-{Guid.NewGuid():N}");

        public string[] Files() => Directory.Exists(Path) ? Directory.GetFiles(Path) : [];

        public void Dispose()
        {
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
        }
    }
}
