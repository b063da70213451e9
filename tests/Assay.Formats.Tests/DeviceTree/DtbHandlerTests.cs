using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.DeviceTree;

/// <summary>Fixture from Fixtures/dtb/make.sh (dtc 1.6.1 over board.dts).</summary>
public sealed class DtbHandlerTests
{
    private readonly DtbHandler _handler = new();

    [Fact]
    public void Dtb_Board_MatchesTotalSizeAndListsTreeAsDts()
    {
        var bytes = Fixture.Bytes("dtb/board.dtb");
        var (ctx, match) = Unpack(bytes);

        Assert.Equal(bytes.Length, match.Length);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("devicetree.dts", entry.Meta.Path);
        var dts = Encoding.UTF8.GetString(entry.Content!);
        Assert.StartsWith("/dts-v1/;\n\n/memreserve/ 0x000000008f000000 0x0000000001000000;\n\n/ {\n", dts);
        Assert.Contains("\tmodel = \"Assay Test Router\";\n", dts);
        Assert.Contains("\tcompatible = \"assay,test-router\", \"arm,vexpress\";\n", dts);
        Assert.Contains("\t\tbootargs = \"console=ttyS0,115200 root=/dev/mtdblock2 rootfstype=squashfs\";\n", dts);
        Assert.Contains("\tmemory@80000000 {\n\t\tdevice_type = \"memory\";\n\t\treg = <0x80000000 0x10000000>;\n\t};\n", dts);
        Assert.Contains("\t\tmac-address = [00 11 22 33 44 55];\n\t\talways-on;\n", dts);
        Assert.Contains("\t\tpartition@40000 {\n\t\t\tlabel = \"rootfs\";\n\t\t\treg = <0x40000 0xfc0000>;\n\t\t};\n", dts);
        Assert.EndsWith("\t};\n};\n", dts);
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void Dtb_Truncated_MatchesWithoutLengthAndThrowsFormatException()
    {
        var bytes = Fixture.Bytes("dtb/board.dtb")[..300];
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);

        Assert.NotNull(match);
        Assert.Null(match.Length);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
        Assert.Contains("totalsize", e.Message);
    }

    [Fact]
    public void Dtb_UnknownToken_ThrowsFormatExceptionWithOffset()
    {
        var bytes = Fixture.Bytes("dtb/board.dtb");
        var structOffset = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        // the first property token after BEGIN_NODE "" (4 + 4 bytes)
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(structOffset + 8), 0x77);

        var e = Assert.Throws<FormatException>(() => Unpack(bytes));
        Assert.Contains("unknown token 0x00000077", e.Message);
        Assert.Equal(structOffset + 8, e.Offset);
    }

    [Fact]
    public void Dtb_NestingPastLimit_ThrowsFormatException()
    {
        var bytes = BuildNested(FdtReader.MaxDepth + 10);

        var e = Assert.Throws<FormatException>(() => Unpack(bytes));
        Assert.Contains("deeper than 64", e.Message);
    }

    [Fact]
    public void Dtb_NestingWithinLimit_IsListed()
    {
        var (ctx, _) = Unpack(BuildNested(10));

        var dts = Encoding.UTF8.GetString(Assert.Single(ctx.Entries).Content!);
        Assert.Contains(new string('\t', 10) + "n {\n", dts);
    }

    [Fact]
    public void Dtb_NotADeviceTree_IsNotMatched()
    {
        var bytes = Fixture.Bytes("dtb/board.dtb");
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(0x14), 2); // version 2

        Assert.Null(_handler.TryMatch(new MemoryBlob(bytes), 0));
        Assert.Null(_handler.TryMatch(new MemoryBlob((byte[])[0xd0, 0x0d, 0xfe, 0xed, .. Encoding.ASCII.GetBytes(" not a tree at all, only text after the magic")]), 0));
    }

    [Fact]
    public void Dtb_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("dtb/board.dtb");
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 1 + (i % 4); k++)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
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

    /// <summary>A v17 tree of <paramref name="depth"/> nested nodes named "n" below the root, no properties.</summary>
    internal static byte[] BuildNested(int depth)
    {
        var structBlock = new List<byte>();
        void Word(uint v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
            structBlock.AddRange(b);
        }
        Word(1);
        Word(0); // root name "" padded
        for (var i = 0; i < depth; i++)
        {
            Word(1);
            structBlock.AddRange("n\0\0\0"u8.ToArray());
        }
        for (var i = 0; i <= depth; i++)
            Word(2);
        Word(9);
        const int headerLength = 40, rsvLength = 16;
        var structOffset = headerLength + rsvLength;
        var total = structOffset + structBlock.Count;
        var bytes = new byte[total];
        uint[] header = [0xd00dfeed, (uint)total, (uint)structOffset, (uint)total, headerLength, 17, 16, 0, 0, (uint)structBlock.Count];
        for (var i = 0; i < header.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), header[i]);
        structBlock.CopyTo(bytes, structOffset);
        return bytes;
    }
}
