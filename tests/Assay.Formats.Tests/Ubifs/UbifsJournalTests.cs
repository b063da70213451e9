using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Formats.Ubifs;

namespace Assay.Formats.Tests.Ubifs;

/// <summary>
/// mkfs.ubifs images have an empty journal, so these tests write one: in lzo.ubifs (16256-byte LEBs,
/// log LEB 3 holding only the commit start node of commit 0, LEB 14 reserved empty for GC) a
/// reference node after the commit start names LEB 14 as a bud, and the bud holds the nodes.
/// </summary>
public sealed class UbifsJournalTests
{
    private const int LebSize = 16256;
    private const int LogLeb = 3;
    private const int CommitStartLength = 32;
    private const int BudLeb = 14;
    private const uint NewInum = 1000;

    [Fact]
    public void Unpack_JournalAfterTheCommit_IsReplayedOverTheIndex()
    {
        var image = Fixture.Bytes("ubifs/lzo.ubifs");
        Assert.True(image.AsSpan(BudLeb * LebSize, LebSize).IndexOfAnyExcept((byte)0xff) < 0, "the bud LEB of the fixture is not empty");
        Write(image, (LogLeb * LebSize) + CommitStartLength, Reference(1000, BudLeb, 0));
        var bud = (BudLeb * LebSize) + 0;
        bud = Write(image, bud, Inode(1001, NewInum, size: 11, mode: 0x81a4));
        bud = Write(image, bud, Data(1002, NewInum, block: 0, "hello world"u8));
        bud = Write(image, bud, Dent(1003, parent: 1, NewInum, "journal.txt"));
        Write(image, bud, Dent(1004, parent: 1, 0, "empty"));

        var context = Unpack(image);
        Assert.Empty(context.Errors);
        var added = context.Find("journal.txt")!;
        Assert.Equal(NodeKind.File, added.Kind);
        Assert.Equal("hello world"u8.ToArray(), added.Content);
        Assert.Equal(0x1a4, added.Meta.Mode);
        Assert.Null(context.Find("empty"));
        Assert.Equal(FlashTree.Expected().Count, context.Entries.Count);
    }

    [Fact]
    public void Unpack_ReferenceOutsideTheImage_ReportsAndListsTheIndex()
    {
        var image = Fixture.Bytes("ubifs/lzo.ubifs");
        Write(image, (LogLeb * LebSize) + CommitStartLength, Reference(1000, 5000, 0));
        var context = Unpack(image);
        Assert.Contains(context.Errors, e => e.Message.Contains("LEB 5000"));
        FlashTree.AssertMatches(context);
    }

    private static CollectingUnpackContext Unpack(byte[] image)
    {
        var handler = new UbifsHandler();
        using var blob = new MemoryBlob(image);
        var context = new CollectingUnpackContext();
        handler.Unpack(blob, handler.TryMatch(blob, 0)!, context);
        return context;
    }

    private static int Write(byte[] image, int at, byte[] node)
    {
        node.CopyTo(image, at);
        return at + ((node.Length + 7) & ~7);
    }

    /// <summary>struct ubifs_ch: magic, crc (over bytes 8..len), sqnum, len, node_type.</summary>
    private static byte[] Node(byte type, ulong sqnum, int length, Action<Span<byte>> body)
    {
        var node = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(node, 0x06101831);
        BinaryPrimitives.WriteUInt64LittleEndian(node.AsSpan(8), sqnum);
        BinaryPrimitives.WriteUInt32LittleEndian(node.AsSpan(16), (uint)length);
        node[20] = type;
        body(node);
        BinaryPrimitives.WriteUInt32LittleEndian(node.AsSpan(4), KernelCrc32.SeedAllOnes(node.AsSpan(8)));
        return node;
    }

    private static void Key(Span<byte> node, uint inum, uint type, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(node[24..], inum);
        BinaryPrimitives.WriteUInt32LittleEndian(node[28..], (type << 29) | value);
    }

    private static byte[] Reference(ulong sqnum, int lnum, int offs) => Node(8, sqnum, 64, n =>
    {
        BinaryPrimitives.WriteInt32LittleEndian(n[24..], lnum);
        BinaryPrimitives.WriteInt32LittleEndian(n[28..], offs);
        BinaryPrimitives.WriteInt32LittleEndian(n[32..], 2);
    });

    private static byte[] Inode(ulong sqnum, uint inum, ulong size, uint mode) => Node(0, sqnum, 160, n =>
    {
        Key(n, inum, 0, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(n[48..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(n[92..], 1); // nlink
        BinaryPrimitives.WriteUInt32LittleEndian(n[104..], mode);
    });

    private static byte[] Data(ulong sqnum, uint inum, uint block, ReadOnlySpan<byte> content)
    {
        var bytes = content.ToArray();
        return Node(1, sqnum, 48 + bytes.Length, n =>
        {
            Key(n, inum, 1, block);
            BinaryPrimitives.WriteUInt32LittleEndian(n[40..], (uint)bytes.Length);
            bytes.CopyTo(n[48..]);
        });
    }

    private static byte[] Dent(ulong sqnum, uint parent, uint inum, string name)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        return Node(2, sqnum, 56 + bytes.Length + 1, n =>
        {
            Key(n, parent, 2, (uint)name.GetHashCode(StringComparison.Ordinal) & 0x1fffffff);
            BinaryPrimitives.WriteUInt64LittleEndian(n[40..], inum);
            BinaryPrimitives.WriteUInt16LittleEndian(n[50..], (ushort)bytes.Length);
            bytes.CopyTo(n[56..]);
        });
    }
}
