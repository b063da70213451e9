using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.SquashFs;

/// <summary>
/// The fixtures (Fixtures/squashfs, made by make.sh with mksquashfs) are compared with what
/// <c>unsquashfs -lln</c> printed for each image when it was made: kind, mode, uid/gid, size or
/// device numbers, mtime, path and symlink target. File contents are compared with the sha256 of the
/// tree the images were made from.
/// </summary>
public sealed partial class SquashFsHandlerTests
{
    private const int BytesUsedOffset = 40;
    private const int BytesUsedOffset3 = 63;
    private const int BytesUsedOffset2 = 8;
    private const int RootInodeOffset = 32;
    private const int DirectoryTableOffset = 72;
    private static readonly SquashFsHandler Handler = new();

    public static TheoryData<string> Images => new() { "gzip-4k", "xz", "lzma", "lzo", "lz4", "zstd", "stored", "nofrag" };

    /// <summary>
    /// SquashFS 1.0, 2.1, 3.1 and big-endian 4.0 images written by mksquashfs-py.py (the zlib 1.0,
    /// 2.1 and 3.1 and the little-endian 4.0 ones checked by unsquashfs 4.5.1).
    /// </summary>
    public static TheoryData<string> WrittenImages => new() { "v1-le", "v1-be", "v2-le", "v2-be", "v3-le", "v3-be", "v3-le-lzma", "v3-be-lzma", "v4-le", "v4-be" };

