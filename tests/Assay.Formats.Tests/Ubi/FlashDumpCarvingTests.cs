using Assay.Formats.Tests.Ubifs;

namespace Assay.Formats.Tests.Ubi;

/// <summary>The pipeline carves UBI (and the UBIFS inside it) and JFFS2 out of a raw flash dump at any offset.</summary>
public sealed class FlashDumpCarvingTests
{
    [Fact]
    public void Scan_FlashDump_FindsUbiWithUbifsAndJffs2AtTheirOffsets()
    {
        // a "bootloader" of random bytes, erased padding, the UBI image, more padding, the JFFS2 image
        var boot = new byte[40000];
        new Random(4).NextBytes(boot);
        var ubi = Fixture.Bytes("ubi/nor.ubi");
        var jffs2 = Fixture.Bytes("jffs2/le.jffs2");
        var ubiAt = 65536;
        var jffs2At = ubiAt + ubi.Length + 16384;
        var dump = new byte[jffs2At + jffs2.Length + 8192];
        dump.AsSpan().Fill(0xff);
        boot.CopyTo(dump, 0);
        ubi.CopyTo(dump, ubiAt);
        jffs2.CopyTo(dump, jffs2At);

        var evaluation = ScanHelper.ScanBytes(dump, "flash.bin");
        Assert.Contains(evaluation.Chunks, c => c.Format == "ubi" && c.Offset == ubiAt && c.Length == ubi.Length);
        // the erased rest of the JFFS2 image's last 16 KiB erase block belongs to it
        Assert.Contains(evaluation.Chunks, c => c.Format == "jffs2" && c.Offset == jffs2At && c.Length == (jffs2.Length + 16383) / 16384 * 16384);

        var expected = FlashTree.Expected().Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        var rootfs = evaluation.Files.Where(f => f.Path.Contains("/rootfs!/", StringComparison.Ordinal)).Select(f => f.Path[(f.Path.IndexOf("/rootfs!/", StringComparison.Ordinal) + 9)..]).ToHashSet(StringComparer.Ordinal);
        Assert.True(expected.SetEquals(rootfs), $"UBIFS inside the carved UBI: {rootfs.Count} entries, expected {expected.Count}");
        var busybox = FlashTree.Expected().Single(r => r.Path == "bin/busybox").Extra;
        Assert.Contains(evaluation.Files, f => f.Path.EndsWith("!/bin/busybox", StringComparison.Ordinal) && !f.Path.Contains("/rootfs!/", StringComparison.Ordinal) && f.Sha256 == busybox);
    }
}
