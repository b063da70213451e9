using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Linux;

/// <summary>Fixtures from Fixtures/zimage/make.sh: zImage header words around xz and gzip payloads.</summary>
public sealed class ArmZImageHandlerTests
{
    private readonly ArmZImageHandler _handler = new();

    [Fact]
    public void ZImage_XzPayload_EmitsExactXzStream()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz");
        var (ctx, match) = Unpack(bytes);

        Assert.Equal(bytes.Length, match.Length);
        Assert.Contains("little-endian", match.Description);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("Image.xz", entry.Meta.Path);
        Assert.Equal(Fixture.Bytes("zimage/Image.xz"), entry.Content);
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void ZImage_GzipPayload_EmitsFromMagicToImageEnd()
    {
        var bytes = Fixture.Bytes("zimage/zImage-gz");
        var (ctx, _) = Unpack(bytes);

        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("Image.gz", entry.Meta.Path);
        var gz = Fixture.Bytes("zimage/Image.gz");
        Assert.Equal(gz.Length + 4 + 32, entry.Content!.Length); // stream, size_append word, trailing data
        Assert.Equal(gz, entry.Content[..gz.Length]);
    }

    [Fact]
    public void ZImage_MagicConstantsInDecompressor_AreSkipped()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz");
        // what a decompressor's .rodata holds: xz's header magic, lzop's magic array, lz4's magic
        byte[] constants = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x12, 0x34, 0, 0, 0, 0, 0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x21, 0x4c, 0x18, 0xff, 0xff, 0xff, 0xff];
        constants.CopyTo(bytes, 0x40);

        var (ctx, _) = Unpack(bytes);

        Assert.Equal(Fixture.Bytes("zimage/Image.xz"), Assert.Single(ctx.Entries).Content);
    }

    [Fact]
    public void ZImage_BigEndianHeader_IsMatched()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz");
        for (var at = 0x24; at < 0x30; at += 4)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)));

        var (ctx, match) = Unpack(bytes);

        Assert.Contains("big-endian", match.Description);
        Assert.Equal(Fixture.Bytes("zimage/Image.xz"), Assert.Single(ctx.Entries).Content);
    }

    [Fact]
    public void ZImage_Truncated_ThrowsFormatException()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz")[..500];
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);

        Assert.NotNull(match);
        Assert.Null(match.Length);
        Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
    }

    [Fact]
    public void ZImage_NoKnownPayload_ReportsError()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz");
        Array.Fill(bytes, (byte)0x11, 0x30 + 256, bytes.Length - 0x30 - 256);

        var (ctx, _) = Unpack(bytes);

        Assert.Empty(ctx.Entries);
        Assert.Contains("no xz", Assert.Single(ctx.Errors).Message);
    }

    [Fact]
    public void ZImage_EndBeforeStart_IsNotMatched()
    {
        var bytes = Fixture.Bytes("zimage/zImage-xz");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(0x28), 0x10000);

        Assert.Null(_handler.TryMatch(new MemoryBlob(bytes), 0));
    }

    private (CollectingUnpackContext Context, FormatMatch Match) Unpack(byte[] bytes)
    {
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0) ?? throw new Xunit.Sdk.XunitException("not matched");
        var ctx = new CollectingUnpackContext();
        _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match, ctx);
        return (ctx, match);
    }
}
