using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ubifs;

/// <summary>
/// Replays the journal: what was written after the last commit is not in the index. The log
/// (LEBs 3 .. 3+log_lebs-1, circular, from the master's log_lnum) starts with a commit-start node
/// of the master's cmt_no, followed by reference nodes naming the bud LEBs and the offset where the
/// journal's nodes begin in each. The bud nodes are applied in sqnum order over the index.
/// </summary>
/// <remarks>
/// <code>
/// struct ubifs_cs_node  { ch; le64 cmt_no; }                                  type 10, 32 bytes
/// struct ubifs_ref_node { ch; le32 lnum; le32 offs; le32 jhead; u8 pad[28]; } type 8, 64 bytes
/// struct ubifs_trun_node { ch; le32 inum; u8 pad[12]; le64 old_size; le64 new_size; } type 4
/// struct ubifs_pad_node { ch; le32 pad_len; }                                 type 5
/// </code>
/// </remarks>
internal static class UbifsJournal
{
    private const int LogLnum = 3;
    private const byte TruncationNode = 4;
    private const byte PaddingNode = 5;
    private const byte ReferenceNode = 8;
    private const byte CommitStartNode = 10;
    private const int CommitNumberOffset = 24;
    private const int RefLnumOffset = 24;
    private const int RefOffsOffset = 28;
    private const int PadLengthOffset = 24;
    private const int TruncInumOffset = 24;
    private const int TruncNewSizeOffset = 48;
    private const int TruncNodeSize = 56;
    private const int MaxNodeLength = UbifsInode.HeaderSize + UbifsInode.MaxDataLength;
    private const int Alignment = 8;

    /// <summary>Applies the journal to <paramref name="tree"/>; returns how many nodes were replayed.</summary>
    public static int Replay(IBlob chunk, UbifsImage image, UbifsMaster master, UbifsTree tree, IUnpackContext context)
    {
        var sb = image.Superblock;
        if (sb.LogLebs <= 0 || LogLnum + sb.LogLebs > sb.LebCount || master.LogLnum < LogLnum || master.LogLnum >= LogLnum + sb.LogLebs)
        {
            context.AddError($"ubifs: log area (log_lebs {sb.LogLebs}, log_lnum {master.LogLnum}) is out of range; the journal is not replayed");
            return 0;
        }

        var buds = new List<(int Lnum, int Offset)>();
        var lnum = master.LogLnum;
        ulong commitSqnum = 0;
        for (var i = 0; i < sb.LogLebs; i++)
        {
            if (!ReadLog(chunk, image, lnum, master, i == 0, ref commitSqnum, buds, context))
                break;
            lnum = lnum + 1 >= LogLnum + sb.LogLebs ? LogLnum : lnum + 1;
        }

        var nodes = new List<(ulong Sqnum, byte Type, int Lnum, int Offset, byte[] Node)>();
        foreach (var (budLnum, budOffset) in buds.Distinct())
            ScanBud(chunk, image, budLnum, budOffset, nodes, context);
        foreach (var (_, type, budLnum, offset, node) in nodes.OrderBy(n => n.Sqnum))
            Apply(image, tree, type, budLnum, offset, node, context);
        return nodes.Count;
    }

    /// <summary>Collects the reference nodes of one log LEB; false when the LEB ends the log.</summary>
    private static bool ReadLog(IBlob chunk, UbifsImage image, int lnum, UbifsMaster master, bool first, ref ulong commitSqnum, List<(int, int)> buds, IUnpackContext context)
    {
        var offset = 0;
        var sawNode = false;
        while (NextNode(chunk, image, lnum, ref offset) is { } found)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (header, node, position) = found;
            if (first && !sawNode && header.NodeType != CommitStartNode)
                return Fail(context, position, $"the log at LEB {lnum} starts with node type {header.NodeType}, not a commit start node");

            // a node older than this commit's start is left from before the log wrapped: the log ends there
            if (header.Sqnum < commitSqnum)
                return false;
            if (header.NodeType == CommitStartNode)
            {
                var commit = node.Length >= CommitNumberOffset + 8 ? BinaryPrimitives.ReadUInt64LittleEndian(node.AsSpan(CommitNumberOffset)) : ulong.MaxValue;
                if (commit != master.CommitNumber)
                    return first && Fail(context, position, $"the log starts with commit {commit}, the master node says {master.CommitNumber}");
                commitSqnum = header.Sqnum;
            }
            else if (header.NodeType == ReferenceNode && node.Length >= RefOffsOffset + 4)
            {
                buds.Add((BinaryPrimitives.ReadInt32LittleEndian(node.AsSpan(RefLnumOffset)), BinaryPrimitives.ReadInt32LittleEndian(node.AsSpan(RefOffsOffset))));
            }
            else if (header.NodeType != PaddingNode)
            {
                context.AddError($"ubifs: node type {header.NodeType} in the log at LEB {lnum} offset 0x{position - image.Position(lnum, 0):x}; the rest of that log LEB is skipped", position);
                return false;
            }

            sawNode = true;
        }