    [Theory]
    [MemberData(nameof(Images))]
    [MemberData(nameof(WrittenImages))]
    public void Unpack_FixtureImage_MatchesUnsquashfsListing(string name)
    {
        var context = Unpack(Fixture.Bytes($"squashfs/{name}.sqfs"));

        Assert.Empty(context.Errors);
        var expected = File.ReadAllLines(Fixture.Path($"squashfs/expected-{name}.txt"))
            .Select(ListingRow).Where(r => r is not null).Select(r => r!).Order(StringComparer.Ordinal).ToList();
        var actual = context.Entries.Select(Describe).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Images))]
    [MemberData(nameof(WrittenImages))]
    public void Unpack_FixtureImage_ContentMatchesSourceTree(string name)
    {
        var context = Unpack(Fixture.Bytes($"squashfs/{name}.sqfs"));

        var sums = name.StartsWith('v') ? "expected-written-sha256.txt" : "expected-sha256.txt";
        foreach (var line in File.ReadAllLines(Fixture.Path("squashfs/" + sums)))
        {
            var (hash, path) = (line[..64], line[66..]);
            var entry = context.Find(path);
            Assert.NotNull(entry);
            Assert.Equal(hash, Convert.ToHexStringLower(SHA256.HashData(entry.Content!)));
        }
    }

    [Fact]
    public void Unpack_HardLinkAndSpecialFiles_AreReportedWithTheirDetails()
    {
        var context = Unpack(Fixture.Bytes("squashfs/xz.sqfs"));

        Assert.Equal(context.Find("etc/passwd")!.Content, context.Find("etc/passwd.link")!.Content);
        Assert.Equal(NodeKind.File, context.Find("etc/passwd.link")!.Kind);
        var console = context.Find("dev/console")!;
        Assert.Equal((NodeKind.Device, false, 5L, 1L), (console.Kind, console.IsBlockDevice, console.Meta.Major!.Value, console.Meta.Minor!.Value));
        var disk = context.Find("dev/sda")!;
        Assert.Equal((NodeKind.Device, true, 8L, 0L, 6L), (disk.Kind, disk.IsBlockDevice, disk.Meta.Major!.Value, disk.Meta.Minor!.Value, disk.Meta.Gid!.Value));
        Assert.Equal(Convert.ToInt32("4755", 8), context.Find("bin/busybox")!.Meta.Mode);
        Assert.Equal(Convert.ToInt32("1777", 8), context.Find("tmp")!.Meta.Mode);
        Assert.Equal(1700000000L, context.Find("etc/hostname")!.Meta.Mtime);
        Assert.Null(context.Find(""));
    }

    [Theory]
    [InlineData("v3-le", "squashfs 3.1, gzip or vendor lzma, little-endian")]
    [InlineData("v3-be", "squashfs 3.1, gzip or vendor lzma, big-endian")]
    [InlineData("v2-le", "squashfs 2.1, gzip or vendor lzma, little-endian")]
    [InlineData("v2-be", "squashfs 2.1, gzip or vendor lzma, big-endian")]
    [InlineData("v1-le", "squashfs 1.0, gzip or vendor lzma, little-endian")]
    [InlineData("v1-be", "squashfs 1.0, gzip or vendor lzma, big-endian")]
    [InlineData("v4-be", "squashfs 4.0, gzip, big-endian")]
    public void TryMatch_WrittenImage_TellsVersionAndByteOrder(string name, string description)
    {
        var bytes = Fixture.Bytes($"squashfs/{name}.sqfs");

        var match = Handler.TryMatch(new MemoryBlob(bytes), 0);

        Assert.NotNull(match);
        Assert.StartsWith(description, match.Description);
        Assert.Equal(BytesUsed(bytes), match.Length);
    }

    [Theory]
    [InlineData("v3-le-lzma", "shsq")]
    [InlineData("v3-be-lzma", "qshs")]
    [InlineData("v3-be", "tqsh")]
    public void Unpack_VendorSignature_ReadsStandardLayout(string name, string magic)
    {
        var bytes = Fixture.Bytes($"squashfs/{name}.sqfs");
        Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0);

        var match = Handler.TryMatch(new MemoryBlob(bytes), 0);
        var context = Unpack(bytes);

        Assert.Contains($"vendor signature '{magic}'", match!.Description);
        Assert.Empty(context.Errors);
        Assert.Equal(File.ReadAllLines(Fixture.Path($"squashfs/expected-{name}.txt")).Length - 1, context.Entries.Count);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void TryMatch_FixtureImage_ReturnsBytesUsedAsLength(string name)
    {
        var bytes = Fixture.Bytes($"squashfs/{name}.sqfs");
        var bytesUsed = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(BytesUsedOffset));

        var match = Handler.TryMatch(new MemoryBlob(bytes), 0);

        Assert.NotNull(match);
        Assert.Equal(bytesUsed, match.Length);
        Assert.True(bytesUsed < bytes.Length, "mksquashfs pads to 4 KiB, so the chunk is shorter than the file");
        Assert.Contains("squashfs 4.0", match.Description);
    }

    [Fact]
    public void TryMatch_ImageInsideFlashDump_FindsItAtItsOffset()
    {
        var image = Fixture.Bytes("squashfs/gzip-4k.sqfs");
        var dump = new byte[1000 + image.Length + 5000];
        dump.AsSpan().Fill(0xff);
        image.CopyTo(dump, 1000);
        var blob = new MemoryBlob(dump);

        var match = Handler.TryMatch(blob, 1000);

        Assert.NotNull(match);
        Assert.Equal(1000, match.Offset);
        Assert.Equal(BinaryPrimitives.ReadInt64LittleEndian(image.AsSpan(BytesUsedOffset)), match.Length);
        Assert.Null(Handler.TryMatch(blob, 0));
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(match.Offset, match.Length!.Value), match, context);
        Assert.Empty(context.Errors);
        Assert.NotNull(context.Find("bin/busybox"));
    }

    [Fact]
    public void Carver_FlashDumpWithTwoImages_FindsEachAtItsOffsetWithItsLength()
    {
        // bootloader-like noise, a 4.0 image, erased flash (ff), a big-endian 3.1 image, noise
        var first = Fixture.Bytes("squashfs/gzip-4k.sqfs");
        var second = Fixture.Bytes("squashfs/v3-be.sqfs");
        var dump = new byte[0x10000 + first.Length + 0x3000 + second.Length + 0x800];
        new Random(11).NextBytes(dump);
        first.CopyTo(dump, 0x10000);
        var gap = 0x10000 + first.Length;
        dump.AsSpan(gap, 0x3000).Fill(0xff);
        second.CopyTo(dump, gap + 0x3000);

        var chunks = new Assay.Core.Pipeline.Carver(new HandlerRegistry([Handler])).Find(new MemoryBlob(dump), 0, default, out _);

        Assert.Equal([(0x10000L, (long?)BytesUsed(first)), (gap + 0x3000L, BytesUsed(second))], chunks.Select(c => (c.Offset, c.Match.Length)).ToArray());
    }

    [Fact]
    public void TryMatch_MagicWithGarbage_ReturnsNull()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        "hsqs"u8.CopyTo(bytes);

        Assert.Null(Handler.TryMatch(new MemoryBlob(bytes), 0));
        Assert.Null(Handler.TryMatch(new MemoryBlob("hsqs"u8.ToArray()), 0));
    }

    [Fact]
    public void TryMatch_BadBlockLog_ReturnsNull()
    {
        var bytes = Fixture.Bytes("squashfs/gzip-4k.sqfs");
        bytes[22] = 13; // block_log no longer matches block_size 4096

        Assert.Null(Handler.TryMatch(new MemoryBlob(bytes), 0));
    }

    [Theory]
    [MemberData(nameof(Images))]
    [MemberData(nameof(WrittenImages))]
    public void Unpack_TruncatedImage_ThrowsFormatExceptionOrReportsErrors(string name)
    {
        var bytes = Fixture.Bytes($"squashfs/{name}.sqfs");
        var bytesUsed = BytesUsed(bytes);
        foreach (var cut in new[] { 200, 4096, bytesUsed / 3, bytesUsed / 2, bytesUsed - 200, bytesUsed - 1 })
        {
            var truncated = bytes.AsSpan(0, cut).ToArray();
            var match = Handler.TryMatch(new MemoryBlob(truncated), 0);
            Assert.NotNull(match);
            Assert.Null(match.Length);
            Assert.Contains("truncated", match.Description);
            var context = new CollectingUnpackContext();
            var e = Record.Exception(() => Handler.Unpack(new MemoryBlob(truncated), match, context));
            Assert.True(e is FormatException || context.Errors.Count > 0, $"cut at {cut}: {e?.GetType().Name ?? "no error reported"}");
            Assert.True(e is null or FormatException, $"cut at {cut}: {e}");
        }
    }

    [Theory]
    [InlineData("gzip-4k", 1)]
    [InlineData("xz", 2)]
    [InlineData("lzo", 3)]
    [InlineData("stored", 4)]
    [InlineData("zstd", 5)]
    [InlineData("v3-be", 6)]
    [InlineData("v3-le-lzma", 7)]
    [InlineData("v4-be", 8)]
    [InlineData("v2-le", 9)]
    [InlineData("v2-be", 10)]
    [InlineData("v1-le", 11)]
    [InlineData("v1-be", 12)]
    public void Unpack_CorruptedBytes_OnlyFormatErrors(string name, int seed)
    {
        var original = Fixture.Bytes($"squashfs/{name}.sqfs");
        var bytesUsed = BytesUsed(original);
        var random = new Random(seed);
        for (var round = 0; round < 120; round++)
        {
            var bytes = (byte[])original.Clone();
            var flips = 1 + random.Next(4);
            for (var i = 0; i < flips; i++)
            {
                // half of the flips hit the tables at the end of the image, where the structure lives
                var at = random.Next(2) == 0 ? random.Next(96, bytesUsed) : bytesUsed - 1 - random.Next(Math.Min(bytesUsed - 96, 6000));
                bytes[at] ^= (byte)(1 << random.Next(8));
            }
            var match = Handler.TryMatch(new MemoryBlob(bytes), 0);
            if (match is null)
                continue;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var context = new CollectingUnpackContext(cancellationToken: timeout.Token);
            var e = Record.Exception(() => Handler.Unpack(new MemoryBlob(bytes), match, context));
            Assert.True(e is null or FormatException, $"round {round}: {e}");
        }
    }

    [Fact]
    public void Unpack_DirectoryEntryPointingAtRoot_ReportsLoopAndEnds()
    {
        // stored.sqfs has uncompressed metadata: the root's first entry "bin" sits right after its
        // directory header (count, start_block, inode_number: 12 bytes) and its entry (offset,
        // inode delta, type, size: 8 bytes). Point it at the root inode.
        var bytes = Fixture.Bytes("squashfs/stored.sqfs");
        var rootInode = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(RootInodeOffset));
        var directoryTable = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(DirectoryTableOffset));
        var binName = FindEntryName(bytes, directoryTable, "bin");
        Assert.True(binName > directoryTable);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(binName - 20 + 4), (uint)(rootInode >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(binName - 8), (ushort)(rootInode & 0xffff));

        var context = Unpack(bytes);

        Assert.Contains(context.Errors, e => e.Message.Contains("loop"));
        Assert.Null(context.Find("bin/busybox"));
    }

    private static int FindEntryName(byte[] bytes, int from, string name)
    {
        var pattern = Encoding.ASCII.GetBytes(name);
        for (var at = bytes.AsSpan(from).IndexOf(pattern); at >= 0; at = bytes.AsSpan(from).IndexOf(pattern))
        {
            var p = from + at;
            if (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(p - 2)) == pattern.Length - 1)
                return p;
            from = p + 1;
        }
        return -1;
    }

    /// <summary>bytes_used: at 40 in a 4.0 superblock, at 63 in a 3.x one (in the magic's byte order).</summary>
    private static int BytesUsed(byte[] bytes)
    {
        var bigEndian = bytes[0] is (byte)'s' or (byte)'q' or (byte)'t';
        var major = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(28)) : BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(28));
        if (major is 1 or 2)
            return (int)(bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(BytesUsedOffset2)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(BytesUsedOffset2)));
        var at = major == 4 ? BytesUsedOffset : BytesUsedOffset3;
        return (int)(bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
    }

    private static CollectingUnpackContext Unpack(byte[] bytes)
    {
        var blob = new MemoryBlob(bytes);
        var match = Handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(0, match.Length ?? bytes.Length), match, context);
        return context;
    }

    /// <summary>One entry as a listing row: kind, octal mode, uid/gid, size or major,minor, mtime, path, target.</summary>
    private static string Describe(CollectedEntry e)
    {
        var m = e.Meta;
        var kind = e.Kind switch
        {
            NodeKind.Dir => "d",
            NodeKind.File => "-",
            NodeKind.Symlink => "l",
            NodeKind.Device => e.IsBlockDevice ? "b" : "c",
            NodeKind.Fifo => "p",
            NodeKind.Socket => "s",
            _ => "?",
        };
        var size = e.Kind switch
        {
            NodeKind.File => e.Content!.Length.ToString(CultureInfo.InvariantCulture),
            NodeKind.Symlink => Encoding.UTF8.GetByteCount(e.Target!).ToString(CultureInfo.InvariantCulture),
            NodeKind.Device => $"{m.Major},{m.Minor}",
            NodeKind.Fifo or NodeKind.Socket => "0",
            _ => "dir",
        };
        var time = DateTimeOffset.FromUnixTimeSeconds(m.Mtime!.Value).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var target = e.Target is null ? "" : " -> " + e.Target;
        return $"{kind} {Convert.ToString(m.Mode!.Value, 8).PadLeft(4, '0')} {m.Uid}/{m.Gid} {size} {time} {m.Path}{target}";
    }

    /// <summary>The same row from a line of <c>unsquashfs -lln -d ""</c>, or null for the root line.</summary>
    private static string? ListingRow(string line)
    {
        var r = ListingLine().Match(line);
        Assert.True(r.Success, line);
        var path = r.Groups["path"].Value;
        if (path.Length == 0)
            return null;
        var kind = r.Groups["kind"].Value;
        var size = r.Groups["size"].Value.Replace(" ", "", StringComparison.Ordinal);
        return $"{kind} {ModeOf(r.Groups["perm"].Value)} {r.Groups["uid"].Value}/{r.Groups["gid"].Value} {(kind == "d" ? "dir" : size)} {r.Groups["date"].Value} {path[1..]}";
    }

    private static string ModeOf(string perm)
    {
        var mode = 0;
        for (var i = 0; i < 9; i++)
        {
            if (perm[i] is not '-' and not 'S' and not 'T')
                mode |= 1 << (8 - i);
        }
        if (perm[2] is 's' or 'S')
            mode |= 0x800;
        if (perm[5] is 's' or 'S')
            mode |= 0x400;
        if (perm[8] is 't' or 'T')
            mode |= 0x200;
        return Convert.ToString(mode, 8).PadLeft(4, '0');
    }

    [GeneratedRegex(@"^(?<kind>.)(?<perm>.{9}) (?<uid>\d+)/(?<gid>\d+) +(?<size>\d+|\d+, *\d+) (?<date>\d{4}-\d\d-\d\d \d\d:\d\d) (?<path>.*)$")]
    private static partial Regex ListingLine();
}
