using System.Buffers.Binary;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ext;

/// <summary>A run of logical file blocks stored in consecutive physical blocks.</summary>
internal readonly record struct ExtRun(ulong Logical, ulong Count, ulong Physical);

/// <summary>
/// Maps a file's logical blocks to physical blocks, from an extent tree (ext4) or from direct and
/// single/double/triple indirect block pointers (ext2/3). Only written data appears in the map:
/// holes and unwritten (preallocated) extents read as zeros. Every pointer is checked against the
/// filesystem, extent trees must be ordered and no deeper than ext4 allows, no tree block is read
/// twice, and the walk stops at the file size.
/// </summary>
internal static class ExtBlockMap
{
    // struct ext4_extent_header { __le16 eh_magic, eh_entries, eh_max, eh_depth; __le32 eh_generation; }
    private const ushort ExtentMagic = 0xF30A;
    private const int ExtentHeaderSize = 12;
    private const int ExtentEntrySize = 12;
    private const int EhEntriesField = 2;
    private const int EhMaxField = 4;
    private const int EhDepthField = 6;

    /// <summary>EXT4_MAX_EXTENT_DEPTH.</summary>
    private const int MaxExtentDepth = 5;

    // struct ext4_extent { __le32 ee_block; __le16 ee_len; __le16 ee_start_hi; __le32 ee_start_lo; }
    private const int EeLenField = 4;
    private const int EeStartHiField = 6;
    private const int EeStartLoField = 8;

    /// <summary>ee_len above this marks an unwritten extent of (ee_len - 32768) blocks.</summary>
    private const int MaxInitializedExtentLength = 32768;

    // struct ext4_extent_idx { __le32 ei_block; __le32 ei_leaf_lo; __le16 ei_leaf_hi; __u16 ei_unused; }
    private const int EiLeafLoField = 4;
    private const int EiLeafHiField = 8;

    /// <summary>i_block: 12 direct pointers, then single, double and triple indirect.</summary>
    private const int DirectPointers = 12;
    private const int SingleIndirectSlot = 12;

    public static ExtRun[] Build(ExtVolume volume, ExtInode inode, long inodeOffset, CancellationToken ct)
    {
        var fileBlocks = (inode.Size + (ulong)volume.BlockSize - 1) / (ulong)volume.BlockSize;
        var runs = new List<ExtRun>();
        if (fileBlocks == 0)
            return [];
        if (inode.HasExtents)
        {
            var walker = new ExtentWalker(volume, fileBlocks, runs, ct);
            walker.Walk(inode.BlockField, MaxExtentDepth + 1, inodeOffset + ExtInode.BlockFieldOffset, isRoot: true);
        }
        else
        {
            var walker = new IndirectWalker(volume, fileBlocks, runs, ct);
            walker.Walk(inode.BlockField, inodeOffset + ExtInode.BlockFieldOffset);
        }
        return [.. runs];
    }

    private static void Append(List<ExtRun> runs, ulong logical, ulong count, ulong physical)
    {
        if (runs.Count > 0)
        {
            var last = runs[^1];
            if (last.Logical + last.Count == logical && last.Physical + last.Count == physical)
            {
                runs[^1] = last with { Count = last.Count + count };
                return;
            }
        }
        runs.Add(new ExtRun(logical, count, physical));
    }

    private sealed class ExtentWalker(ExtVolume volume, ulong fileBlocks, List<ExtRun> runs, CancellationToken ct)
    {
        private readonly HashSet<ulong> _visited = [];
        private ulong _nextLogical;

