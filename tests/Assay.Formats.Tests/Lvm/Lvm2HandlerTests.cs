using Assay.Core.Model;
using System.IO.Compression;
using System.Text;

namespace Assay.Formats.Tests.Lvm;

/// <summary>A physical volume written by pvcreate/vgcreate/vgcfgrestore (Fixtures/lvm/make.sh).</summary>
public sealed class Lvm2HandlerTests
{
    private static byte[] Image()
    {
        using var gz = new GZipStream(File.OpenRead(Fixture.Path("lvm/pv.img.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void Unpack_PhysicalVolume_GivesEachLogicalVolumeWithItsSegmentsInOrder()
    {
        var e = ScanHelper.ScanBytes(Image(), "pv.img");
        Assert.Equal("lvm2", e.Files.Single(f => f.Path == "pv.img").Format);
        var below = ScanHelper.Below(e, "pv.img!/");
        Assert.Equal(["data", "root"], below.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllText(Fixture.Path("lvm/data.sha256")).Trim(), below["data"].Sha256);
        Assert.Equal(8L << 20, below["root"].Size);
        Assert.Equal("ext", below["root"].Format);
        Assert.Contains(e.Files, f => f.Path == "pv.img!/root!/etc/os-release");
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void Unpack_DamagedMetadata_IsReportedNotCrashed()
    {
        var image = Image();
        var text = Encoding.ASCII.GetBytes("logical_volumes");
        var at = image.AsSpan().IndexOf(text);
        Assert.True(at > 0);
        var broken = (byte[])image.Clone();
        broken[at - 3] = (byte)'{'; // an extra brace: the text no longer parses
        broken[at - 2] = (byte)'{';
        var e = ScanHelper.ScanBytes(broken, "pv.img");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
        var random = new Random(2);
        for (var i = 0; i < 20; i++)
        {
            var copy = (byte[])image.Clone();
            for (var j = 0; j < 50; j++)
                copy[random.Next(512, 8192)] = (byte)random.Next(256);
            Assert.DoesNotContain(ScanHelper.ScanBytes(copy, "pv.img").Errors, x => x.Category == ErrorCategory.Internal);
        }
    }
}
