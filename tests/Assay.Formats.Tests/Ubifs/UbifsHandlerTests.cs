using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Formats.Ubifs;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Ubifs;

public sealed class UbifsHandlerTests
{
    private readonly UbifsHandler _handler = new();

    [Theory]
    [InlineData("lzo")]
    [InlineData("zlib")]
    [InlineData("zstd")]
    [InlineData("none")]
    [InlineData("mixed")]
    public void Unpack_MkfsImage_ListsTheTree(string compressor)
    {
        var bytes = Fixture.Bytes($"ubifs/{compressor}.ubifs");
        using var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.Equal(bytes.Length, match.Length);
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob, match, context);
        Assert.Empty(context.Errors);
        FlashTree.AssertMatches(context);
    }

    [Fact]
    public void TryMatch_AtOffsetInsideADump_ReturnsTheImageExtent()
    {
        var image = Fixture.Bytes("ubifs/zlib.ubifs");
        var dump = new byte[8192 + image.Length + 4096];
        dump.AsSpan().Fill(0xff);
        image.CopyTo(dump, 8192);
        using var blob = new MemoryBlob(dump);
        var match = _handler.TryMatch(blob, 8192);
        Assert.NotNull(match);
        Assert.Equal(image.Length, match.Length);
        Assert.Null(_handler.TryMatch(blob, 0));
        Assert.Null(_handler.TryMatch(blob, 8200));
    }

    [Fact]
    public void TryMatch_OtherData_ReturnsNull()
    {
        using var blob = new MemoryBlob(Fixture.Bytes("lzo/text.txt.1.lzo"));
        Assert.Null(_handler.TryMatch(blob, 0));
        using var zeros = new MemoryBlob(new byte[8192]);
        Assert.Null(_handler.TryMatch(zeros, 0));
    }

    [Fact]
    public void TryMatch_SuperblockCrcDamaged_ReturnsNull()
    {
        var bytes = Fixture.Bytes("ubifs/lzo.ubifs");
        bytes[100] ^= 0x40;
        using var blob = new MemoryBlob(bytes);
        Assert.Null(_handler.TryMatch(blob, 0));
    }

    [Fact]
    public void Unpack_Truncated_ThrowsFormatExceptionOrReportsErrors()
    {
        var bytes = Fixture.Bytes("ubifs/lzo.ubifs");
        for (var cut = 4096; cut < bytes.Length; cut += 7919)
        {
            using var blob = new MemoryBlob(bytes.AsMemory(0, cut));
            var context = new CollectingUnpackContext();
            var match = _handler.TryMatch(blob, 0);
            Assert.NotNull(match);
            try
            {
                _handler.Unpack(blob, match, context);
                Assert.True(context.Errors.Count > 0 || context.Entries.Count == FlashTree.Expected().Count, $"cut at {cut}: no error and not the whole tree");
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void Unpack_RandomCorruption_ThrowsOnlyFormatException()
    {
        var original = Fixture.Bytes("ubifs/lzo.ubifs");
        var random = new Random(11);
        for (var round = 0; round < 150; round++)
        {
            var bytes = original.ToArray();
            for (var k = 0; k < 1 + (round % 8); k++)
                bytes[4096 + random.Next(bytes.Length - 4096)] ^= (byte)(1 + random.Next(255));
            using var blob = new MemoryBlob(bytes);
            var context = new CollectingUnpackContext();
            try
            {
                _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, context);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void Unpack_DamagedDataNode_ReportsAnErrorAndKeepsTheRest()
    {
        var bytes = Fixture.Bytes("ubifs/none.ubifs");
        // "deep\n" * 1000 is stored uncompressed in one data node: damage its payload
        var at = bytes.AsSpan().IndexOf("deep\ndeep\ndeep\n"u8);
        Assert.True(at > 0);
        bytes[at + 100] ^= 0xff;
        using var blob = new MemoryBlob(bytes);
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, context);
        var error = Assert.Single(context.Errors);
        Assert.Equal("a/b/c/d/deep.txt", error.Path);
        Assert.Contains("CRC", error.Message);
        Assert.Equal(FlashTree.Expected().Count, context.Entries.Count);
        // the damaged node is block 0 (bytes 0-4095): zeros; block 1 is intact
        var content = context.Find("a/b/c/d/deep.txt")!.Content!;
        Assert.DoesNotContain(content.Take(4096), b => b != 0);
        Assert.Equal("deep\n"u8.ToArray(), content.AsSpan(4100, 5).ToArray());
    }
}

public sealed class UbifsGarbageDataTests
{
    [Theory]
    [InlineData("lzo")]
    [InlineData("zlib")]
    [InlineData("zstd")]
    public void Unpack_GarbagePayloadWithValidCrc_ReportsErrorsOnly(string compressor)
    {
        var original = Fixture.Bytes($"ubifs/{compressor}.ubifs");
        var random = new Random(17);
        for (var round = 0; round < 40; round++)
        {
            var bytes = original.ToArray();
            // every data node (type 1) gets a random payload, its node CRC recomputed
            for (var at = 0; at + 48 <= bytes.Length; at += 8)
            {
                if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) != 0x06101831 || bytes[at + 20] != 1)
                    continue;
                var len = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 16));
                if (len < 48 || at + len > bytes.Length)
                    continue;
                var payload = bytes.AsSpan(at + 48, len - 48);
                for (var k = 0; k < 1 + (round % 5); k++)
                    payload[random.Next(payload.Length)] = (byte)random.Next(256);
                if (round % 7 == 0)
                    random.NextBytes(payload);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 4), KernelCrc32.SeedAllOnes(bytes.AsSpan(at + 8, len - 8)));
            }

            var handler = new UbifsHandler();
            using var blob = new MemoryBlob(bytes);
            var context = new CollectingUnpackContext();
            handler.Unpack(blob, handler.TryMatch(blob, 0)!, context);
            Assert.Equal(FlashTree.Expected().Count, context.Entries.Count);
        }
    }
}
