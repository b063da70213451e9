namespace Assay.Formats.Tests.UBoot;

/// <summary>The U-Boot, device tree and kernel handlers inside the real pipeline (identification, carving, nesting).</summary>
public sealed class UBootPipelineTests
{
    [Fact]
    public void Pipeline_FlashDumpWithTwoUImages_CarvesBothAndReportsPadding()
    {
        var e = ScanHelper.Scan("uboot/flash.bin");

        var chunks = e.Chunks.Where(c => c.Path == "flash.bin").Select(c => (c.Offset, c.Length, c.Format)).ToList();
        Assert.Equal([(0L, 4096L, "padding"), (4096, 2249, "uimage"), (6345, 65536 - 6345, "padding"), (65536, 23165, "uimage")], chunks);
        var files = e.Files.ToDictionary(f => f.Path);
        Assert.Equal(15893, files["flash.bin!/0x1000.uimage!/Test_Kernel_1.0.gz!/Test_Kernel_1.0"].Size);
        Assert.Equal(5001, files["flash.bin!/0x10000.uimage!/image-1"].Size);
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void Pipeline_FitWithExternalData_ListsImagesAndTheDeviceTree()
    {
        var e = ScanHelper.Scan("fit/external.itb");

        var files = e.Files.ToDictionary(f => f.Path);
        Assert.Equal("fit", files["external.itb"].Format);
        Assert.Equal("dtb", files["external.itb!/fdt-1"].Format);
        Assert.True(files.ContainsKey("external.itb!/fdt-1!/devicetree.dts"));
        Assert.Equal(9892, files["external.itb!/kernel-1"].Size);
        Assert.Equal(3003, files["external.itb!/ramdisk-1"].Size);
        Assert.Empty(e.Errors);
    }

    [Fact]
    public void Pipeline_ZImage_UnpacksKernelThroughXz()
    {
        var e = ScanHelper.Scan("zimage/zImage-xz");

        var kernel = Assert.Single(e.Files, f => f.Path == "zImage-xz!/Image.xz!/Image");
        Assert.Equal(ScanHelper.Sha256(Fixture.Bytes("zimage/Image")), kernel.Sha256);
    }
}
