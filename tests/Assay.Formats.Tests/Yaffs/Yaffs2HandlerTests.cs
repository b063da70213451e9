using Assay.Core.Model;

namespace Assay.Formats.Tests.Yaffs;

/// <summary>YAFFS2 images in both spare layouts and two geometries (Fixtures/yaffs2/make.sh), compared with unyaffs' extraction.</summary>
public sealed class Yaffs2HandlerTests
{
    [Theory]
    [InlineData("page2k.yaffs2", "2048-byte pages, 64-byte spare, tags at spare +0")]
    [InlineData("page2k-bb.yaffs2", "2048-byte pages, 64-byte spare, tags at spare +2")]
    [InlineData("page4k.yaffs2", "4096-byte pages, 128-byte spare, tags at spare +0")]
    public void Image_Tree_MatchesUnyaffs(string fixture, string geometry)
    {
        var e = ScanHelper.Scan($"yaffs2/{fixture}");
        Assert.Empty(e.Errors.Select(x => x.Message));
        var image = e.Files.Single(f => f.Path == fixture);
        Assert.Equal("yaffs2", image.Format);
        Assert.Contains(geometry, image.Type!.Description, StringComparison.Ordinal);
        var entries = ScanHelper.Below(e, $"{fixture}!/");
        var expected = File.ReadAllLines(Fixture.Path("yaffs2/expected.txt")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(File.ReadAllLines(Fixture.Path("yaffs2/unyaffs-t.txt")).Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        foreach (var x in expected)
        {
            var f = entries[x[0]];
            if (f.Kind == NodeKind.Hardlink)
            {
                Assert.Equal(x[6], entries[f.Target!].Sha256);
                continue;
            }
            Assert.Equal((x[2].PadLeft(4, '0'), long.Parse(x[3]), long.Parse(x[4])), (f.Mode, f.Uid!.Value, f.Gid!.Value));
            switch (x[1])
            {
                case "dir":
                    Assert.Equal(NodeKind.Dir, f.Kind);
                    break;
                case "symlink":
                    Assert.Equal((NodeKind.Symlink, x[5]), (f.Kind, f.Target));
                    break;
                case "chardev":
                    Assert.Equal((NodeKind.Device, "char", 5L, 1L), (f.Kind, f.Device, f.Major!.Value, f.Minor!.Value));
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, f.Kind);
                    break;
                default:
                    Assert.Equal((NodeKind.File, long.Parse(x[5]), x[6]), (f.Kind, f.Size!.Value, f.Sha256));
                    Assert.Equal(1793491200, f.Mtime);
                    break;
            }
        }
        Assert.Equal(NodeKind.Hardlink, entries["bin/app-hard"].Kind);
    }

    [Fact]
    public void NandDump_ImageThenErasedBlocks_EndsAfterTheLastUsedChunk()
    {
        var image = Fixture.Bytes("yaffs2/page2k.yaffs2");
        var erased = Enumerable.Repeat((byte)0xff, 64 * (2048 + 64)).ToArray();
        var head = new byte[4096];
        new Random(2).NextBytes(head);
        var e = ScanHelper.ScanBytes([.. head, .. image, .. erased], "nand.bin");
        Assert.Contains(e.Chunks, c => c.Path == "nand.bin" && c.Format == "yaffs2" && c.Offset == head.Length && c.Length == image.Length);
        Assert.Contains(e.Chunks, c => c.Path == "nand.bin" && c.Format == "padding" && c.Offset == head.Length + image.Length && c.Note == "erased flash (0xff)");
        Assert.Contains(e.Files, f => f.Path == $"nand.bin!/0x{head.Length:x}.yaffs2!/etc/passwd");
    }

    [Fact]
    public void Image_DataChunkMissing_ReportsTheFile()
    {
        var bytes = Fixture.Bytes("yaffs2/page2k.yaffs2");
        // Erase every data chunk of bin/app (object 258: the second object): its tags become 0xff.
        for (var at = 0; at + 2112 <= bytes.Length; at += 2112)
        {
            var obj = BitConverter.ToUInt32(bytes, at + 2048 + 4);
            var chunk = BitConverter.ToUInt32(bytes, at + 2048 + 8);
            if (obj == 258 && chunk == 2)
                Array.Fill(bytes, (byte)0xff, at, 2112);
        }
        var e = ScanHelper.ScanBytes(bytes, "img.yaffs2");
        Assert.Contains(e.Errors, x => x.Handler == "yaffs2" && x.Message.Contains("no complete data chunk 2", StringComparison.Ordinal));
        Assert.Contains(e.Files, f => f.Path == "img.yaffs2!/etc/passwd");
    }
}
