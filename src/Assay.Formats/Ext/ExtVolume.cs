using System.Buffers.Binary;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ext;

/// <summary>
/// An opened ext2/3/4 filesystem: the superblock, the group descriptor table (linear, or per
/// meta block group), and bounded reads of blocks, inodes, file content and inline data. Offsets in
/// its exceptions are relative to the start of the filesystem.
/// </summary>
internal sealed class ExtVolume
{
    public const string Id = "ext";

    // struct ext4_xattr_ibody_header { __le32 h_magic; } then struct ext4_xattr_entry records:
    // { __u8 e_name_len; __u8 e_name_index; __le16 e_value_offs; __le32 e_value_inum; __le32 e_value_size; __le32 e_hash; char e_name[]; }
    private const uint XattrMagic = 0xEA020000;
    private const int XattrEntryHeaderSize = 16;
    private const int XattrNameLenField = 0;
    private const int XattrNameIndexField = 1;
    private const int XattrValueOffsField = 2;
    private const int XattrValueInumField = 4;
    private const int XattrValueSizeField = 8;

    /// <summary>EXT4_XATTR_INDEX_SYSTEM: the "system." prefix; inline data lives in "system.data".</summary>
    private const byte XattrIndexSystem = 7;
    private static readonly byte[] InlineDataXattrName = "data"u8.ToArray();

    private readonly IBlob _fs;
    private readonly ExtGroupDescriptor[] _groups;

    /// <summary>Blocks that lie inside the image: fewer than s_blocks_count when the image is truncated.</summary>
    private readonly ulong _availableBlocks;

    private ExtVolume(IBlob fs, ExtSuperblock superblock, ExtGroupDescriptor[] groups)
    {
        _fs = fs;
        Superblock = superblock;
        _groups = groups;
        BlockSize = superblock.BlockSize;
        _availableBlocks = Math.Min(superblock.BlocksCount, (ulong)(fs.Length / BlockSize));
    }

    public ExtSuperblock Superblock { get; }
    public int BlockSize { get; }
    public IBlob Blob => _fs;
    public bool HasFileType => Superblock.HasIncompat(ExtSuperblock.IncompatFiletype);

    /// <summary>Reads the group descriptor table; a table outside the image or the filesystem is fatal.</summary>
    public static ExtVolume Open(IBlob fs, ExtSuperblock sb, CancellationToken ct)
    {
        var groupCount = sb.GroupCount;
        var descSize = sb.GroupDescriptorSize;
        var bs = sb.BlockSize;
        if (checked(groupCount * (ulong)descSize) > (ulong)fs.Length)
            throw new FormatException(Id, ExtSuperblock.Offset, $"{groupCount} block groups need a descriptor table of {groupCount * (ulong)descSize} bytes, more than the whole image (0x{fs.Length:x}); s_blocks_count or s_blocks_per_group is wrong");
        var groups = new ExtGroupDescriptor[groupCount];
        var perBlock = (ulong)(bs / descSize);
        var metaBg = sb.HasIncompat(ExtSuperblock.IncompatMetaBg);
        var firstMeta = metaBg ? Math.Min((ulong)sb.FirstMetaBg * perBlock, groupCount) : groupCount;
        var block = new byte[bs];
        ulong loadedBlock = ulong.MaxValue;
        for (ulong g = 0; g < groupCount; g++)
        {
            if ((g & 0xff) == 0)
                ct.ThrowIfCancellationRequested();
            ulong descBlock;
            if (g < firstMeta)
            {
                // the table follows the superblock's block (byte 1024), whatever s_first_data_block
                // says (bigalloc with 1 KiB blocks has it 0): ext4 descriptor_loc()
                descBlock = (ulong)(ExtSuperblock.Offset / bs) + 1 + (g / perBlock);
            }
            else
            {
                // meta_bg: the descriptors of each run of perBlock groups sit in the first group of
                // the run, after its superblock backup if it has one
                var first = g / perBlock * perBlock;
                descBlock = GroupFirstBlock(sb, first) + (HasSuperblockBackup(sb, first) ? 1UL : 0UL);
            }
            if (descBlock != loadedBlock)
            {
                if (descBlock >= sb.BlocksCount || !fs.TryReadExactly((long)descBlock * bs, block))
                    throw new FormatException(Id, (long)Math.Min(descBlock * (ulong)bs, long.MaxValue), $"group descriptor block {descBlock} for group {g} lies outside the image (0x{fs.Length:x} bytes, {sb.BlocksCount} blocks); the image is truncated");
                loadedBlock = descBlock;
            }
            var at = (int)(g % perBlock) * descSize;
            groups[g] = ExtGroupDescriptor.Parse(block.AsSpan(at, descSize), sb.Is64Bit);
        }
        return new ExtVolume(fs, sb, groups);
    }

