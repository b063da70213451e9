using Assay.Core.Model;

namespace Assay.Formats.Tests.RomFs;

/// <summary>romfs images made by genromfs (Fixtures/romfs/make.sh), compared with the source tree genromfs read.</summary>
public sealed class RomFsHandlerTests
{
    [Theory]
    [InlineData("plain.romfs")]
    [InlineData("aligned.romfs")]
    public void Image_Tree_MatchesTheSourceTree(string fixture)
    {
        var e = ScanHelper.Scan($"romfs/{fixture}");
        Assert.Empty(e.Errors);
        var entries = ScanHelper.Below(e, $"{fixture}!/");
        var expected = File.ReadAllLines(Fixture.Path("romfs/expected.txt")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(expected.Select(x => x[0]).Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        foreach (var x in expected)
        {
            var f = entries[x[0]];
            switch (x[1])
            {
                case "dir":
                    Assert.Equal(NodeKind.Dir, f.Kind);
                    Assert.Equal("0755", f.Mode);
                    break;
                case "symlink":
                    Assert.Equal((NodeKind.Symlink, x[2], "0777"), (f.Kind, f.Target, f.Mode));
                    break;
                case "chardev" or "blockdev":
                    Assert.Equal((NodeKind.Device, x[1] == "chardev" ? "char" : "block"), (f.Kind, f.Device));
                    Assert.Equal((Convert.ToInt64(x[2], 16), Convert.ToInt64(x[3], 16)), (f.Major!.Value, f.Minor!.Value));
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, f.Kind);
                    break;
                case "file" when f.Kind == NodeKind.Hardlink:
                    // genromfs stores the second name of a file as a hard link to the first.
                    Assert.Equal("2", x[4]);
                    Assert.Equal(x[3], entries[f.Target!].Sha256);
                    break;
                default:
                    Assert.Equal((NodeKind.File, long.Parse(x[2]), x[3]), (f.Kind, f.Size!.Value, f.Sha256));
                    break;
            }
        }
        Assert.Equal("0755", entries["etc/init.d/rcS"].Mode);
        Assert.Equal("0644", entries["bin/data.bin"].Mode);
    }

    [Fact]
    public void Image_HeaderChecksumBroken_ReportsTheEntryAndListsTheRest()
    {
        var bytes = Fixture.Bytes("romfs/plain.romfs");
        // 0x330 is the name of bin/data.bin (past the 512 bytes the superblock checksum covers).
        bytes[0x331] ^= 0x01;
        var e = ScanHelper.ScanBytes(bytes, "bad.romfs");
        Assert.Contains(e.Errors, x => x.Handler == "romfs" && x.Message.Contains("checksum", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
        Assert.Contains(e.Files, f => f.Path == "bad.romfs!/etc/passwd");
    }

    [Fact]
    public void Image_SuperblockChecksumBroken_IsNotRomfs()
    {
        var bytes = Fixture.Bytes("romfs/plain.romfs");
        bytes[0x14] ^= 0x01;
        Assert.Null(new Formats.RomFs.RomFsHandler().TryMatch(new Core.Content.MemoryBlob(bytes), 0));
    }
}
