using System.Buffers.Binary;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Formats.Tests.Ubifs;
using Assay.Formats.Ubi;
using Assay.Formats.Ubifs;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Ubi;

public sealed class UbiHandlerTests
{
    private const int Peb = 16384;
    private const int VidOffset = 64;
    private const int DataOffset = 128;

    private readonly UbiHandler _handler = new();

    [Fact]
    public void TryMatch_NorImage_DetectsPebSizeAndExtent()
    {
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        using var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.Equal(bytes.Length, match.Length);
        Assert.Contains("16 KiB PEBs", match.Description);
        Assert.Contains($"{bytes.Length / Peb} PEBs", match.Description);
    }

    [Fact]
    public void Unpack_NorImage_RebuildsEveryVolume()
    {
        var context = Unpack(Fixture.Bytes("ubi/nor.ubi"));
        Assert.Empty(context.Errors);
        Assert.Equal(["data", "kernel", "rootfs"], context.Entries.Select(e => e.Meta.Path).Order(StringComparer.Ordinal));

        // static volume: LEBs concatenated with their data_size
        var kernel = File.ReadAllText(Fixture.Path("ubi/expected.txt")).Split(' ');
        var content = context.Find("kernel")!.Content!;
        Assert.Equal(long.Parse(kernel[1], System.Globalization.CultureInfo.InvariantCulture), content.Length);
        Assert.Equal(kernel[2].Trim(), Convert.ToHexStringLower(SHA256.HashData(content)));

        // dynamic volume: exactly the UBIFS image it was made from
        Assert.Equal(Fixture.Bytes("ubifs/lzo.ubifs"), context.Find("rootfs")!.Content!);
        Assert.Empty(context.Find("data")!.Content!);
    }

    [Fact]
    public void Unpack_NandImage_VolumeHoldsUbifsWithTheTree()
    {
        var context = Unpack(Fixture.Bytes("ubi/nand.ubi"));
        Assert.Empty(context.Errors);
        var rootfs = Assert.Single(context.Entries);
        Assert.Equal("rootfs", rootfs.Meta.Path);

        var ubifs = new UbifsHandler();
        using var volume = new MemoryBlob(rootfs.Content!);
        var match = ubifs.TryMatch(volume, 0);
        Assert.NotNull(match);
        var tree = new CollectingUnpackContext();
        ubifs.Unpack(volume, match, tree);
        Assert.Empty(tree.Errors);
        FlashTree.AssertMatches(tree);
    }

    [Fact]
    public void Unpack_DuplicateLebWithHigherSqnum_NewestCopyWins()
    {
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        var (peb, _) = FindLeb(bytes, volumeId: 1, lnum: 0);
        var copy = bytes.AsSpan(peb * Peb, Peb).ToArray();
        SetSqnum(copy, 1_000_000);
        copy[DataOffset + 5000] ^= 0x55;
        var image = bytes.Concat(copy).ToArray();

        var context = Unpack(image);
        Assert.Equal(copy[DataOffset + 5000], context.Find("rootfs")!.Content![5000]);
    }