    private static ulong GroupFirstBlock(ExtSuperblock sb, ulong group) => sb.FirstDataBlock + (group * sb.BlocksPerGroup);

    /// <summary>Whether a group starts with a superblock backup (sparse_super: groups 0, 1 and powers of 3, 5, 7; sparse_super2: the two listed groups).</summary>
    private static bool HasSuperblockBackup(ExtSuperblock sb, ulong group)
    {
        if (group == 0)
            return true;
        if (sb.HasCompat(ExtSuperblock.CompatSparseSuper2))
            return group == sb.BackupGroup0 || group == sb.BackupGroup1;
        if (!sb.HasRoCompat(ExtSuperblock.RoCompatSparseSuper) || group == 1)
            return true;
        return IsPowerOf(group, 3) || IsPowerOf(group, 5) || IsPowerOf(group, 7);
    }

    private static bool IsPowerOf(ulong value, ulong b)
    {
        while (value > 1 && value % b == 0)
            value /= b;
        return value == 1;
    }

    public long BlockOffset(ulong block) => (long)block * BlockSize;

    /// <summary>Throws unless blocks [start, start + count) lie inside the filesystem and the image.</summary>
    public void CheckBlocks(ulong start, ulong count, long referenceOffset, string what)
    {
        if (start == 0 || start >= Superblock.BlocksCount || count > Superblock.BlocksCount - start)
            throw new FormatException(Id, referenceOffset, $"{what} points at blocks {start}..{start + count - 1}, outside the filesystem's {Superblock.BlocksCount} blocks; the block map is damaged");
        if (start + count > _availableBlocks)
            throw new FormatException(Id, referenceOffset, $"{what} points at blocks {start}..{start + count - 1}, past the end of the image ({_availableBlocks} whole blocks present); the image is truncated");
    }

    public void ReadBlock(ulong block, Span<byte> buffer) => _fs.ReadExactly(BlockOffset(block), buffer);

    /// <summary>Reads inode <paramref name="number"/> (1-based) and returns it with its byte offset.</summary>
    public (ExtInode Inode, long Offset) ReadInode(uint number)
    {
        var sb = Superblock;
        if (number == 0 || number > sb.InodesCount)
            throw new FormatException(Id, ExtSuperblock.Offset, $"inode number {number} is outside 1..{sb.InodesCount}; the directory entry is damaged");
        var group = (number - 1) / sb.InodesPerGroup;
        var index = (number - 1) % sb.InodesPerGroup;
        var desc = _groups[group];
        if (desc.InodesUninitialized)
            throw new FormatException(Id, ExtSuperblock.Offset, $"inode {number} lies in group {group} whose inode table is marked uninitialised (EXT4_BG_INODE_UNINIT); the entry points at an unused inode");
        var tableBytes = (ulong)sb.InodesPerGroup * sb.InodeSize;
        var tableBlocks = (tableBytes + (ulong)BlockSize - 1) / (ulong)BlockSize;
        CheckBlocks(desc.InodeTable, tableBlocks, ExtSuperblock.Offset, $"the inode table of group {group}");
        var offset = BlockOffset(desc.InodeTable) + ((long)index * sb.InodeSize);
        var raw = new byte[sb.InodeSize];
        _fs.ReadExactly(offset, raw);
        return (ExtInode.Parse(raw, sb.HasIncompat(ExtSuperblock.IncompatLargeDir)), offset);
    }

