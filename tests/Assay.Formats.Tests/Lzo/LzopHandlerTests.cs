using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Lzo;

public sealed class LzopHandlerTests
{
    private readonly LzopHandler _handler = new();

    public static TheoryData<string, int> Files() => Lzo1xTests.Streams();

    [Theory]
    [MemberData(nameof(Files))]
    public void Unpack_LzopFile_YieldsTheOriginal(string name, int level)
    {
        var (_, size, sha256) = Lzo1xTests.Expected().Single(e => e.Name == name);
        var bytes = Fixture.Bytes($"lzo/{name}.{level}.lzo");
        using var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.Equal(bytes.Length, match.Length);
        var context = new CollectingUnpackContext { ContainerPath = $"{name}.lzo" };
        _handler.Unpack(blob, match, context);
        var entry = Assert.Single(context.Entries);
        Assert.Equal(name, entry.Meta.Path);
        Assert.Equal(size, entry.Content!.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(entry.Content)));
    }

    [Fact]
    public void TryMatch_AtOffset_ReturnsTheExactLength()
    {
        var file = Fixture.Bytes("lzo/runs.bin.9.lzo");
        var padded = new byte[100].Concat(file).Concat(new byte[50]).ToArray();
        using var blob = new MemoryBlob(padded);
        Assert.Equal(file.Length, _handler.TryMatch(blob, 100)!.Length);
    }

    [Fact]
    public void TryMatch_HeaderChecksumDamaged_ReturnsNull()
    {
        var bytes = Fixture.Bytes("lzo/text.txt.1.lzo");
        bytes[12] ^= 1;
        using var blob = new MemoryBlob(bytes);
        Assert.Null(_handler.TryMatch(blob, 0));
    }

    [Fact]
    public void Unpack_DamagedData_ThrowsFormatException()
    {
        var bytes = Fixture.Bytes("lzo/text.txt.9.lzo");
        using var good = new MemoryBlob(bytes);
        var match = _handler.TryMatch(good, 0)!;
        var random = new Random(9);
        for (var round = 0; round < 100; round++)
        {
            var damaged = bytes.ToArray();
            damaged[60 + random.Next(damaged.Length - 60)] ^= (byte)(1 + random.Next(255));
            using var blob = new MemoryBlob(damaged);
            Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
        }
    }

    [Fact]
    public void Unpack_Truncated_ThrowsFormatException()
    {
        var bytes = Fixture.Bytes("lzo/mixed.bin.1.lzo");
        using var good = new MemoryBlob(bytes);
        var match = _handler.TryMatch(good, 0)!;
        using var blob = new MemoryBlob(bytes.AsMemory(0, bytes.Length / 2));
        Assert.Throws<FormatException>(() => _handler.Unpack(blob, match, new CollectingUnpackContext()));
    }
}
