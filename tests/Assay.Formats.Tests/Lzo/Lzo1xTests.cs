using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Assay.Formats.Tests.Lzo;

public sealed class Lzo1xTests
{
    public static TheoryData<string, int> Streams()
    {
        var data = new TheoryData<string, int>();
        foreach (var (name, _, _) in Expected())
        {
            data.Add(name, 1);
            data.Add(name, 9);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Decompress_LzopBlocks_MatchTheInput(string name, int level)
    {
        var (_, size, sha256) = Expected().Single(e => e.Name == name);
        var output = new MemoryStream();
        foreach (var block in LzopBlocks(Fixture.Bytes($"lzo/{name}.{level}.lzo")))
        {
            if (block.Packed.Length == block.Length)
            {
                output.Write(block.Packed);
                continue;
            }

            var buffer = new byte[block.Length];
            var n = Lzo1x.Decompress(block.Packed, buffer);
            Assert.Equal(block.Length, n);
            output.Write(buffer);
        }

        Assert.Equal(size, output.Length);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(output.ToArray())));
    }

    [Fact]
    public void Decompress_EndMarkerOnly_WritesNothing()
    {
        Assert.Equal(0, Lzo1x.Decompress([0x11, 0x00, 0x00], new byte[4]));
    }

    [Fact]
    public void Decompress_OverlappingMatch_RepeatsTheRun()
    {
        // literal "a" (first byte 17+1), then 001LLLLL with L=8 (10 bytes) at distance 1, then end marker
        byte[] stream = [18, (byte)'a', 0x20 | 8, 0x00, 0x00, 0x11, 0x00, 0x00];
        var output = new byte[11];
        Assert.Equal(11, Lzo1x.Decompress(stream, output));
        Assert.Equal(new string('a', 11), System.Text.Encoding.ASCII.GetString(output));
    }

    [Fact]
    public void Decompress_DestinationTooSmall_ThrowsInvalidData()
    {
        var block = LzopBlocks(Fixture.Bytes("lzo/text.txt.1.lzo")).First();
        var e = Assert.Throws<InvalidDataException>(() => Lzo1x.Decompress(block.Packed, new byte[block.Length - 1]));
        Assert.Contains("output", e.Message);
    }

    [Fact]
    public void Decompress_DistanceBeforeOutputStart_ThrowsInvalidData()
    {
        // literal "ab", then a 3-byte match 9 bytes back (01LDDDSS with D=0, H=1: distance 9)
        byte[] stream = [19, (byte)'a', (byte)'b', 0x40, 0x01, 0x11, 0x00, 0x00];
        var e = Assert.Throws<InvalidDataException>(() => Lzo1x.Decompress(stream, new byte[64]));
        Assert.Contains("refers 9 bytes back", e.Message);
    }

    [Fact]
    public void Decompress_EmptyInput_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => Lzo1x.Decompress([], new byte[4]));
    }

    [Fact]
    public void Decompress_TrailingBytes_ThrowsInvalidData()
    {
        Assert.Throws<InvalidDataException>(() => Lzo1x.Decompress([0x11, 0x00, 0x00, 0x00], new byte[4]));
    }

    [Fact]
    public void Decompress_EveryTruncation_ThrowsInvalidDataOnly()
    {
        foreach (var block in LzopBlocks(Fixture.Bytes("lzo/mixed.bin.9.lzo")).Where(b => b.Packed.Length < b.Length))
        {
            var output = new byte[block.Length];
            for (var cut = 0; cut < block.Packed.Length; cut += 7)
                Assert.Throws<InvalidDataException>(() => Lzo1x.Decompress(block.Packed.AsSpan(0, cut), output));
        }
    }

    [Fact]
    public void Decompress_RandomCorruption_ThrowsInvalidDataOrSucceedsWithinBounds()
    {
        var random = new Random(7);
        foreach (var file in new[] { "lzo/text.txt.1.lzo", "lzo/mixed.bin.9.lzo", "lzo/runs.bin.1.lzo" })
        {
            foreach (var block in LzopBlocks(Fixture.Bytes(file)).Where(b => b.Packed.Length < b.Length))
            {
                for (var round = 0; round < 300; round++)
                {
                    var packed = block.Packed.ToArray();
                    for (var k = 0; k < 1 + round % 4; k++)
                        packed[random.Next(packed.Length)] = (byte)random.Next(256);
                    var output = new byte[block.Length];
                    try
                    {
                        var n = Lzo1x.Decompress(packed, output);
                        Assert.InRange(n, 0, output.Length);
                    }
                    catch (InvalidDataException)
                    {
                    }
                }
            }
        }
    }

    internal static IEnumerable<(string Name, long Size, string Sha256)> Expected() =>
        File.ReadAllLines(Fixture.Path("lzo/expected.txt"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split(' '))
            .Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), p[2]));

    /// <summary>The raw blocks of an lzop file, parsed independently of the handler (lzop 1.04 header layout).</summary>
    internal static List<(byte[] Packed, int Length)> LzopBlocks(byte[] file)
    {
        var p = 9;
        var version = BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(p));
        p += 4; // version, library version
        if (version >= 0x0940)
            p += 2; // version needed
        p += 1; // method
        if (version >= 0x0940)
            p += 1; // level
        var flags = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(p));
        p += 4;
        if ((flags & 0x800) != 0)
            p += 4; // filter
        p += 8; // mode, mtime low
        if (version >= 0x0940)
            p += 4; // mtime high
        p += 1 + file[p]; // name
        p += 4; // header checksum
        Assert.Equal(0u, flags & 0x40); // no extra field in these fixtures
        var blocks = new List<(byte[], int)>();
        while (true)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(p));
            p += 4;
            if (length == 0)
                return blocks;
            var packed = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(p));
            p += 4;
            if ((flags & 0x101) != 0)
                p += 4; // checksum of the decompressed data
            if ((flags & 0x202) != 0 && packed < length)
                p += 4; // checksum of the compressed data
            blocks.Add((file.AsSpan(p, packed).ToArray(), length));
            p += packed;
        }
    }
}
