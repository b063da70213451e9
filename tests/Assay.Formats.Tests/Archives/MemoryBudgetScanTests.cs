using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Formats.Tests.Archives;

/// <summary>
/// The scan's in-memory spool budget (<see cref="ScanLimits.MemorySpoolBudgetBytes"/>) decides only
/// where content waits, never what a scan finds; and every byte of it is given back when the
/// files that held it are done.
/// </summary>
public sealed class MemoryBudgetScanTests
{
    public static TheoryData<string> Nested => new()
    {
        "archives/chain.zip", // zip > tar.xz > cpio > gz
        "archives/tree-deflate.zip",
        "archives/tree.tar.gz",
        "archives/tree.tar.zst",
        "streams/payload.bin.xz",
    };

    [Theory]
    [MemberData(nameof(Nested))]
    public void Scan_AnyBudget_SameEvaluationAndTheBudgetIsGivenBack(string fixture)
    {
        var (roomy, roomyBudget) = ScanHelper.ScanWithBudget(fixture, new ScanLimits(), parallelism: 4);
        var (none, noneBudget) = ScanHelper.ScanWithBudget(fixture, new ScanLimits { MemorySpoolBudgetBytes = 0 }, parallelism: 4);
        var (one, oneBudget) = ScanHelper.ScanWithBudget(fixture, new ScanLimits { MemorySpoolBudgetBytes = Core.Content.PooledBlob.SegmentBytes }, parallelism: 4);

        Assert.Contains(roomy.Files, f => f.Path.Contains("!/", StringComparison.Ordinal));
        Assert.Equal(Serialize(roomy), Serialize(none));
        Assert.Equal(Serialize(roomy), Serialize(one));

        Assert.True(roomyBudget.Peak > 0, "the default budget kept something in memory");
        Assert.Equal(0, noneBudget.Peak);
        Assert.True(noneBudget.Refusals > 0, "with no budget, the spools went to scratch files");
        Assert.InRange(oneBudget.Peak, 0, oneBudget.Capacity);
        foreach (var budget in new[] { roomyBudget, noneBudget, oneBudget })
            Assert.Equal(0, budget.InUse);
    }

    private static string Serialize(Evaluation e) => System.Text.Json.JsonSerializer.Serialize(e with { StartedAt = default, FinishedAt = default });
}
