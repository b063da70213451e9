using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.UBoot;

/// <summary>Fixtures from Fixtures/fit/make.sh (mkimage 2023.01 over image.its, SOURCE_DATE_EPOCH=1700000000).</summary>
public sealed class FitHandlerTests
{
    private readonly FitHandler _handler = new();

    [Theory]
    [InlineData("fit/embedded.itb")]
    [InlineData("fit/external.itb")]
    [InlineData("fit/position.itb")]
    public void Fit_EachDataPlacement_EmitsImagesByNodeNameWithVerifiedHashes(string path)
    {
        var bytes = Fixture.Bytes(path);
        var (ctx, match) = Unpack(bytes);

        Assert.Equal(bytes.Length, match.Length);
        Assert.Contains("\"Assay test FIT\", 3 images", match.Description);
        Assert.Equal(["kernel-1", "fdt-1", "ramdisk-1", "fit-structure.dts"], ctx.Entries.Select(e => e.Meta.Path));
        Assert.Equal(Sha(Fixture.Bytes("fit/kernel.bin")), Sha(ctx.Entries[0].Content!));
        Assert.Equal(Sha(Fixture.Bytes("fit/board.dtb")), Sha(ctx.Entries[1].Content!));
        Assert.Equal(Sha(Fixture.Bytes("fit/ramdisk.bin")), Sha(ctx.Entries[2].Content!));
        Assert.All(ctx.Entries, e => Assert.Equal(1700000000, e.Meta.Mtime));
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void Fit_StructureListing_ShowsConfigurationsAndHashesWithDataCut()
    {
        var (ctx, _) = Unpack(Fixture.Bytes("fit/embedded.itb"));

        var dts = System.Text.Encoding.UTF8.GetString(ctx.Find("fit-structure.dts")!.Content!);
        Assert.Contains("\tdescription = \"Assay test FIT\";\n", dts);
        Assert.Contains(" /* first 64 of 9892 bytes */;\n", dts);
        Assert.Contains("\t\t\t\talgo = \"sha256\";\n", dts);
        Assert.Contains("\tconfigurations {\n\t\tdefault = \"conf-1\";\n", dts);
        Assert.Contains("\t\t\tkernel = \"kernel-1\";\n", dts);
    }

    [Fact]
    public void Fit_ModifiedExternalKernel_ReportsBothHashMismatchesAndStillEmits()
    {
        var bytes = Fixture.Bytes("fit/external.itb");
        var kernel = Fixture.Bytes("fit/kernel.bin");
        var at = bytes.AsSpan().IndexOf(kernel);
        bytes[at + 100] ^= 0x20;

        var (ctx, _) = Unpack(bytes);

        Assert.Equal(4, ctx.Entries.Count);
        Assert.Equal(2, ctx.Errors.Count);
        Assert.Contains(ctx.Errors, e => e.Message.Contains("sha256") && e.Path == "kernel-1");
        Assert.Contains(ctx.Errors, e => e.Message.Contains("crc32") && e.Path == "kernel-1");
    }

    [Fact]
    public void Fit_ModifiedEmbeddedRamdisk_ReportsMd5Mismatch()
    {
        var bytes = Fixture.Bytes("fit/embedded.itb");
        var at = bytes.AsSpan().IndexOf(Fixture.Bytes("fit/ramdisk.bin"));
        bytes[at] ^= 0x01;

        var (ctx, _) = Unpack(bytes);

        var error = Assert.Single(ctx.Errors);
        Assert.Contains("md5", error.Message);
        Assert.Equal("ramdisk-1", error.Path);
    }

    [Fact]
    public void Fit_PlainDeviceTree_IsNotMatched()
    {
        Assert.Null(_handler.TryMatch(new MemoryBlob(Fixture.Bytes("dtb/board.dtb")), 0));
    }

    [Fact]
    public void Fit_ExternalDataTruncated_EmitsImagesBeforeCutAndThrowsFormatException()
    {
        var full = Fixture.Bytes("fit/external.itb");
        var bytes = full[..(full.Length - 10)];
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);

        Assert.NotNull(match);
        Assert.Null(match.Length);
        var ctx = new CollectingUnpackContext();
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, ctx));
        Assert.Contains("ramdisk-1", e.Message);
        Assert.Equal(["kernel-1", "fdt-1", "fit-structure.dts"], ctx.Entries.Select(x => x.Meta.Path));
    }

    [Fact]
    public void Fit_CarvedFromPaddedDump_MatchesAtOffsetWithExtent()
    {
        var fit = Fixture.Bytes("fit/external.itb");
        var dump = new byte[4096 + fit.Length + 4096];
        Array.Fill(dump, (byte)0xff);
        fit.CopyTo(dump, 4096);

        var match = _handler.TryMatch(new MemoryBlob(dump), 4096);

        Assert.NotNull(match);
        Assert.Equal(fit.Length, match.Length);
    }

    [Fact]
    public void Fit_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("fit/external.itb");
        var random = new Random(11);
        var treeSize = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(original.AsSpan(4));
        for (var i = 0; i < 500; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 1 + (i % 3); k++)
                bytes[random.Next(treeSize)] = (byte)random.Next(256);
            var blob = new MemoryBlob(bytes);
            if (_handler.TryMatch(blob, 0) is not { } match)
                continue;
            try
            {
                _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match, new CollectingUnpackContext());
            }
            catch (FormatException)
            {
            }
        }
    }

    private (CollectingUnpackContext Context, FormatMatch Match) Unpack(byte[] bytes)
    {
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0) ?? throw new Xunit.Sdk.XunitException("not matched");
        var ctx = new CollectingUnpackContext();
        _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match, ctx);
        return (ctx, match);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
