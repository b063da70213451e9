using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Pipeline;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Android;

/// <summary>Fixture from Fixtures/sparse/make.sh (img2simg over raw.img, 1 KiB blocks); other images are built here.</summary>
public sealed class AndroidSparseHandlerTests
{
    private const int BlockSize = 16;
    private readonly AndroidSparseHandler _handler = new();

    [Fact]
    public void Sparse_Img2simgImage_ExpandsToTheRawImage()
    {
        var bytes = Fixture.Bytes("sparse/sparse.simg");
        var (ctx, match) = Unpack(bytes, "sparse.simg");

        Assert.Equal(bytes.Length, match.Length);
        Assert.Contains("4 chunks, 64 blocks of 1024 bytes", match.Description);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("sparse.raw", entry.Meta.Path);
        Assert.Equal(Sha(Fixture.Bytes("sparse/raw.img")), Sha(entry.Content!));
        Assert.Empty(ctx.Errors);
    }

    [Fact]
    public void Sparse_AllChunkTypes_ExpandAndCheckCrcChunks()
    {
        var raw = Enumerable.Range(0, BlockSize).Select(i => (byte)(i + 1)).ToArray();
        var expected = raw.Concat(new byte[2 * BlockSize]).ToArray();
        var fill = Enumerable.Repeat<byte[]>([0x44, 0x33, 0x22, 0x11], BlockSize / 4).SelectMany(x => x).ToArray();
        var image = Build(
            Chunk(0xcac1, 1, raw),
            Chunk(0xcac3, 2, []),
            Chunk(0xcac4, 0, Le(Crc32.HashToUInt32(expected))),
            Chunk(0xcac2, 1, Le(0x11223344)),
            Chunk(0xcac4, 0, Le(0xdeadbeef)));
        expected = [.. expected, .. fill];

        var (ctx, match) = Unpack(image, "x.sparse");

        Assert.Equal(image.Length, match.Length);
        var entry = Assert.Single(ctx.Entries);
        Assert.Equal("x.raw", entry.Meta.Path);
        Assert.Equal(expected, entry.Content);
        var error = Assert.Single(ctx.Errors);
        Assert.Contains("CRC32 chunk 4 records 0xdeadbeef", error.Message);
    }

    [Fact]
    public void Sparse_ImageChecksumMismatch_ReportsError()
    {
        var image = Build(Chunk(0xcac1, 1, new byte[BlockSize]));
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x18), 0x12345678);

        var (ctx, _) = Unpack(image, "x.simg");

        Assert.Single(ctx.Entries);
        Assert.Contains("image_checksum is 0x12345678", Assert.Single(ctx.Errors).Message);
    }

    [Fact]
    public void Sparse_UnknownChunkType_ThrowsFormatException()
    {
        var image = Build(Chunk(0xcac1, 1, new byte[BlockSize]), Chunk(0xcac9, 1, []));

        var match = _handler.TryMatch(new MemoryBlob(image), 0);
        Assert.NotNull(match);
        Assert.Null(match.Length);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(new MemoryBlob(image), match, new CollectingUnpackContext()));
        Assert.Contains("type 0xcac9", e.Message);
        Assert.Equal(28 + 12 + BlockSize, e.Offset);
    }

    [Fact]
    public void Sparse_Truncated_ThrowsFormatException()
    {
        var bytes = Fixture.Bytes("sparse/sparse.simg")[..2000];

        var match = _handler.TryMatch(new MemoryBlob(bytes), 0);
        Assert.NotNull(match);
        var e = Assert.Throws<FormatException>(() => _handler.Unpack(new MemoryBlob(bytes), match, new CollectingUnpackContext()));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Sparse_HugeDontCare_IsRefusedByTheFileLimitBeforeExpanding()
    {
        var image = Build(Chunk(0xcac3, uint.MaxValue, []));
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x0c), 1 << 20); // 1 MiB blocks: 4 PiB expanded

        var match = _handler.TryMatch(new MemoryBlob(image), 0);
        Assert.NotNull(match);
        var e = Assert.Throws<LimitExceededException>(() =>
            _handler.Unpack(new MemoryBlob(image), match, new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 1 << 20 })));
        Assert.Equal("maxFileBytes", e.Limit);
    }

    [Fact]
    public void Sparse_BadHeader_IsNotMatched()
    {
        var image = Build(Chunk(0xcac1, 1, new byte[BlockSize]));
        image[4] = 2; // major version 2

        Assert.Null(_handler.TryMatch(new MemoryBlob(image), 0));
    }

    [Fact]
    public void Sparse_RandomCorruption_OnlyFormatExceptionOrSuccess()
    {
        var original = Fixture.Bytes("sparse/sparse.simg");
        var random = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var k = 0; k < 1 + (i % 3); k++)
            {
                // headers: the file header and the chunk headers at 28, 3112, 3128, 3144
                int[] starts = [0, 28, 28 + 3084, 28 + 3084 + 16, 28 + 3084 + 32];
                bytes[starts[random.Next(starts.Length)] + random.Next(12)] = (byte)random.Next(256);
            }
            var blob = new MemoryBlob(bytes);
            if (_handler.TryMatch(blob, 0) is not { } match)
                continue;
            try
            {
                _handler.Unpack(match.Length is { } n ? blob.Slice(0, n) : blob, match,
                    new CollectingUnpackContext(new ScanLimits { MaxFileBytes = 64 << 20 }));
            }
            catch (FormatException)
            {
            }
            catch (LimitExceededException)
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

    /// <summary>A sparse image with <see cref="BlockSize"/>-byte blocks; total_blks is the sum of the chunks'.</summary>
    private static byte[] Build(params (byte[] Bytes, uint Blocks)[] chunks)
    {
        var header = new byte[28];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xed26ff3a);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), 28);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(10), 12);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), BlockSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)chunks.Sum(c => (long)c.Blocks));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), (uint)chunks.Length);
        return [.. header, .. chunks.SelectMany(c => c.Bytes)];
    }

    private static (byte[], uint) Chunk(ushort type, uint blocks, byte[] data)
    {
        var h = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(h, type);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), blocks);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), (uint)(12 + data.Length));
        return ([.. h, .. data], blocks);
    }

    private static byte[] Le(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
