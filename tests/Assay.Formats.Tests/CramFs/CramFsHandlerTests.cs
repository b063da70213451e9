using Assay.Core.Model;

namespace Assay.Formats.Tests.CramFs;

/// <summary>CramFS images by mkfs.cramfs (Fixtures/cramfs/make.sh), compared with what fsck.cramfs --extract gives.</summary>
public sealed class CramFsHandlerTests
{
    [Theory]
    [InlineData("le.cramfs")]
    [InlineData("be.cramfs")]
    [InlineData("padded.cramfs")]
    [InlineData("holes.cramfs")]
    public void Image_Tree_MatchesFsckCramfsExtract(string fixture)
    {
        var e = ScanHelper.Scan($"cramfs/{fixture}");
        Assert.Empty(e.Errors);
        Assert.Equal("cramfs", e.Files.Single(f => f.Path == fixture).Format);
        var entries = ScanHelper.Below(e, $"{fixture}!/");
        var expected = File.ReadAllLines(Fixture.Path("cramfs/expected.txt")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(expected.Select(x => x[0]).Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        foreach (var x in expected)
        {
            var f = entries[x[0]];
            Assert.Equal((x[2].PadLeft(4, '0'), long.Parse(x[3]), long.Parse(x[4])), (f.Mode, f.Uid!.Value, f.Gid!.Value));
            switch (x[1])
            {
                case "dir":
                    Assert.Equal(NodeKind.Dir, f.Kind);
                    break;
                case "symlink":
                    Assert.Equal((NodeKind.Symlink, x[5]), (f.Kind, f.Target));
                    break;
                case "chardev" or "blockdev":
                    Assert.Equal((NodeKind.Device, x[1] == "chardev" ? "char" : "block"), (f.Kind, f.Device));
                    Assert.Equal((Convert.ToInt64(x[5], 16), Convert.ToInt64(x[6], 16)), (f.Major!.Value, f.Minor!.Value));
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, f.Kind);
                    break;
                default:
                    Assert.Equal((NodeKind.File, long.Parse(x[5]), x[6]), (f.Kind, f.Size!.Value, f.Sha256));
                    break;
            }
        }
    }

    [Fact]
    public void Image_CrcBroken_IsNotTakenForCramfs()
    {
        var bytes = Fixture.Bytes("cramfs/le.cramfs");
        bytes[^100] ^= 0x01;
        var e = ScanHelper.ScanBytes(bytes, "bad.cramfs");
        Assert.NotEqual("cramfs", e.Files.Single(f => f.Path == "bad.cramfs").Format);
    }

    [Fact]
    public void Image_PaddedInFlashDump_IsCarvedFromItsPad()
    {
        var image = Fixture.Bytes("cramfs/padded.cramfs");
        var head = new byte[8192];
        new Random(1).NextBytes(head);
        var e = ScanHelper.ScanBytes([.. head, .. image], "flash.bin");
        Assert.Contains(e.Chunks, c => c.Path == "flash.bin" && c.Format == "cramfs" && c.Offset == head.Length && c.Length == image.Length);
        Assert.Contains(e.Files, f => f.Path == $"flash.bin!/0x{head.Length:x}.cramfs!/etc/passwd");
    }
}
