using System.IO.Compression;
using Assay.Core.Model;

namespace Assay.Formats.Tests.Xfs;

/// <summary>XFS images made by mkfs.xfs from a protofile (Fixtures/xfs/make.sh); tree.txt is what the protofile put in.</summary>
public sealed class XfsHandlerTests
{
    private static byte[] Image(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Fixture.Path($"xfs/{name}.img.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    [Theory]
    [InlineData("xfs-v5")]
    [InlineData("xfs-v4")]
    public void Unpack_Fixture_MatchesTheTreeMkfsWasGiven(string name)
    {
        var e = ScanHelper.ScanBytes(Image(name), name);
        Assert.Equal("xfs", e.Files.Single(f => f.Path == name).Format);
        var below = ScanHelper.Below(e, name + "!/");
        foreach (var line in File.ReadAllLines(Fixture.Path("xfs/tree.txt")))
        {
            var (path, kind, value) = (line.Split('\t')[0], line.Split('\t')[1], line.Split('\t')[2]);
            Assert.True(below.TryGetValue(path, out var f), $"{path} missing");
            switch (kind)
            {
                case "file":
                    Assert.Equal(NodeKind.File, f.Kind);
                    Assert.Equal(value, f.Sha256);
                    break;
                case "symlink":
                    Assert.Equal(NodeKind.Symlink, f.Kind);
                    Assert.Equal(value, f.Target);
                    break;
                case "device":
                    Assert.Equal(NodeKind.Device, f.Kind);
                    Assert.Equal(value, $"{f.Major},{f.Minor}");
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, f.Kind);
                    break;
            }
        }
        Assert.Equal("4755", below["usr/bin/big"].Mode);
        Assert.Equal(1000, below["many/file-042.txt"].Uid);
        Assert.Equal(NodeKind.Dir, below["many"].Kind);
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void Unpack_DamagedImage_ReportsAndNeverCrashes()
    {
        var image = Image("xfs-v5");
        var random = new Random(33);
        for (var round = 0; round < 6; round++)
        {
            var copy = (byte[])image.Clone();
            // scribble over the metadata area of AG 0 (inodes and directory blocks live in the first MiBs)
            for (var i = 0; i < 2000; i++)
                copy[random.Next(512, 4 << 20)] = (byte)random.Next(256);
            var e = ScanHelper.ScanBytes(copy, "scribbled.img");
            Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
        }
        var e2 = ScanHelper.ScanBytes(image[..(1 << 20)], "cut.img");
        Assert.DoesNotContain(e2.Errors, x => x.Category == ErrorCategory.Internal);
    }
}
