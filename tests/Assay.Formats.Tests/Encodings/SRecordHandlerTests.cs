using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Pipeline;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Encodings;

/// <summary>Fixtures from Fixtures/srec/make.sh (srec_cat); other files are written here record by record.</summary>
public sealed class SRecordHandlerTests
{
    private readonly SRecordHandler _handler = new();

    [Fact]
    public void SRecord_S1WithCountNoTermination_DecodesToPayload()
    {
        var bytes = Fixture.Bytes("srec/small.s19");
        var (ctx, match) = Unpack(bytes, "small.s19");

        Assert.Equal(bytes.Length, match.Length);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("small@0x00000100.bin", entry.Meta.Path);
        Assert.Equal(Fixture.Bytes("srec/data.bin"), entry.Content);
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void SRecord_S3TwoBlocks_FillsGapWithFFAndStopsAtS7()
    {
        var bytes = Fixture.Bytes("srec/fw.srec");
        var (ctx, match) = Unpack(bytes, "fw.srec");

        Assert.Equal(bytes.Length, match.Length);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("fw@0x08000000.bin", entry.Meta.Path);
        var data = Fixture.Bytes("srec/data.bin");
        var high = Fixture.Bytes("srec/high.bin");
        var image = entry.Content!;
        Assert.Equal(0x10000 + high.Length, image.Length);
        Assert.Equal(data, image[..data.Length]);
        Assert.All(image[data.Length..0x10000], b => Assert.Equal(0xff, b));
        Assert.Equal(high, image[0x10000..]);
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void SRecord_S2Records_UseThreeByteAddresses()
    {
        var text = Rec(0, 0, 2, (byte)'h', (byte)'i') + Rec(2, 0x123456, 3, 0xaa, 0xbb) + Rec(2, 0x123458, 3, 0xcc) + Rec(8, 0x123456, 3);

        var (ctx, _) = Unpack(Encoding.ASCII.GetBytes(text), "x.s28");

        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("x@0x00123456.bin", entry.Meta.Path);
        Assert.Equal([0xaa, 0xbb, 0xcc], entry.Content);
    }

    [Fact]
    public void SRecord_WrongRecordCount_ReportsError()
    {
        var text = Rec(1, 0, 2, 1) + Rec(1, 1, 2, 2) + Rec(1, 2, 2, 3) + Rec(5, 7, 2) + Rec(9, 0, 2);

        var (ctx, _) = Unpack(Encoding.ASCII.GetBytes(text), "x.s19");

        Assert.Equal([1, 2, 3], Assert.Single(ctx.Entries).Content);
        Assert.Contains("counts 7 data records but 3", Assert.Single(ctx.Errors).Message);
    }

    [Fact]
    public void SRecord_BadChecksumAfterStrictRecords_ThrowsFormatExceptionAtLine()
    {
        var lines = File.ReadAllLines(Fixture.Path("srec/fw.srec"));
        var bad = lines[6][..^2] + (lines[6][^2..] == "00" ? "01" : "00");
        lines[6] = bad;
        var text = string.Join("\n", lines) + "\n";
        var blob = new MemoryBlob(Encoding.ASCII.GetBytes(text));

        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
        Assert.Contains("record 7", e.Message);
        Assert.Contains("checksum", e.Message);
        Assert.Equal(text.IndexOf(bad, StringComparison.Ordinal), e.Offset);
    }

    [Fact]
    public void SRecord_ProseOrReservedType_IsNotMatched()
    {
        Assert.Null(_handler.TryMatch(new MemoryBlob(Encoding.ASCII.GetBytes("S1 is a record type\nS2 too\n")), 0));
        Assert.Null(_handler.TryMatch(new MemoryBlob(Encoding.ASCII.GetBytes(Rec(4, 0, 2, 1) + Rec(9, 0, 2))), 0));
        var bytes = Fixture.Bytes("srec/fw.srec");
        bytes[5] = (byte)'F'; // first record's count
        Assert.Null(_handler.TryMatch(new MemoryBlob(bytes), 0));
    }

    [Fact]
    public void SRecord_InsideBinary_MatchesExactlyToTermination()
    {
        var srec = Fixture.Bytes("srec/fw.srec");
        byte[] dump = [.. new byte[64], .. srec, .. "S9 trailing junk"u8.ToArray()];

        var match = _handler.TryMatch(new MemoryBlob(dump), 64);

        Assert.NotNull(match);
        Assert.Equal(srec.Length, match.Length);
    }

    [Fact]
    public void SRecord_SpanOverFileLimit_ThrowsFormatException()
    {
        var text = Rec(3, 0, 4, 1) + Rec(3, 0xfffffff0, 4, 2) + Rec(7, 0, 4);
        var blob = new MemoryBlob(Encoding.ASCII.GetBytes(text));

        var e = Assert.Throws<FormatException>(() => _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 1 << 20 })));
        Assert.Contains("maxFileBytes", e.Message);
    }

    [Fact]
    public void SRecord_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("srec/fw.srec");
        var random = new Random(17);
        const string alphabet = "0123456789ABCDEFS\n\r x";
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

    /// <summary>One S-record line: type, address of <paramref name="addressLength"/> bytes, data, checksum.</summary>
    private static string Rec(int type, long address, int addressLength, params byte[] data)
    {
        var body = new List<byte> { (byte)(addressLength + data.Length + 1) };
        for (var i = addressLength - 1; i >= 0; i--)
            body.Add((byte)(address >> (8 * i)));
        body.AddRange(data);
        var sum = body.Aggregate(0, (a, b) => a + b);
        return $"S{type}" + Convert.ToHexString(body.ToArray()) + ((byte)~sum).ToString("X2") + "\n";
    }
}
