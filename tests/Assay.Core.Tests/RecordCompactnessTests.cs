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

    [Fact]
    public void ShareChecks_EqualTables_OneInstance_ALaterCheckCopiesFirst()
    {
        var a = new InspectionSink();
        var b = new InspectionSink();
        var c = new InspectionSink();
        foreach (var sink in new[] { a, b, c })
            sink.Checked("ASSAY-TEST-SHARE-1", "ASSAY-TEST-SHARE-2");
        c.Checked("ASSAY-TEST-SHARE-2");
        a.ShareChecks();
        b.ShareChecks();
        c.ShareChecks();
        Assert.Same(a.ChecksTable, b.ChecksTable);
        Assert.NotSame(a.ChecksTable, c.ChecksTable);

        b.Checked("ASSAY-TEST-SHARE-1", 3);
        b.Checked("ASSAY-TEST-SHARE-3");
        Assert.NotSame(a.ChecksTable, b.ChecksTable);
        Assert.Equal(new Dictionary<string, long> { ["ASSAY-TEST-SHARE-1"] = 1, ["ASSAY-TEST-SHARE-2"] = 1 }, a.Checks);
        Assert.Equal(new Dictionary<string, long> { ["ASSAY-TEST-SHARE-1"] = 4, ["ASSAY-TEST-SHARE-2"] = 1, ["ASSAY-TEST-SHARE-3"] = 1 }, b.Checks);
        Assert.Equal(2, c.Checks["ASSAY-TEST-SHARE-2"]);
    }

    [Fact]
    public void FileRecord_OptionalNumbers_ReadBackAsSet_NullWhenNotSet()
    {
        var bare = new FileRecord { Path = "a", Kind = NodeKind.File };
        Assert.Equal((long?[])[null, null, null, null, null, null], [bare.Size, bare.Uid, bare.Gid, bare.Major, bare.Minor, bare.Mtime]);
        var full = bare with { Size = 0, Uid = long.MaxValue, Gid = -1, Major = 8, Minor = 1, Mtime = -1_000_000_000 };
        Assert.Equal((long?[])[0, long.MaxValue, -1, 8, 1, -1_000_000_000], [full.Size, full.Uid, full.Gid, full.Major, full.Minor, full.Mtime]);
        Assert.NotEqual(bare, full);
        Assert.Equal(bare, full with { Size = null, Uid = null, Gid = null, Major = null, Minor = null, Mtime = null });
        var json = System.Text.Json.JsonSerializer.Serialize(full, ModelJsonContext.Default.FileRecord);
        Assert.Equal(full, System.Text.Json.JsonSerializer.Deserialize(json, ModelJsonContext.Default.FileRecord));
        var bareJson = System.Text.Json.JsonSerializer.Serialize(bare, ModelJsonContext.Default.FileRecord);
        Assert.DoesNotContain("size", bareJson, StringComparison.Ordinal);
        Assert.Equal(bare, System.Text.Json.JsonSerializer.Deserialize(bareJson, ModelJsonContext.Default.FileRecord));
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
