using System.IO.Compression;
using System.Text;
using Assay.Core.Model;

namespace Assay.Formats.Tests.Disks;

/// <summary>
/// Virtual disks, partition tables and FAT, on the fixtures of Fixtures/disks/make.sh (mkfs.vfat,
/// mcopy, sfdisk, mkfs.ext4 -d, qemu-img). Every container format must give back the raw disk
/// byte for byte: its SHA-256 is the one make.sh recorded for the raw image.
/// </summary>
public sealed class DiskImageTests
{
    private static byte[] Gunzip(string fixture)
    {
        using var gz = new GZipStream(File.OpenRead(Fixture.Path(fixture)), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static string RawSha(string name) =>
        File.ReadAllLines(Fixture.Path("disks/raw.sha256")).Select(l => l.Split("  ")).Single(p => p[1] == name)[0];

    private static string Sha(string text) => ScanHelper.Sha256(Encoding.ASCII.GetBytes(text));

    private static readonly string ThreeClusters = string.Concat(Enumerable.Range(0, 600).Select(i => $"line {i:0000}\n"));

    [Fact]
    public void Fat16_Tree_HasLongNamesNestingAndExactContent()
    {
        var e = ScanHelper.ScanBytes(Gunzip("disks/fat16.img.gz"), "fat16.img");
        Assert.Equal("fat", e.Files.Single(f => f.Path == "fat16.img").Format);
        var below = ScanHelper.Below(e, "fat16.img!/");
        Assert.Equal(Sha("hello fat\n"), below["HELLO.TXT"].Sha256);
        Assert.Equal(Sha("a file with a long name\n"), below["Config Files/A Rather Long File Name.conf"].Sha256);
        Assert.Equal(Sha(ThreeClusters), below["three-clusters.txt"].Sha256);
        Assert.Equal(0, below["empty"].Size);
        Assert.Equal(NodeKind.Dir, below["EFI/BOOT"].Kind);
        Assert.Equal(Sha("MZ not really an EFI binary\n"), below["EFI/BOOT/BOOTX64.EFI"].Sha256);
        Assert.Empty(e.Errors);
    }

    [Theory]
    [InlineData("fat12", "hello.txt")]
    [InlineData("fat32", "Read Me First.txt")]
    public void Fat12And32_Tree_IsRead(string image, string file)
    {
        var e = ScanHelper.ScanBytes(Gunzip($"disks/{image}.img.gz"), image);
        var below = ScanHelper.Below(e, image + "!/");
        Assert.Equal(Sha("hello fat\n"), below[file].Sha256);
        if (image == "fat32")
            Assert.Equal(Sha(ThreeClusters), below["boot/grub.cfg"].Sha256);
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void Mbr_PrimaryAndLogicalPartitions_AreNodesWithTheirFilesystems()
    {
        var e = ScanHelper.ScanBytes(Gunzip("disks/mbr.img.gz"), "mbr.img");
        var below = ScanHelper.Below(e, "mbr.img!/");
        Assert.Equal(["part1", "part2", "part5"], below.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("fat", below["part1"].Format);
        Assert.Equal("ext", below["part2"].Format);
        Assert.Equal("fat", below["part5"].Format);
        Assert.Contains(e.Files, f => f.Path == "mbr.img!/part2!/etc/os-release");
        Assert.Contains(e.Files, f => f.Path == "mbr.img!/part5!/hello.txt");
        Assert.Contains(e.Files, f => f.Path == "mbr.img!/part1!/EFI/BOOT/BOOTX64.EFI");
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Gpt_Partitions_AreNamedAndTyped()
    {
        var e = ScanHelper.ScanBytes(Gunzip("disks/gpt.img.gz"), "gpt.img");
        var root = e.Files.Single(f => f.Path == "gpt.img");
        Assert.Equal("gpt", root.Format);
        Assert.Contains("1: EFI system \"EFI\"", root.Type!.Description, StringComparison.Ordinal);
        Assert.Contains("2: Linux filesystem \"root\"", root.Type.Description, StringComparison.Ordinal);
        Assert.Contains(e.Files, f => f.Path == "gpt.img!/part2!/usr/bin/nf");
        Assert.Empty(e.Errors);
    }

    [Theory]
    [InlineData("gpt.qcow2")]
    [InlineData("gpt-c.qcow2")]
    [InlineData("gpt-v2.qcow2")]
    public void Qcow2_GuestDisk_IsTheRawDiskByteForByte(string fixture)
    {
        var e = ScanHelper.Scan($"disks/{fixture}");
        var disk = e.Files.Single(f => f.Path == $"{fixture}!/disk.raw");
        Assert.Equal(RawSha("gpt.img"), disk.Sha256);
        Assert.Equal("gpt", disk.Format);
        Assert.Contains(e.Files, f => f.Path == $"{fixture}!/disk.raw!/part2!/etc/os-release");
        Assert.Empty(e.Errors);
    }

    [Theory]
    [InlineData("mbr.vmdk", false)]
    [InlineData("mbr-stream.vmdk", false)]
    [InlineData("mbr.vhd.gz", true)]
    [InlineData("mbr.vhdx.gz", true)]
    public void VmdkVhdVhdx_GuestDisk_IsTheRawDiskByteForByte(string fixture, bool gzipped)
    {
        var name = gzipped ? fixture[..^3] : fixture;
        var e = gzipped ? ScanHelper.ScanBytes(Gunzip($"disks/{fixture}"), name) : ScanHelper.Scan($"disks/{fixture}");
        var disk = e.Files.Single(f => f.Path == $"{name}!/disk.raw");
        Assert.Equal(RawSha("mbr.img"), disk.Sha256);
        Assert.Equal("mbr", disk.Format);
        Assert.Contains(e.Files, f => f.Path == $"{name}!/disk.raw!/part2!/etc/os-release");
        Assert.Contains(e.Files, f => f.Path == $"{name}!/disk.raw!/part5!/hello.txt");
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void FixedVhd_IsReadAsTheRawDiskItStartsWith()
    {
        var e = ScanHelper.ScanBytes(Gunzip("disks/mbr-fixed.vhd.gz"), "mbr-fixed.vhd");
        Assert.Equal("mbr", e.Files.Single(f => f.Path == "mbr-fixed.vhd").Format);
        Assert.Contains(e.Files, f => f.Path == "mbr-fixed.vhd!/part2!/etc/os-release");
    }

    [Fact]
    public void Qcow2_BackingFile_IsReportedNeverOpened()
    {
        var e = ScanHelper.Scan("disks/overlay.qcow2");
        var error = Assert.Single(e.Errors, x => x.Handler == "qcow2");
        Assert.Contains("backing file 'base.qcow2', which is not opened", error.Message, StringComparison.Ordinal);
        Assert.Contains(e.Files, f => f.Path == "overlay.qcow2!/disk.raw");
    }

    [Fact]
    public void Qcow2_DamagedTables_AreReportedNotCrashed()
    {
        var bytes = Fixture.Bytes("disks/gpt.qcow2");
        // L1 table offset (u64 BE @40) pointing past the end
        var bad = (byte[])bytes.Clone();
        bad[40] = 0x7f;
        var e = ScanHelper.ScanBytes(bad, "bad.qcow2");
        Assert.Contains(e.Errors, x => x.Handler == "qcow2" && x.Message.Contains("L1 table", StringComparison.Ordinal));
        // every L2 entry of the first table pointing past the end: zeros, one error
        var l1 = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(40));
        var l2 = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan((int)l1)) & 0x00ff_ffff_ffff_fe00UL);
        var broken = (byte[])bytes.Clone();
        for (var i = 0; i < 64; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(broken.AsSpan((int)l2 + (i * 8)), 0x8000_00ff_ff00_0000UL);
        e = ScanHelper.ScanBytes(broken, "broken.qcow2");
        Assert.Contains(e.Errors, x => x.Handler == "qcow2" && x.Message.Contains("outside the image", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Theory]
    [InlineData("disks/gpt.qcow2")]
    [InlineData("disks/gpt-c.qcow2")]
    [InlineData("disks/mbr.vmdk")]
    [InlineData("disks/mbr-stream.vmdk")]
    public void TruncatedDisks_NeverCrash(string fixture)
    {
        var bytes = Fixture.Bytes(fixture);
        foreach (var cut in new[] { 100, 512, 4096, 65536, 200_000, bytes.Length - 1000 })
        {
            var e = ScanHelper.ScanBytes(bytes[..Math.Min(cut, bytes.Length)], "cut.img");
            Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
        }
    }

    [Fact]
    public void Fat_CyclicChainAndCorruptBootSector_AreReported()
    {
        var image = Gunzip("disks/fat16.img.gz");
        // FAT16: reserved sectors u16 @14, first FAT right after. Make every cluster point to cluster 2 (a loop).
        var fatStart = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(14)) * 512;
        for (var c = 2; c < 200; c++)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(fatStart + (c * 2)), 2);
        var e = ScanHelper.ScanBytes(image, "loop.img");
        Assert.Contains(e.Errors, x => x.Handler == "fat" && x.Message.Contains("loops", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }
}