        public void Walk(ReadOnlySpan<byte> node, int parentDepth, long nodeOffset, bool isRoot)
        {
            ct.ThrowIfCancellationRequested();
            var magic = BinaryPrimitives.ReadUInt16LittleEndian(node);
            if (magic != ExtentMagic)
                throw new FormatException(ExtVolume.Id, nodeOffset, $"extent header magic is 0x{magic:x4}, expected 0xf30a; the inode's extent tree is damaged");
            var entries = BinaryPrimitives.ReadUInt16LittleEndian(node[EhEntriesField..]);
            var max = BinaryPrimitives.ReadUInt16LittleEndian(node[EhMaxField..]);
            var depth = BinaryPrimitives.ReadUInt16LittleEndian(node[EhDepthField..]);
            var capacity = (node.Length - ExtentHeaderSize) / ExtentEntrySize;
            if (entries > max || max > capacity)
                throw new FormatException(ExtVolume.Id, nodeOffset, $"extent node holds {entries} of at most {max} entries, but the node has room for {capacity}; the extent tree is damaged");
            if (depth > MaxExtentDepth || (!isRoot && depth != parentDepth - 1))
                throw new FormatException(ExtVolume.Id, nodeOffset, $"extent node depth is {depth}, expected {(isRoot ? $"at most {MaxExtentDepth}" : (parentDepth - 1).ToString())}; the extent tree is damaged");
            for (var i = 0; i < entries; i++)
            {
                var e = node.Slice(ExtentHeaderSize + (i * ExtentEntrySize), ExtentEntrySize);
                var entryOffset = nodeOffset + ExtentHeaderSize + (i * ExtentEntrySize);
                var logical = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(e);
                if (logical >= fileBlocks)
                    return; // blocks preallocated past the end of the file
                if (logical < _nextLogical)
                    throw new FormatException(ExtVolume.Id, entryOffset, $"extent starts at logical block {logical}, before the end of the previous extent ({_nextLogical}); the extent tree is out of order");
                if (depth == 0)
                {
                    var len = BinaryPrimitives.ReadUInt16LittleEndian(e[EeLenField..]);
                    var unwritten = len > MaxInitializedExtentLength;
                    ulong count = unwritten ? (ulong)(len - MaxInitializedExtentLength) : len;
                    var start = ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(e[EeStartHiField..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(e[EeStartLoField..]);
                    if (count == 0)
                        continue;
                    volume.CheckBlocks(start, count, entryOffset, "extent");
                    _nextLogical = logical + count;
                    if (unwritten)
                        continue;
                    count = Math.Min(count, fileBlocks - logical);
                    Append(runs, logical, count, start);
                }
                else
                {
                    var leaf = ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(e[EiLeafHiField..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(e[EiLeafLoField..]);
                    volume.CheckBlocks(leaf, 1, entryOffset, "extent index");
                    if (!_visited.Add(leaf))
                        throw new FormatException(ExtVolume.Id, entryOffset, $"extent index points at block {leaf} a second time; the extent tree has a loop");
                    var child = new byte[volume.BlockSize];
                    volume.ReadBlock(leaf, child);
                    _nextLogical = logical;
                    Walk(child, depth, volume.BlockOffset(leaf), isRoot: false);
                }
            }
        }
    }

    private sealed class IndirectWalker(ExtVolume volume, ulong fileBlocks, List<ExtRun> runs, CancellationToken ct)
    {
        private readonly int _pointersPerBlock = volume.BlockSize / 4;

        // Indirect blocks read for this file; a file cannot need more than the filesystem has.
        private ulong _reads;

        public void Walk(ReadOnlySpan<byte> blockField, long fieldOffset)
        {
            ulong logical = 0;
            for (var i = 0; i < DirectPointers && logical < fileBlocks; i++, logical++)
                Map(logical, BinaryPrimitives.ReadUInt32LittleEndian(blockField[(i * 4)..]), fieldOffset + (i * 4));
            ulong span = 1;
            for (var level = 1; level <= 3 && logical < fileBlocks; level++)
            {
                span *= (ulong)_pointersPerBlock;
                var slot = SingleIndirectSlot + level - 1;
                var pointer = BinaryPrimitives.ReadUInt32LittleEndian(blockField[(slot * 4)..]);
                Indirect(pointer, level, logical, fieldOffset + (slot * 4));
                logical += span;
            }
        }

        private void Map(ulong logical, uint block, long pointerOffset)
        {
            if (block == 0)
                return; // a hole
            volume.CheckBlocks(block, 1, pointerOffset, "block pointer");
            Append(runs, logical, 1, block);
        }

        private void Indirect(uint block, int level, ulong firstLogical, long pointerOffset)
        {
            if (block == 0)
                return;
            ct.ThrowIfCancellationRequested();
            volume.CheckBlocks(block, 1, pointerOffset, "indirect block pointer");
            if (++_reads > volume.Superblock.BlocksCount)
                throw new FormatException(ExtVolume.Id, pointerOffset, $"the file's indirect blocks were read {_reads} times, more than the filesystem has blocks; the block map repeats itself");
            var data = new byte[volume.BlockSize];
            volume.ReadBlock(block, data);
            var blockOffset = volume.BlockOffset(block);
            ulong childSpan = 1;
            for (var l = 1; l < level; l++)
                childSpan *= (ulong)_pointersPerBlock;
            var logical = firstLogical;
            for (var i = 0; i < _pointersPerBlock && logical < fileBlocks; i++, logical += childSpan)
            {
                var pointer = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i * 4));
                if (level == 1)
                    Map(logical, pointer, blockOffset + (i * 4));
                else
                    Indirect(pointer, level - 1, logical, blockOffset + (i * 4));
            }
        }
    }
}