    [Fact]
    public void Unpack_NewerCopyWithBadDataCrc_OlderCopyWins()
    {
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        var (peb, _) = FindLeb(bytes, volumeId: 1, lnum: 0);
        var copy = bytes.AsSpan(peb * Peb, Peb).ToArray();
        copy[VidOffset + 6] = 1; // copy_flag: data_crc covers data_size bytes
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(VidOffset + 20), 4096);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(VidOffset + 32), 0xdeadbeef);
        SetSqnum(copy, 1_000_000);
        copy[DataOffset + 100] ^= 0x55;
        var image = bytes.Concat(copy).ToArray();

        var context = Unpack(image);
        Assert.Equal(bytes[(peb * Peb) + DataOffset + 100], context.Find("rootfs")!.Content![100]);
    }

    [Fact]
    public void Unpack_VidHeaderCrcDamaged_ReportsThePebAndGoesOn()
    {
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        var (peb, _) = FindLeb(bytes, volumeId: 0, lnum: 1);
        bytes[(peb * Peb) + VidOffset + 13] ^= 0x01;
        var context = Unpack(bytes);
        Assert.Contains(context.Errors, e => e.Message.Contains($"PEB {peb}") && e.Message.Contains("CRC"));
        Assert.Contains(context.Errors, e => e.Message.Contains("LEB 1 of 3 is missing"));
        Assert.NotNull(context.Find("rootfs"));
    }

    [Fact]
    public void Unpack_VolumeTableCopyDamaged_UsesTheOtherCopy()
    {
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        var (peb, _) = FindLeb(bytes, volumeId: 0x7fffefff, lnum: 0);
        bytes[(peb * Peb) + DataOffset + 20] ^= 0x01;
        var context = Unpack(bytes);
        Assert.Contains(context.Errors, e => e.Message.Contains("copy 0 of the volume table"));
        Assert.Equal(3, context.Entries.Count);
    }

    [Fact]
    public void TryMatch_AtOffsetInsideADump_ReturnsTheImageExtent()
    {
        var image = Fixture.Bytes("ubi/nand.ubi");
        var dump = new byte[65536 + image.Length + 65536];
        new Random(1).NextBytes(dump);
        image.CopyTo(dump, 65536);
        using var blob = new MemoryBlob(dump);
        var match = _handler.TryMatch(blob, 65536);
        Assert.NotNull(match);
        Assert.Equal(image.Length, match.Length);
        Assert.Null(_handler.TryMatch(blob, 65536 + 64));
    }

    [Fact]
    public void TryMatch_NotUbi_ReturnsNull()
    {
        using var blob = new MemoryBlob(Fixture.Bytes("ubifs/lzo.ubifs"));
        Assert.Null(_handler.TryMatch(blob, 0));
        var bytes = Fixture.Bytes("ubi/nor.ubi");
        bytes[10] ^= 1; // EC header CRC
        using var damaged = new MemoryBlob(bytes);
        Assert.Null(_handler.TryMatch(damaged, 0));
    }

    [Fact]
    public void Unpack_TruncatedOrCorrupt_ThrowsOnlyFormatException()
    {
        var original = Fixture.Bytes("ubi/nor.ubi");
        var random = new Random(3);
        for (var round = 0; round < 100; round++)
        {
            var bytes = original.AsSpan(0, Math.Max(2 * Peb + 64, original.Length - random.Next(original.Length / 2))).ToArray();
            for (var k = 0; k < round % 6; k++)
                bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            using var blob = new MemoryBlob(bytes);
            var match = _handler.TryMatch(blob, 0);
            if (match is null)
                continue;
            try
            {
                var context = new CollectingUnpackContext();
                _handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
            }
            catch (FormatException)
            {
            }
        }
    }

    private CollectingUnpackContext Unpack(byte[] bytes)
    {
        using var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
        return context;
    }

    private static (int Peb, ulong Sqnum) FindLeb(byte[] image, uint volumeId, uint lnum)
    {
        for (var peb = 0; peb < image.Length / Peb; peb++)
        {
            var vid = image.AsSpan((peb * Peb) + VidOffset, 64);
            if (vid.StartsWith("UBI!"u8) && BinaryPrimitives.ReadUInt32BigEndian(vid[8..]) == volumeId && BinaryPrimitives.ReadUInt32BigEndian(vid[12..]) == lnum)
                return (peb, BinaryPrimitives.ReadUInt64BigEndian(vid[40..]));
        }

        throw new InvalidOperationException("LEB not in the fixture");
    }

    private static void SetSqnum(byte[] peb, ulong sqnum)
    {
        var vid = peb.AsSpan(VidOffset, 64);
        BinaryPrimitives.WriteUInt64BigEndian(vid[40..], sqnum);
        BinaryPrimitives.WriteUInt32BigEndian(vid[60..], KernelCrc32.SeedAllOnes(vid[..60]));
    }
}
