using Assay.Core.Model;

namespace Assay.Formats.Tests.Vendor;

/// <summary>
/// Vendor containers around a real gzip kernel and a real SquashFS root (Fixtures/vendor/make.sh):
/// every part comes out with the bytes sha256sum gave for it, and a damaged checksum is reported.
/// </summary>
public sealed class VendorContainerTests
{
    private static readonly Dictionary<string, string> Sha256 = File.ReadAllLines(Fixture.Path("vendor/expected.txt"))
        .Where(l => l.Contains("  ", StringComparison.Ordinal))
        .Select(l => l.Split("  "))
        .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

    public static TheoryData<string, string, string, string> Images() => new()
    {
        // fixture, format, path of the kernel part, path of the rootfs part
        { "trx-v1.trx", "trx", "part0", "part1" },
        { "trx-v2.trx", "trx", "part0", "part1" },
        { "netgear.chk", "netgear-chk", "kernel!/part0", "rootfs" },
        { "tplink-v1.bin", "tplink", "kernel", "rootfs" },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Container_Parts_AreTheRealKernelAndRootfs(string fixture, string format, string kernel, string rootfs)
    {
        var e = ScanHelper.Scan($"vendor/{fixture}");

        Assert.Empty(e.Errors);
        Assert.Equal(format, e.Files.Single(f => f.Path == fixture).Format);
        var root = $"{fixture}!/";
        var rootfsFile = e.Files.Single(f => f.Path == root + rootfs);
        Assert.Equal(Sha256["rootfs.sqfs"], rootfsFile.Sha256);
        Assert.Equal("squashfs", rootfsFile.Format);
        // The kernel part holds the gzip stream (TRX pads it to 4 bytes); its content is the real vmlinux.
        var vmlinux = Assert.Single(e.Files, f => f.Path.StartsWith(root + kernel + "!/", StringComparison.Ordinal) && f.Kind == NodeKind.File && f.Format is null);
        Assert.Equal(Sha256["vmlinux"], vmlinux.Sha256);
        Assert.Contains(e.Files, f => f.Path == root + rootfs + "!/etc/passwd");
        Assert.Contains(e.Files, f => f.Path == root + rootfs + "!/bin/hi" && f.Kind == NodeKind.Symlink && f.Target == "hello");
    }

    [Fact]
    public void Seama_Image_IsKernelAndRootfsBackToBack()
    {
        var e = ScanHelper.Scan("vendor/dlink.seama");
        Assert.Empty(e.Errors);
        var image = e.Files.Single(f => f.Path == "dlink.seama!/image");
        Assert.Equal(123 + 4096, image.Size);
        Assert.Contains("signature=wrgac01_dlink.2013gui_dir860lb", e.Files.Single(f => f.Path == "dlink.seama").Type!.Description, StringComparison.Ordinal);
        Assert.Contains(e.Files, f => f.Path.StartsWith("dlink.seama!/image!/", StringComparison.Ordinal) && f.Sha256 == Sha256["vmlinux"]);
        Assert.Contains(e.Files, f => f.Path.EndsWith(".squashfs!/etc/passwd", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("trx-v1.trx", 40)]
    [InlineData("dlink.seama", 200)]
    [InlineData("tplink-v1.bin", 0x300)]
    public void Container_DataByteFlipped_IsNotTakenForTheFormat(string fixture, int at)
    {
        // TRX and SEAMA verify the data digest to match at all: a flipped byte leaves "unknown" data.
        // TP-Link believes a consistent header and reports the digest.
        var bytes = Fixture.Bytes($"vendor/{fixture}");
        bytes[at] ^= 0x55;
        var e = ScanHelper.ScanBytes(bytes, fixture);
        var format = e.Files.Single(f => f.Path == fixture).Format;
        if (fixture.StartsWith("tplink", StringComparison.Ordinal))
            Assert.Contains(e.Errors, x => x.Handler == "tplink" && x.Message.Contains("MD5", StringComparison.Ordinal));
        else
            Assert.NotEqual(fixture.EndsWith(".trx", StringComparison.Ordinal) ? "trx" : "seama", format);
    }

    [Fact]
    public void NetgearChk_KernelByteFlipped_ReportsTheChecksums()
    {
        var bytes = Fixture.Bytes("vendor/netgear.chk");
        bytes[58 + 100] ^= 0x01; // inside the kernel part (header is 40 + 18 bytes)
        var e = ScanHelper.ScanBytes(bytes, "netgear.chk");
        Assert.Equal("netgear-chk", e.Files.Single(f => f.Path == "netgear.chk").Format);
        Assert.Contains(e.Errors, x => x.Handler == "netgear-chk" && x.Message.Contains("kernel_chksum", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Handler == "netgear-chk" && x.Message.Contains("image_chksum", StringComparison.Ordinal));
    }

    [Fact]
    public void Containers_InAFlashDump_AreCarvedWithTheirExactLength()
    {
        var trx = Fixture.Bytes("vendor/trx-v1.trx");
        var chk = Fixture.Bytes("vendor/netgear.chk");
        var pad = Enumerable.Repeat((byte)0xff, 10_000).ToArray();
        var e = ScanHelper.ScanBytes([.. pad, .. trx, .. pad, .. chk, .. pad], "flash.bin");
        var chunks = e.Chunks.Where(c => c.Path == "flash.bin").OrderBy(c => c.Offset).Select(c => (c.Format, c.Offset, c.Length)).ToList();
        Assert.Contains(("trx", 10_000L, (long)trx.Length), chunks);
        Assert.Contains(("netgear-chk", 20_000L + trx.Length, (long)chk.Length), chunks);
        Assert.Equal(3, chunks.Count(c => c.Format == "padding"));
    }
}
