using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Formats.Ext;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Ext;

public sealed class Ext4HandlerTests
{
    private static readonly Ext4Handler Handler = new();

    public static TheoryData<string, string, int> Images => new()
    {
        // image, filesystem kind the match must report, block size
        { "ext2-1k", "ext2", 1024 },
        { "ext3-1k", "ext3", 1024 },
        { "ext4-4k", "ext4", 4096 },
        { "ext4-1k-inline", "ext4", 1024 },
        { "ext4-4k-metabg", "ext4", 4096 },
        { "ext4-1k-32bit", "ext4", 1024 },
        { "ext4-1k-bigalloc", "ext4", 1024 },
    };

    internal static byte[] Image(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Fixture.Path($"ext4/{name}.img.gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static CollectingUnpackContext Unpack(byte[] image)
    {
        using var blob = new MemoryBlob(image);
        var match = Handler.TryMatch(blob, 0) ?? throw new InvalidOperationException("fixture not matched");
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
        return context;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void TryMatch_Fixture_ReportsKindAndExactLength(string name, string kind, int blockSize)
    {
        var image = Image(name);
        using var blob = new MemoryBlob(image);
        var match = Handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.StartsWith($"{kind} filesystem, {blockSize}-byte blocks", match.Description, StringComparison.Ordinal);
        Assert.Equal(image.Length, match.Length);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Unpack_Fixture_MatchesTheTreeMkfsWasGiven(string name, string kind, int blockSize)
    {
        _ = (kind, blockSize);
        var context = Unpack(Image(name));
        Assert.Empty(context.Errors);
        var expected = File.ReadAllLines(Fixture.Path("ext4/tree.txt")).Select(l => l.Split('\t')).ToList();
        // mke2fs adds lost+found (0700) beside the tree; the root itself is not an entry
        Assert.Equal(expected.Count + 1, context.Entries.Count);
        var lostFound = context.Find("lost+found");
        Assert.NotNull(lostFound);
        Assert.Equal(NodeKind.Dir, lostFound.Kind);
        Assert.Equal(Convert.ToInt32("700", 8), lostFound.Meta.Mode);
        foreach (var f in expected)
        {
            var (type, mode, uid, gid, size, value, path) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
            var entry = context.Find(path);
            Assert.True(entry is not null, $"{path} missing");
            Assert.Equal(Convert.ToInt32(mode, 8), entry.Meta.Mode);
            Assert.Equal(long.Parse(uid, CultureInfo.InvariantCulture), entry.Meta.Uid);
            Assert.Equal(long.Parse(gid, CultureInfo.InvariantCulture), entry.Meta.Gid);
            Assert.Equal(1699963200, entry.Meta.Mtime); // touch -t 202311141200 (UTC)
            switch (type)
            {
                case "file":
                    Assert.Equal(NodeKind.File, entry.Kind);
                    Assert.Equal(long.Parse(size, CultureInfo.InvariantCulture), entry.Content!.Length);
                    Assert.Equal(value, Convert.ToHexStringLower(SHA256.HashData(entry.Content)));
                    break;
                case "dir":
                    Assert.Equal(NodeKind.Dir, entry.Kind);
                    break;
                case "symlink":
                    Assert.Equal(NodeKind.Symlink, entry.Kind);
                    Assert.Equal(value, entry.Target);
                    break;
                case "chardev" or "blockdev":
                    Assert.Equal(NodeKind.Device, entry.Kind);
                    Assert.Equal(type == "blockdev", entry.IsBlockDevice);
                    Assert.Equal(value, $"{entry.Meta.Major},{entry.Meta.Minor}");
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, entry.Kind);
                    break;
                case "socket":
                    Assert.Equal(NodeKind.Socket, entry.Kind);
                    break;
                default:
                    Assert.Fail($"unknown kind {type} in tree.txt");
                    break;
            }
        }
    }

    [Fact]
    public void TryMatch_ImageInsideFlashDump_FindsItAtItsOffsetWithItsLength()
    {
        var image = Image("ext4-1k-32bit");
        const int offset = 0x10000 + 0x200;
        var dump = new byte[offset + image.Length + 4096];
        dump.AsSpan(0, offset).Fill(0xff);
        image.CopyTo(dump, offset);
        dump.AsSpan(offset + image.Length).Fill(0xa5);
        using var blob = new MemoryBlob(dump);
        Assert.Equal(ExtSuperblock.MagicOffsetInFilesystem, Handler.Magics[0].Offset);
        Assert.Null(Handler.TryMatch(blob, 0));
        var match = Handler.TryMatch(blob, offset);
        Assert.NotNull(match);
        Assert.Equal(image.Length, match.Length);
        var context = new CollectingUnpackContext();
        Handler.Unpack(blob.Slice(offset, match.Length!.Value), match, context);
        Assert.Empty(context.Errors);
        Assert.Equal("hello world\n", System.Text.Encoding.UTF8.GetString(context.Find("bin/hardlink")!.Content!));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xff)]
    public void TryMatch_NotExt_ReturnsNull(byte fill)
    {
        var data = new byte[8192];
        data.AsSpan().Fill(fill);
        using var blob = new MemoryBlob(data);
        Assert.Null(Handler.TryMatch(blob, 0));
        // the magic alone is not enough: the superblock's counts must agree
        data[ExtSuperblock.MagicOffsetInFilesystem] = 0x53;
        data[ExtSuperblock.MagicOffsetInFilesystem + 1] = 0xef;
        Assert.Null(Handler.TryMatch(blob, 0));
        Assert.Null(Handler.TryMatch(new MemoryBlob(new byte[100]), 0));
    }

    [Theory]
    [InlineData("ext2-1k")]
    [InlineData("ext4-4k")]
    public void Unpack_TruncatedImage_ReportsErrorsNotCrashes(string name)
    {
        var image = Image(name);
        foreach (var keep in new[] { 1100, 2048, 3000, 8192, 20000, image.Length / 8, image.Length / 3, image.Length / 2 })
        {
            var cut = image.AsSpan(0, keep).ToArray();
            using var blob = new MemoryBlob(cut);
            var match = Handler.TryMatch(blob, 0);
            if (match is null)
                continue;
            Assert.Contains("truncated", match.Description, StringComparison.Ordinal);
            Assert.Equal(keep, match.Length);
            var context = new CollectingUnpackContext();
            try
            {
                Handler.Unpack(blob, match, context);
                // data past the cut may all be holes; metadata cut off must show
                if (keep <= 20000)
                    Assert.NotEmpty(context.Errors);
            }
            catch (FormatException e)
            {
                Assert.Equal("ext", e.FormatId);
            }
        }
    }

    [Fact]
    public void Unpack_DirectoryEntryPointingAtRoot_ReportsLoopAndListsTheRest()
    {
        var image = Image("ext4-4k");
        // the record of "leaf.txt" in deep/a/b/c/d: __le32 inode, __le16 rec_len, u8 name_len 8, u8 file_type 1, name
        var at = IndexOf(image, [8, 1, .. "leaf.txt"u8]) - 6;
        Assert.True(at > 0);
        image[at] = 2;
        image[at + 1] = image[at + 2] = image[at + 3] = 0;
        var context = Unpack(image);
        Assert.Contains(context.Errors, e => e.Path == "deep/a/b/c/d/leaf.txt" && e.Message.Contains("loop", StringComparison.Ordinal));
        Assert.Null(context.Find("deep/a/b/c/d/leaf.txt"));
        Assert.NotNull(context.Find("hello.txt"));
        Assert.NotNull(context.Find("big/file-with-a-longish-name-0400"));
    }

    [Fact]
    public void Unpack_ExtentIndexPointingAtItself_ReportsLoopForThatFileOnly()
    {
        var image = Image("ext4-4k");
        // an extent root that is an index: eh_magic f30a, eh_entries 1, eh_max 4, eh_depth 1,
        // eh_generation, then ext4_extent_idx { ei_block 0, ei_leaf_lo, ei_leaf_hi }; the one of
        // "fragmented" leads to a leaf of its 12 extents
        ReadOnlySpan<byte> pattern = [0x0a, 0xf3, 1, 0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        int root = -1, node = -1;
        uint leaf = 0;
        for (var from = 0; root < 0;)
        {
            var at = image.AsSpan(from).IndexOf(pattern);
            Assert.True(at >= 0, "no extent index root with a 12-extent leaf");
            var candidate = from + at;
            leaf = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(candidate + 16));
            node = (int)leaf * 4096;
            if (BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(node)) == 0xf30a && BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(node + 2)) == 12)
                root = candidate;
            from = candidate + 1;
        }
        image[root + 6] = 2; // root depth 2 → the leaf becomes an index node of depth 1 ...
        image[node + 6] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(node + 12 + 4), leaf); // ... whose first entry is itself
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(node + 12 + 8), 0);
        var context = Unpack(image);
        var error = Assert.Single(context.Errors);
        Assert.Equal("fragmented", error.Path);
        Assert.Contains("loop", error.Message, StringComparison.Ordinal);
        Assert.Null(context.Find("fragmented"));
        Assert.NotNull(context.Find("sparse"));
    }

    [Fact]
    public void Unpack_InodeNumberOutOfRange_ReportsTheEntryAndGoesOn()
    {
        var image = Image("ext2-1k");
        var at = IndexOf(image, [5, 1, .. "empty"u8]) - 6;
        Assert.True(at > 0);
        image[at + 3] = 0x7f; // inode 0x7f...: beyond s_inodes_count
        var context = Unpack(image);
        var error = Assert.Single(context.Errors);
        Assert.Equal("empty", error.Path);
        Assert.Contains("outside 1..1024", error.Message, StringComparison.Ordinal);
        Assert.NotNull(context.Find("sparse"));
    }

    [Theory]
    [InlineData("ext2-1k", 1)]
    [InlineData("ext4-4k", 2)]
    [InlineData("ext4-1k-inline", 3)]
    [InlineData("ext4-4k-metabg", 4)]
    public void Unpack_CorruptedMetadata_FailsOnlyWithFormatErrors(string name, int seed)
    {
        var original = Image(name);
        var random = new Random(seed);
        // metadata lives in the first blocks (superblock, descriptors, bitmaps, inode tables, directories)
        var span = Math.Min(original.Length, 256 * 1024);
        for (var round = 0; round < 60; round++)
        {
            var image = (byte[])original.Clone();
            var flips = random.Next(1, 40);
            for (var i = 0; i < flips; i++)
                image[random.Next(1024, span)] = (byte)random.Next(256);
            using var blob = new MemoryBlob(image);
            var match = Handler.TryMatch(blob, 0);
            if (match is null)
                continue;
            var context = new SkimmingContext();
            try
            {
                Handler.Unpack(blob.Slice(0, match.Length!.Value), match, context);
            }
            catch (FormatException e)
            {
                Assert.Equal("ext", e.FormatId);
            }
        }
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    /// <summary>Reads the start and end of each file (a damaged size can claim terabytes of holes).</summary>
    private sealed class SkimmingContext : IUnpackContext
    {
        public CancellationToken CancellationToken => default;
        public Core.Pipeline.ScanLimits Limits { get; } = new();
        public string ContainerPath => "fuzz";
        public void AddDirectory(EntryMeta meta) { }
        public void AddSymlink(EntryMeta meta, string target) { }
        public void AddHardlink(EntryMeta meta, string target) { }
        public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false) { }
        public void AddError(string message, long? offset = null, string? entryPath = null) { }

        public void AddFile(EntryMeta meta, IBlob content)
        {
            var buffer = new byte[65536];
            content.Read(0, buffer);
            content.Read(Math.Max(0, content.Length - buffer.Length), buffer);
        }

        public void AddFile(EntryMeta meta, Stream content, long? packedSize = null) => content.ReadAtLeast(new byte[65536], 65536, throwOnEndOfStream: false);
    }
}