    /// <summary>The content of a regular file, directory or slow symlink as a lazy view.</summary>
    public IBlob OpenContent(ExtInode inode, long inodeOffset, CancellationToken ct)
    {
        if (inode.HasInlineData)
            return new MemoryBlob(ReadInlineData(inode, inodeOffset));
        if (inode.Size > (ulong)long.MaxValue)
            throw new FormatException(Id, inodeOffset, $"i_size {inode.Size} is beyond any file length; the inode is damaged");
        var runs = ExtBlockMap.Build(this, inode, inodeOffset, ct);
        return new ExtFileBlob(_fs, runs, BlockSize, (long)inode.Size);
    }

    /// <summary>The logical-to-physical runs of a block-mapped file (for directories, read block by block).</summary>
    public ExtRun[] MapBlocks(ExtInode inode, long inodeOffset, CancellationToken ct) => ExtBlockMap.Build(this, inode, inodeOffset, ct);

    /// <summary>Inline data: the first 60 bytes in i_block, the rest in the in-inode "system.data" attribute.</summary>
    public byte[] ReadInlineData(ExtInode inode, long inodeOffset)
    {
        var extra = ReadInlineXattr(inode, inodeOffset) ?? [];
        var available = (ulong)ExtInode.BlockFieldLength + (ulong)extra.Length;
        if (inode.Size > available)
            throw new FormatException(Id, inodeOffset, $"inline data of {inode.Size} bytes, but i_block and system.data hold only {available}; the inode is damaged");
        var data = new byte[inode.Size];
        var head = (int)Math.Min(inode.Size, ExtInode.BlockFieldLength);
        inode.BlockField.AsSpan(0, head).CopyTo(data);
        extra.AsSpan(0, data.Length - head).CopyTo(data.AsSpan(head));
        return data;
    }

    /// <summary>The value of the in-inode "system.data" attribute, or null when there is none.</summary>
    public byte[]? ReadInlineXattr(ExtInode inode, long inodeOffset)
    {
        var raw = inode.Raw;
        var start = ExtInode.GoodOldSize + inode.ExtraSize;
        if (raw.Length <= ExtInode.GoodOldSize || start + 4 > raw.Length || BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(start)) != XattrMagic)
            return null;
        var area = raw.AsSpan(start + 4);
        var pos = 0;
        while (pos + XattrEntryHeaderSize <= area.Length && BinaryPrimitives.ReadUInt32LittleEndian(area[pos..]) != 0)
        {
            var entry = area[pos..];
            var nameLen = entry[XattrNameLenField];
            var index = entry[XattrNameIndexField];
            var valueOffs = BinaryPrimitives.ReadUInt16LittleEndian(entry[XattrValueOffsField..]);
            var valueInum = BinaryPrimitives.ReadUInt32LittleEndian(entry[XattrValueInumField..]);
            var valueSize = BinaryPrimitives.ReadUInt32LittleEndian(entry[XattrValueSizeField..]);
            if (pos + XattrEntryHeaderSize + nameLen > area.Length)
                break;
            var name = entry.Slice(XattrEntryHeaderSize, nameLen);
            if (index == XattrIndexSystem && name.SequenceEqual(InlineDataXattrName))
            {
                if (valueInum != 0 || valueOffs + (long)valueSize > area.Length)
                    throw new FormatException(Id, inodeOffset + start + 4 + pos, $"system.data attribute value at +{valueOffs} of {valueSize} bytes (value inode {valueInum}) lies outside the {area.Length}-byte attribute area; the inode is damaged");
                return area.Slice(valueOffs, (int)valueSize).ToArray();
            }
            pos += (XattrEntryHeaderSize + nameLen + 3) & ~3;
        }
        return null;
    }
}
