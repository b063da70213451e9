using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.UBoot;

/// <summary>Fixtures from Fixtures/uboot/make.sh (mkimage 2023.01, SOURCE_DATE_EPOCH=1700000000).</summary>
public sealed class UImageHandlerTests
{
    private const long FixtureTime = 1700000000;
    private readonly UImageHandler _handler = new();

    [Fact]
    public void UImage_SingleUncompressed_EmitsPayloadNamedAfterIhName()
    {
        var (ctx, match) = Unpack(Fixture.Bytes("uboot/kernel-none.img"));

        Assert.Equal(64 + 15893, match.Length);
        Assert.Contains("\"Test Kernel 1.0\", linux arm kernel, uncompressed", match.Description);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("Test_Kernel_1.0", entry.Meta.Path);
        Assert.Equal(FixtureTime, entry.Meta.Mtime);
        Assert.Equal(Sha(Fixture.Bytes("uboot/kernel.bin")), Sha(entry.Content!));
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void UImage_GzipKernel_ChildNameCarriesGzSuffix()
    {
        var (ctx, match) = Unpack(Fixture.Bytes("uboot/kernel-gzip.img"));

        Assert.Contains("gzip", match.Description);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("Test_Kernel_1.0.gz", entry.Meta.Path);
        Assert.Equal(Sha(Fixture.Bytes("uboot/kernel.bin.gz")), Sha(entry.Content!));
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void UImage_MultiFile_EmitsEachImageFromSizeTable()
    {
        var bytes = Fixture.Bytes("uboot/multi.img");
        var (ctx, match) = Unpack(bytes);

        Assert.Equal(bytes.Length, match.Length);
        Assert.Equal(["image-0", "image-1", "image-2"], ctx.Entries.Select(e => e.Meta.Path));
        Assert.Equal([15893, 5001, 2185], ctx.Entries.Select(e => e.Content!.Length));
        Assert.Equal(Sha(Fixture.Bytes("uboot/kernel.bin")), Sha(ctx.Entries[0].Content!));
        Assert.Equal(Sha(Fixture.Bytes("uboot/rootfs.bin")), Sha(ctx.Entries[1].Content!));
        Assert.Equal(Sha(Fixture.Bytes("uboot/kernel.bin.gz")), Sha(ctx.Entries[2].Content!));
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void UImage_Script_EmitsScriptText()
    {
        var (ctx, _) = Unpack(Fixture.Bytes("uboot/script.img"));

        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("image-0", entry.Meta.Path);
        Assert.Equal(Fixture.Bytes("uboot/boot.txt"), entry.Content);
    }

    [Fact]
    public void UImage_HeaderCrcMismatch_IsNotMatched()
    {
        var bytes = Fixture.Bytes("uboot/kernel-none.img");
        bytes[0x20] ^= 0x01; // one bit of ih_name

        Assert.Null(_handler.TryMatch(new MemoryBlob(bytes), 0));
    }

    [Fact]
    public void UImage_DataCrcMismatch_ReportsErrorAndStillEmits()
    {
        var bytes = Fixture.Bytes("uboot/multi.img");
        bytes[^1] ^= 0xff; // last byte of image 2

        var (ctx, _) = Unpack(bytes);

        Assert.Equal(3, ctx.Entries.Count);
        var error = Assert.Single(ctx.Errors);
        Assert.Contains("ih_dcrc", error.Message);
        Assert.Equal(0x18, error.Offset);
    }

    [Fact]
    public void UImage_Truncated_MatchesWithoutLengthAndThrowsFormatException()
    {
        var bytes = Fixture.Bytes("uboot/multi.img")[..1000];
        var blob = new MemoryBlob(bytes);

        var match = _handler.TryMatch(blob, 0);

        Assert.NotNull(match);
        Assert.Null(match.Length);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
        Assert.Contains("ih_size", e.Message);
        Assert.Equal("uimage", e.FormatId);
    }

    [Fact]
    public void UImage_SizeTablePastData_ThrowsFormatException()
    {
        var bytes = Fixture.Bytes("uboot/multi.img");
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(64 + 4), 0x00100000); // image 1 claims 1 MiB
        Reseal(bytes);

        var e = Assert.Throws<FormatException>(() => Unpack(bytes));
        Assert.Contains("image 1 of 3", e.Message);
    }

    [Fact]
    public void UImage_FlashDump_MatchesOnlyAtImageOffsetsWithExactLengths()
    {
        var blob = new MemoryBlob(Fixture.Bytes("uboot/flash.bin"));
        var found = new List<(long, long?)>();
        for (long offset = 0; offset < blob.Length; offset++)
        {
            if (_handler.TryMatch(blob, offset) is { } m)
                found.Add((m.Offset, m.Length));
        }

        Assert.Equal([(4096L, (long?)2249), (65536L, 23165)], found);
    }

    [Fact]
    public void UImage_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("uboot/multi.img");
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 4; k++)
                bytes[random.Next(64, 64 + 16)] = (byte)random.Next(256); // the size table
            if (i % 3 == 0)
                bytes[random.Next(64, bytes.Length)] = (byte)random.Next(256);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), (uint)random.Next(0, bytes.Length * 2));
            Reseal(bytes);
            try
            {
                Unpack(bytes);
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

    /// <summary>Recomputes ih_dcrc (over what is present) and ih_hcrc, as a forger would.</summary>
    private static void Reseal(byte[] bytes)
    {
        var size = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)), (uint)(bytes.Length - 64));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(0x18), Crc32.HashToUInt32(bytes.AsSpan(64, size)));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), UImageHandler.HeaderCrc(bytes));
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
