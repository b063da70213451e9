using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Core.Plugins;

namespace Assay.Core.Tests;

// What a scan keeps per file until the evaluation is assembled is compact (the 1.1 GB benchmark has
// 35,000 records, the 4.5 GB one 150,000): the rule-check counts, the permission string and the file
// type are shared or packed, and must count and compare exactly as before.
public sealed class RecordCompactnessTests
{
    [Fact]
    public void Checks_RepeatsAndMergedCounts_AddUp()
    {
        var sink = new InspectionSink();
        Assert.Empty(sink.Checks);
        sink.Checked("A", "B");
        sink.Checked("A", "A");        // the same rule twice in one call counts twice
        sink.Checked("C", 5);
        sink.Checked("B", 0);          // nothing examined: no change
        sink.Checked("C", 2);
        var checks = sink.Checks;
        Assert.Equal(3, checks["A"]);
        Assert.Equal(1, checks["B"]);
        Assert.Equal(7, checks["C"]);
        Assert.Equal(3, checks.Count);

        sink.Checked("A");             // the snapshot given out before does not change
        Assert.Equal(3, checks["A"]);
        Assert.Equal(4, sink.Checks["A"]);
    }

    [Fact]
    public void Checks_ManyThreads_NoCountLost()
    {
        var sink = new InspectionSink();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
                sink.Checked("R" + (i % 7), "S");
        });
        Assert.Equal(8000, sink.Checks["S"]);
        Assert.Equal(8000, Enumerable.Range(0, 7).Sum(i => sink.Checks["R" + i]));
    }

    [Theory]
    [InlineData(0x81ed, "0755")]
    [InlineData(0x41ed, "0755")]
    [InlineData(0x81a4, "0644")]
    [InlineData(0xfff, "7777")]
    [InlineData(0, "0000")]
    [InlineData(-1, "7777")]
    public void FormatMode_PermissionBitsInOctal_OneStringPerValue(int mode, string expected)
    {
        Assert.Equal(expected, TreeWalker.FormatMode(mode));
        Assert.Same(TreeWalker.FormatMode(mode), TreeWalker.FormatMode(mode));
        Assert.Null(TreeWalker.FormatMode(null));
    }

    [Fact]
    public void FileType_EqualTypes_OneInstance_DifferentOnesApart()
    {
        var a = FileTypeInfo.Shared(new FileTypeInfo { Class = "elf", Description = "ELF 32-bit LSB executable, ARM", Arch = "arm", Bits = 32, Endian = "little", ElfType = "exec" });
        var b = FileTypeInfo.Shared(new FileTypeInfo { Class = "elf", Description = "ELF 32-bit LSB executable, ARM", Arch = "arm", Bits = 32, Endian = "little", ElfType = "exec" });
        var c = FileTypeInfo.Shared(new FileTypeInfo { Class = "elf", Description = "ELF 32-bit LSB executable, ARM", Arch = "arm", Bits = 32, Endian = "little", ElfType = "dyn" });
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.NotEqual(a, c);
        Assert.Equal("dyn", c.ElfType);
    }
}
