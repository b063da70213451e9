using System.Globalization;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Formats.Jffs2;
using Assay.Formats.Tests.Ubifs;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Tests.Jffs2;

public sealed class Jffs2HandlerTests
{
    private readonly Jffs2Handler _handler = new();

    [Theory]
    [InlineData("le", "little")]
    [InlineData("be", "big")]
    [InlineData("lzo", "little")]
    [InlineData("none", "little")]
    [InlineData("rtime", "little")]
    [InlineData("padded", "little")]
    public void Unpack_MkfsImage_ListsTheTree(string name, string endian)
    {
        var bytes = Fixture.Bytes($"jffs2/{name}.jffs2");
        using var blob = new MemoryBlob(bytes);
        var match = _handler.TryMatch(blob, 0);
        Assert.NotNull(match);
        Assert.Equal(bytes.Length, match.Length);
        Assert.Contains($"{endian}-endian", match.Description);
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob, match, context);
        Assert.Empty(context.Errors);
        AssertTree(context, Rows("jffs2/expected.txt"));
    }

    [Fact]
    public void Unpack_EditedImage_NewestVersionsWinAndUnlinkedNamesAreGone()
    {
        using var blob = new MemoryBlob(Fixture.Bytes("jffs2/edit.jffs2"));
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, context);
        AssertTree(context, Rows("jffs2/edit.txt"));
        var error = Assert.Single(context.Errors);
        Assert.Contains("data_crc mismatch", error.Message);
        Assert.Equal("kept", error.Path);
    }

    [Fact]
    public void TryMatch_AtOffsetInsideADump_ReturnsTheImageExtent()
    {
        var image = Fixture.Bytes("jffs2/be.jffs2");
        var dump = new byte[4096 + image.Length + 300000];
        new Random(2).NextBytes(dump);
        image.CopyTo(dump, 4096);
        using var blob = new MemoryBlob(dump);
        var match = _handler.TryMatch(blob, 4096);
        Assert.NotNull(match);
        Assert.Equal(image.Length, match.Length);
    }

    [Fact]
    public void TryMatch_OtherData_ReturnsNull()
    {
        using var blob = new MemoryBlob(Fixture.Bytes("ubifs/lzo.ubifs"));
        Assert.Null(_handler.TryMatch(blob, 0));
        var bytes = Fixture.Bytes("jffs2/le.jffs2");
        bytes[9] ^= 1; // hdr_crc of the first node
        using var damaged = new MemoryBlob(bytes);
        Assert.Null(_handler.TryMatch(damaged, 0));
    }

    [Fact]
    public void Unpack_TruncatedOrCorrupt_ThrowsOnlyFormatException()
    {
        var original = Fixture.Bytes("jffs2/lzo.jffs2");
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            var bytes = original.AsSpan(0, original.Length - random.Next(original.Length - 64)).ToArray();
            for (var k = 0; k < round % 10; k++)
                bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            using var blob = new MemoryBlob(bytes);
            // a rejected image is still unpacked, as the byte order its first node has (little-endian without one)
            var endian = Jffs2NodeHeader.DetectEndian(bytes.AsSpan(0, Jffs2NodeHeader.Size)) ?? new Jffs2Endian(BigEndian: false);
            var match = _handler.TryMatch(blob, 0) ?? new FormatMatch<Jffs2Endian>(0, null, "forced", endian);
            try
            {
                _handler.Unpack(blob, match, new CollectingUnpackContext());
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void Unpack_DirectoryLoop_IsReportedNotFollowed()
    {
        // edit.jffs2 with one more dirent: "dir/loop" -> the directory inode 6 itself
        var bytes = Fixture.Bytes("jffs2/edit.jffs2").Concat(Dirent(parent: 6, version: 99, inum: 6, "loop")).ToArray();
        using var blob = new MemoryBlob(bytes);
        var context = new CollectingUnpackContext();
        _handler.Unpack(blob, _handler.TryMatch(blob, 0)!, context);
        Assert.Contains(context.Errors, e => e.Message.Contains("directory loop"));
        Assert.Null(context.Find("dir/loop"));
    }

    private static byte[] Dirent(uint parent, uint version, uint inum, string name)
    {
        var n = System.Text.Encoding.ASCII.GetBytes(name);
        var node = new byte[(40 + n.Length + 3) & ~3];
        node.AsSpan().Fill(0xff);
        void U32(int at, uint v) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(node.AsSpan(at), v);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(node, 0x1985);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(node.AsSpan(2), 0xe001);
        U32(4, (uint)(40 + n.Length));
        U32(8, KernelCrc32.SeedZero(node.AsSpan(0, 8)));
        U32(12, parent);
        U32(16, version);
        U32(20, inum);
        U32(24, 0);
        node[28] = (byte)n.Length;
        node[29] = 4;
        node[30] = 0;
        node[31] = 0;
        U32(32, KernelCrc32.SeedZero(node.AsSpan(0, 32)));
        U32(36, KernelCrc32.SeedZero(n));
        n.CopyTo(node, 40);
        return node;
    }

    private static List<FlashTree.Row> Rows(string fixture) =>
        [.. File.ReadAllLines(Fixture.Path(fixture))
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(p => new FlashTree.Row(p[0], p[1], Convert.ToInt32(p[2], 8), long.Parse(p[3], CultureInfo.InvariantCulture), long.Parse(p[4], CultureInfo.InvariantCulture), long.Parse(p[5], CultureInfo.InvariantCulture), p[6]))];

    private static void AssertTree(CollectingUnpackContext context, List<FlashTree.Row> expected)
    {
        Assert.Equal(expected.Select(r => r.Path).Order(StringComparer.Ordinal), context.Entries.Select(e => e.Meta.Path).Order(StringComparer.Ordinal));
        foreach (var row in expected)
        {
            var entry = context.Find(row.Path)!;
            Assert.True(row.Mode == entry.Meta.Mode, $"{row.Path}: mode {entry.Meta.Mode}");
            Assert.True(row.Uid == entry.Meta.Uid && row.Gid == entry.Meta.Gid, $"{row.Path}: owner");
            switch (row.Kind)
            {
                case "file":
                    Assert.Equal(NodeKind.File, entry.Kind);
                    Assert.True(row.Size == entry.Content!.Length, $"{row.Path}: {entry.Content.Length} bytes, expected {row.Size}");
                    Assert.True(row.Extra == Convert.ToHexStringLower(SHA256.HashData(entry.Content)), $"{row.Path}: content differs");
                    break;
                case "symlink":
                    Assert.Equal(row.Extra, entry.Target);
                    break;
                case "chardev":
                case "blockdev":
                    Assert.Equal(NodeKind.Device, entry.Kind);
                    Assert.Equal(row.Kind == "blockdev", entry.IsBlockDevice);
                    Assert.Equal(row.Extra, $"{entry.Meta.Major},{entry.Meta.Minor}");
                    break;
                case "dir":
                    Assert.Equal(NodeKind.Dir, entry.Kind);
                    break;
                case "fifo":
                    Assert.Equal(NodeKind.Fifo, entry.Kind);
                    break;
                default:
                    Assert.Fail(row.Kind);
                    break;
            }
        }
    }
}

public sealed class Jffs2GarbageDataTests
{
    [Theory]
    [InlineData("le")]
    [InlineData("lzo")]
    [InlineData("rtime")]
    [InlineData("edit")]
    public void Unpack_GarbageDataWithValidCrc_ReportsErrorsOnly(string image)
    {
        var original = Fixture.Bytes($"jffs2/{image}.jffs2");
        var random = new Random(23);
        for (var round = 0; round < 40; round++)
        {
            var bytes = original.ToArray();
            // every inode node's data gets damaged, data_crc recomputed (little endian images)
            for (var at = 0; at + 68 <= bytes.Length; at += 4)
            {
                if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at)) != 0x1985
                    || System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 2)) != 0xe002)
                {
                    continue;
                }

                var csize = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 48));
                if (csize == 0 || at + 68 + csize > bytes.Length)
                    continue;
                var data = bytes.AsSpan(at + 68, csize);
                for (var k = 0; k < 1 + (round % 5); k++)
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                if (round % 7 == 0)
                    random.NextBytes(data);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 60), KernelCrc32.SeedZero(data));
            }

            var handler = new Jffs2Handler();
            using var blob = new MemoryBlob(bytes);
            handler.Unpack(blob, handler.TryMatch(blob, 0)!, new CollectingUnpackContext());
        }
    }
}
