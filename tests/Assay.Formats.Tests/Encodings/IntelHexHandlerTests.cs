using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Pipeline;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Encodings;

/// <summary>Fixtures from Fixtures/ihex/make.sh (srec_cat); other files are written here record by record.</summary>
public sealed class IntelHexHandlerTests
{
    private readonly IntelHexHandler _handler = new();

    [Fact]
    public void IntelHex_LinearAddressed_DecodesToPayloadNamedWithStartAddress()
    {
        var bytes = Fixture.Bytes("ihex/fw.hex");
        var (ctx, match) = Unpack(bytes, "fw.hex");

        Assert.Equal(bytes.Length, match.Length);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("fw@0x08000000.bin", entry.Meta.Path);
        Assert.Equal(Fixture.Bytes("ihex/data.bin"), entry.Content);
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void IntelHex_TwoBlocksWithGap_FillsGapWithFF()
    {
        var (ctx, _) = Unpack(Fixture.Bytes("ihex/gap.hex"), "gap.hex");

        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("gap@0x00001000.bin", entry.Meta.Path);
        var data = Fixture.Bytes("ihex/data.bin");
        var high = Fixture.Bytes("ihex/high.bin");
        var image = entry.Content!;
        Assert.Equal(0x1fff0 + high.Length - 0x1000, image.Length);
        Assert.Equal(data, image[..data.Length]);
        Assert.All(image[data.Length..(0x1fff0 - 0x1000)], b => Assert.Equal(0xff, b));
        Assert.Equal(high, image[(0x1fff0 - 0x1000)..]);
    }

    [Fact]
    public void IntelHex_ExtendedSegmentAddress_PlacesDataAtSegmentTimes16()
    {
        var text = Rec(0x02, 0, 0x10, 0x00) + Rec(0x00, 0x0010, 1, 2, 3, 4) + Rec(0x03, 0, 0, 0, 0, 0) + Rec(0x00, 0x0014, 5, 6) + Rec(0x01, 0);

        var (ctx, _) = Unpack(Encoding.ASCII.GetBytes(text), "seg.ihx");

        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("seg@0x00010010.bin", entry.Meta.Path);
        Assert.Equal([1, 2, 3, 4, 5, 6], entry.Content);
    }

    [Fact]
    public void IntelHex_BadChecksumAfterStrictRecords_ThrowsFormatExceptionAtLine()
    {
        var lines = File.ReadAllLines(Fixture.Path("ihex/fw.hex"));
        var bad = lines[9][..^2] + (lines[9][^2..] == "00" ? "01" : "00");
        lines[9] = bad;
        var text = string.Join("\n", lines) + "\n";
        var at = text.IndexOf(bad, StringComparison.Ordinal);

        var blob = new MemoryBlob(Encoding.ASCII.GetBytes(text));
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
        Assert.Contains("record 10", e.Message);
        Assert.Contains("checksum", e.Message);
        Assert.Equal(at, e.Offset);
    }

    [Fact]
    public void IntelHex_BadFirstRecordOrProse_IsNotMatched()
    {
        var bytes = Fixture.Bytes("ihex/fw.hex");
        bytes[3] = (byte)'1'; // checksum of the first record breaks

        Assert.Null(_handler.TryMatch(new MemoryBlob(bytes), 0));
        Assert.Null(_handler.TryMatch(new MemoryBlob(Encoding.ASCII.GetBytes(":: see below\n:00 not a record\n")), 0));
        Assert.Null(_handler.TryMatch(new MemoryBlob(Encoding.ASCII.GetBytes("time 12:30:45\n")), 7));
    }

    [Fact]
    public void IntelHex_InsideBinary_MatchesExactlyToEndOfFileRecord()
    {
        var hex = Fixture.Bytes("ihex/fw.hex");
        byte[] dump = [.. new byte[100], .. hex, .. Enumerable.Repeat((byte)0xee, 50)];

        var match = _handler.TryMatch(new MemoryBlob(dump), 100);

        Assert.NotNull(match);
        Assert.Equal(hex.Length, match.Length);
    }

    [Fact]
    public void IntelHex_NoEndOfFileRecord_ReportsErrorAndDecodes()
    {
        var text = Rec(0x00, 0, 1) + Rec(0x00, 1, 2) + Rec(0x00, 2, 3) + Rec(0x00, 3, 4);

        var (ctx, _) = Unpack(Encoding.ASCII.GetBytes(text), "x.hex");

        Assert.Equal([1, 2, 3, 4], Assert.Single(ctx.Entries).Content);
        Assert.Contains("end-of-file", Assert.Single(ctx.Errors).Message);
    }

    [Fact]
    public void IntelHex_SpanOverFileLimit_ThrowsFormatException()
    {
        var text = Rec(0x00, 0, 1) + Rec(0x04, 0, 0xff, 0xff) + Rec(0x00, 0xfff0, 2) + Rec(0x01, 0);
        var blob = new MemoryBlob(Encoding.ASCII.GetBytes(text));
        var match = _handler.TryMatch(blob, 0)!;

        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 1 << 20 })));
        Assert.Contains("maxFileBytes", e.Message);
    }

    [Fact]
    public void IntelHex_OverlappingRecords_ThrowsFormatException()
    {
        var text = Rec(0x00, 0x10, 1, 2, 3, 4) + Rec(0x00, 0x12, 9) + Rec(0x01, 0);
        var blob = new MemoryBlob(Encoding.ASCII.GetBytes(text));

        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, new CollectingUnpackContext()));
        Assert.Contains("0x12", e.Message);
    }

    [Fact]
    public void IntelHex_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("ihex/gap.hex");
        var random = new Random(13);
        const string alphabet = "0123456789ABCDEF:\n\r x";
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 1 + (i % 3); k++)
                bytes[random.Next(bytes.Length)] = (byte)alphabet[random.Next(alphabet.Length)];
            var blob = new MemoryBlob(bytes);
            if (_handler.TryMatch(blob, 0) is not { } match)
                continue;
            try
            {
                _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match, new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 16 << 20 }));
            }
            catch (FormatException)
            {
            }
        }
    }

    private (CollectingUnpackContext Context, FormatMatch Match) Unpack(byte[] bytes, string containerPath)
    {
        var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0) ?? throw new Xunit.Sdk.XunitException("not matched");
        var ctx = new CollectingUnpackContext { ContainerPath = containerPath };
        _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match, ctx);
        return (ctx, match);
    }

    /// <summary>One record line with its checksum.</summary>
    private static string Rec(byte type, ushort address, params byte[] data)
    {
        byte[] bytes = [(byte)data.Length, (byte)(address >> 8), (byte)address, type, .. data];
        var sum = bytes.Aggregate(0, (a, b) => a + b);
        return ":" + Convert.ToHexString(bytes) + ((byte)-sum).ToString("X2") + "\r\n";
    }
}