        return sawNode;
    }

    private static bool Fail(IUnpackContext context, long position, string message)
    {
        context.AddError($"ubifs: {message}; the journal is not replayed", position);
        return false;
    }

    private static void ScanBud(IBlob chunk, UbifsImage image, int lnum, int offset, List<(ulong, byte, int, int, byte[])> nodes, IUnpackContext context)
    {
        var sb = image.Superblock;
        if (lnum < 0 || lnum >= sb.LebCount || offset < 0 || offset >= sb.LebSize || offset % Alignment != 0)
        {
            context.AddError($"ubifs: journal reference to LEB {lnum} offset 0x{offset:x} is outside the image; that bud is skipped");
            return;
        }

        var offs = offset;
        while (NextNode(chunk, image, lnum, ref offs) is { } found)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (header, node, position) = found;
            if (header.NodeType is UbifsNodeType.Inode or UbifsNodeType.Data or UbifsNodeType.Dent or UbifsNodeType.Xent or TruncationNode)
                nodes.Add((header.Sqnum, header.NodeType, lnum, (int)(position - image.Position(lnum, 0)), node));
        }
    }

    /// <summary>
    /// The node at <paramref name="offset"/> of LEB <paramref name="lnum"/> if it is whole and its CRC
    /// matches (then <paramref name="offset"/> moves past it); null at the end of the written part.
    /// </summary>
    private static (UbifsCommonHeader Header, byte[] Node, long Position)? NextNode(IBlob chunk, UbifsImage image, int lnum, ref int offset)
    {
        var sb = image.Superblock;
        Span<byte> common = stackalloc byte[UbifsCommonHeader.Size];
        while (offset <= sb.LebSize - UbifsCommonHeader.Size)
        {
            var position = image.Position(lnum, offset);
            if (!chunk.TryReadExactly(position, common) || UbifsCommonHeader.Read(common) is not { } header)
                return null;
            if (header.Length < UbifsCommonHeader.Size || header.Length > MaxNodeLength || header.Length > sb.LebSize - offset)
                return null;
            var node = new byte[header.Length];
            if (!chunk.TryReadExactly(position, node) || !UbifsCommonHeader.CrcMatches(node))
                return null;
            offset += (int)((header.Length + Alignment - 1) & ~(uint)(Alignment - 1));
            if (header.NodeType == PaddingNode && node.Length >= PadLengthOffset + 4)
            {
                var pad = BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(PadLengthOffset));
                if (pad > (uint)(sb.LebSize - offset))
                    return null;
                offset += (int)pad;
            }

            return (header, node, position);
        }

        return null;
    }

    private static void Apply(UbifsImage image, UbifsTree tree, byte type, int lnum, int offset, byte[] node, IUnpackContext context)
    {
        var position = image.Position(lnum, offset);
        try
        {
            switch (type)
            {
                case UbifsNodeType.Inode:
                    var key = UbifsKey.Read(node.AsSpan(UbifsKey.NodeOffset));
                    tree.SetInode(UbifsInode.Read(node, key.Inum, position)
                        ?? throw new FormatException(UbifsImage.FormatId, position, $"journal inode {key.Inum}: data_len does not fit the node"));
                    break;
                case UbifsNodeType.Data:
                    var dataKey = UbifsKey.Read(node.AsSpan(UbifsKey.NodeOffset));
                    tree.SetData(dataKey.Inum, new DataRef(dataKey.Value, lnum, offset, node.Length));
                    break;
                case UbifsNodeType.Dent:
                    var parent = UbifsKey.Read(node.AsSpan(UbifsKey.NodeOffset)).Inum;
                    tree.SetDent(UbifsDent.Read(node, parent, position)
                        ?? throw new FormatException(UbifsImage.FormatId, position, $"journal directory entry in inode {parent}: nlen does not fit the node"), replace: true);
                    break;
                case UbifsNodeType.Xent:
                    var host = UbifsKey.Read(node.AsSpan(UbifsKey.NodeOffset)).Inum;
                    tree.SetXent(UbifsDent.Read(node, host, position)
                        ?? throw new FormatException(UbifsImage.FormatId, position, $"journal xattr entry of inode {host}: nlen does not fit the node"), replace: true);
                    break;
                case TruncationNode when node.Length >= TruncNodeSize:
                    tree.Truncate(BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(TruncInumOffset)), BinaryPrimitives.ReadUInt64LittleEndian(node.AsSpan(TruncNewSizeOffset)));
                    break;
                default:
                    break;
            }
        }
        catch (FormatException e)
        {
            context.AddError($"{e.Message}; the journal node is skipped", e.Offset);
        }
    }
}
