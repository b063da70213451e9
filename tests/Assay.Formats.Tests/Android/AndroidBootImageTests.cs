namespace Assay.Formats.Tests.Android;

/// <summary>Boot images by AOSP mkbootimg (Fixtures/androidboot/make.sh): parts as unpack_bootimg gives them.</summary>
public sealed class AndroidBootImageTests
{
    private static readonly string[] Expected = File.ReadAllLines(Fixture.Path("androidboot/expected.txt"));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BootImage_Parts_AreWhatUnpackBootimgGives(int version)
    {
        var name = $"boot-v{version}.img";
        var e = ScanHelper.Scan($"androidboot/{name}");
        Assert.Empty(e.Errors);
        var image = e.Files.Single(f => f.Path == name);
        Assert.Equal("android-boot", image.Format);
        if (version <= 2)
            Assert.Contains("SHA-1 id verified", image.Type!.Description, StringComparison.Ordinal);
        var parts = Expected.Where(l => l.StartsWith($"v{version} ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(parts.Select(p => p[1]).Order(StringComparer.Ordinal),
            e.Files.Where(f => f.Path.StartsWith(name + "!/", StringComparison.Ordinal) && !f.Path[(name.Length + 2)..].Contains("!/", StringComparison.Ordinal)).Select(f => f.Path[(name.Length + 2)..]).Order(StringComparer.Ordinal));
        foreach (var p in parts)
            Assert.Equal(p[2], e.Files.Single(f => f.Path == $"{name}!/{p[1]}").Sha256);
        // The ramdisk is unpacked on: gzip, then cpio.
        Assert.Contains(e.Files, f => f.Path == $"{name}!/ramdisk!/ramdisk.out!/init.rc");
    }

    [Fact]
    public void VendorBoot_Parts_AreTheInputFiles()
    {
        var e = ScanHelper.Scan("androidboot/vendor_boot-v3.img");
        Assert.Empty(e.Errors);
        var sha = Expected.Where(l => l.Contains("  ", StringComparison.Ordinal)).Select(l => l.Split("  ")).ToDictionary(p => p[1], p => p[0]);
        Assert.Equal(sha["vendor_ramdisk"], e.Files.Single(f => f.Path == "vendor_boot-v3.img!/vendor_ramdisk").Sha256);
        Assert.Equal(sha["dtb"], e.Files.Single(f => f.Path == "vendor_boot-v3.img!/dtb").Sha256);
        Assert.Contains(e.Files, f => f.Path.EndsWith("!/lib/modules/wlan.ko", StringComparison.Ordinal));
    }

    [Fact]
    public void BootImage_KernelByteFlipped_ReportsTheId()
    {
        var bytes = Fixture.Bytes("androidboot/boot-v0.img");
        bytes[2048 + 40] ^= 0x01;
        var e = ScanHelper.ScanBytes(bytes, "boot.img");
        Assert.Contains(e.Errors, x => x.Handler == "android-boot" && x.Message.Contains("SHA-1", StringComparison.Ordinal));
    }
}
