using System.Buffers.Binary;

namespace Assay.Formats.Ext;

/// <summary>
/// The fields of <c>struct ext4_super_block</c> (fs/ext4/ext4.h) that reading needs. The superblock
/// is 1024 bytes at byte 1024 of the filesystem, whatever the block size; all fields little-endian.
/// </summary>
/// <remarks>
/// Start of a real superblock (mke2fs -t ext4, 4 KiB blocks), bytes 0x400..0x43f:
/// <code>
/// 00 0a 00 00 00 28 00 00  00 02 00 00 8b 1d 00 00   inodes_count=2560 blocks_count=10240
/// ed 09 00 00 00 00 00 00  02 00 00 00 02 00 00 00   first_data_block=0 log_block_size=2
/// 00 80 00 00 00 80 00 00  00 0a 00 00 ...           blocks_per_group=32768 inodes_per_group=2560
/// </code>
/// and <c>53 ef</c> (s_magic 0xEF53) at 0x438.
/// </remarks>
internal readonly record struct ExtSuperblock(
    uint InodesCount,
    ulong BlocksCount,
    uint FirstDataBlock,
    int LogBlockSize,
    uint BlocksPerGroup,
    uint InodesPerGroup,
    ushort Magic,
    uint RevLevel,
    uint FirstInode,
    ushort InodeSize,
    uint FeatureCompat,
    uint FeatureIncompat,
    uint FeatureRoCompat,
    ushort DescSize,
    uint FirstMetaBg,
    uint BackupGroup0,
    uint BackupGroup1,
    string VolumeName)
{
    /// <summary>Byte offset of the superblock from the start of the filesystem.</summary>
    public const int Offset = 1024;
    public const int Size = 1024;
    public const ushort MagicValue = 0xEF53;

    /// <summary>Byte offset of s_magic from the start of the filesystem (1024 + 0x38).</summary>
    public const int MagicOffsetInFilesystem = Offset + MagicField;

    private const int InodesCountField = 0x00;
    private const int BlocksCountLoField = 0x04;
    private const int FirstDataBlockField = 0x14;
    private const int LogBlockSizeField = 0x18;
    private const int BlocksPerGroupField = 0x20;
    private const int InodesPerGroupField = 0x28;
    private const int MagicField = 0x38;
    private const int RevLevelField = 0x4c;
    private const int FirstInoField = 0x54;
    private const int InodeSizeField = 0x58;
    private const int FeatureCompatField = 0x5c;
    private const int FeatureIncompatField = 0x60;
    private const int FeatureRoCompatField = 0x64;
    private const int VolumeNameField = 0x78;
    private const int VolumeNameLength = 16;
    private const int DescSizeField = 0xfe;
    private const int FirstMetaBgField = 0x104;
    private const int BlocksCountHiField = 0x150;
    private const int BackupBgsField = 0x24c;

    /// <summary>EXT2_GOOD_OLD_REV: fixed 128-byte inodes, first non-reserved inode 11.</summary>
    public const uint GoodOldRev = 0;
    public const uint DynamicRev = 1;
    public const ushort GoodOldInodeSize = 128;
    public const uint GoodOldFirstInode = 11;

    /// <summary>Block sizes 1 KiB (log 0) to 64 KiB (log 6), as EXT4_MAX_BLOCK_LOG_SIZE allows.</summary>
    public const int MaxLogBlockSize = 6;

    // s_feature_compat
    public const uint CompatHasJournal = 0x4;
    public const uint CompatDirIndex = 0x20;
    public const uint CompatSparseSuper2 = 0x200;

    // s_feature_incompat
    public const uint IncompatCompression = 0x1;
    public const uint IncompatFiletype = 0x2;
    public const uint IncompatRecover = 0x4;
    public const uint IncompatJournalDev = 0x8;
    public const uint IncompatMetaBg = 0x10;
    public const uint IncompatExtents = 0x40;
    public const uint Incompat64Bit = 0x80;
    public const uint IncompatFlexBg = 0x200;
    public const uint IncompatEaInode = 0x400;
    public const uint IncompatDirData = 0x1000;
    public const uint IncompatLargeDir = 0x4000;
    public const uint IncompatInlineData = 0x8000;
    public const uint IncompatEncrypt = 0x10000;
    public const uint IncompatCasefold = 0x20000;

    // s_feature_ro_compat
    public const uint RoCompatSparseSuper = 0x1;
    public const uint RoCompatLargeFile = 0x2;
    public const uint RoCompatHugeFile = 0x8;
    public const uint RoCompatGdtCsum = 0x10;
    public const uint RoCompatExtraIsize = 0x40;
    public const uint RoCompatBigalloc = 0x200;
    public const uint RoCompatMetadataCsum = 0x400;

    /// <summary>Features that change the layout in ways this reader does not follow.</summary>
    public const uint UnsupportedIncompat = IncompatCompression | IncompatJournalDev | IncompatDirData;

    public int BlockSize => 1024 << LogBlockSize;
    public bool Is64Bit => (FeatureIncompat & Incompat64Bit) != 0;
    public bool HasIncompat(uint flag) => (FeatureIncompat & flag) != 0;
    public bool HasRoCompat(uint flag) => (FeatureRoCompat & flag) != 0;
    public bool HasCompat(uint flag) => (FeatureCompat & flag) != 0;

    /// <summary>Size of one group descriptor: 32, or s_desc_size with the 64bit feature.</summary>
    public int GroupDescriptorSize => Is64Bit ? DescSize : ExtGroupDescriptor.Size32;

    /// <summary>Number of block groups: ceil((blocks_count - first_data_block) / blocks_per_group).</summary>
    public ulong GroupCount => ((BlocksCount - FirstDataBlock) + BlocksPerGroup - 1) / BlocksPerGroup;

    /// <summary>Bytes the filesystem declares: blocks_count × block size.</summary>
    public ulong DeclaredLength => BlocksCount * (ulong)BlockSize;

    public static ExtSuperblock Parse(ReadOnlySpan<byte> sb)
    {
        var revLevel = BinaryPrimitives.ReadUInt32LittleEndian(sb[RevLevelField..]);
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(sb[FeatureIncompatField..]);
        var blocksLo = BinaryPrimitives.ReadUInt32LittleEndian(sb[BlocksCountLoField..]);
        var blocksHi = (incompat & Incompat64Bit) != 0 ? BinaryPrimitives.ReadUInt32LittleEndian(sb[BlocksCountHiField..]) : 0u;
        var name = sb.Slice(VolumeNameField, VolumeNameLength);
        var nul = name.IndexOf((byte)0);
        return new ExtSuperblock(
            InodesCount: BinaryPrimitives.ReadUInt32LittleEndian(sb[InodesCountField..]),
            BlocksCount: ((ulong)blocksHi << 32) | blocksLo,
            FirstDataBlock: BinaryPrimitives.ReadUInt32LittleEndian(sb[FirstDataBlockField..]),
            LogBlockSize: (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(sb[LogBlockSizeField..]), 64u),
            BlocksPerGroup: BinaryPrimitives.ReadUInt32LittleEndian(sb[BlocksPerGroupField..]),
            InodesPerGroup: BinaryPrimitives.ReadUInt32LittleEndian(sb[InodesPerGroupField..]),
            Magic: BinaryPrimitives.ReadUInt16LittleEndian(sb[MagicField..]),
            RevLevel: revLevel,
            FirstInode: revLevel == GoodOldRev ? GoodOldFirstInode : BinaryPrimitives.ReadUInt32LittleEndian(sb[FirstInoField..]),
            InodeSize: revLevel == GoodOldRev ? GoodOldInodeSize : BinaryPrimitives.ReadUInt16LittleEndian(sb[InodeSizeField..]),
            FeatureCompat: revLevel == GoodOldRev ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(sb[FeatureCompatField..]),
            FeatureIncompat: revLevel == GoodOldRev ? 0 : incompat,
            FeatureRoCompat: revLevel == GoodOldRev ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(sb[FeatureRoCompatField..]),
            DescSize: BinaryPrimitives.ReadUInt16LittleEndian(sb[DescSizeField..]),
            FirstMetaBg: BinaryPrimitives.ReadUInt32LittleEndian(sb[FirstMetaBgField..]),
            BackupGroup0: BinaryPrimitives.ReadUInt32LittleEndian(sb[BackupBgsField..]),
            BackupGroup1: BinaryPrimitives.ReadUInt32LittleEndian(sb[(BackupBgsField + 4)..]),
            VolumeName: System.Text.Encoding.Latin1.GetString(nul < 0 ? name : name[..nul]));
    }

    /// <summary>
    /// Why these fields cannot be an ext2/3/4 superblock, or null when they are consistent: magic,
    /// block size range, group sizes within one bitmap block, inode size, counts that agree.
    /// </summary>
    public string? Invalid()
    {
        if (Magic != MagicValue)
            return $"s_magic is 0x{Magic:x4}, expected 0xef53";
        if (RevLevel > DynamicRev)
            return $"s_rev_level is {RevLevel}, expected 0 or 1";
        if (LogBlockSize > MaxLogBlockSize)
            return $"s_log_block_size is {LogBlockSize}, expected 0..{MaxLogBlockSize} (1 KiB to 64 KiB blocks)";
        var bitsPerBlock = (uint)BlockSize * 8;
        if (BlocksPerGroup == 0 || (BlocksPerGroup > bitsPerBlock && !HasRoCompat(RoCompatBigalloc)))
            return $"s_blocks_per_group is {BlocksPerGroup}, expected 1..{bitsPerBlock}";
        if (InodesPerGroup == 0 || InodesPerGroup > bitsPerBlock)
            return $"s_inodes_per_group is {InodesPerGroup}, expected 1..{bitsPerBlock}";
        if (InodeSize < GoodOldInodeSize || InodeSize > BlockSize || (InodeSize & (InodeSize - 1)) != 0)
            return $"s_inode_size is {InodeSize}, expected a power of two from 128 to the block size {BlockSize}";
        // The superblock sits in block 1 of a 1 KiB-block filesystem and in block 0 otherwise.
        if (FirstDataBlock > 1 || (LogBlockSize > 0 && FirstDataBlock != 0))
            return $"s_first_data_block is {FirstDataBlock}, expected 1 for 1 KiB blocks or 0 for larger blocks";
        if (BlocksCount <= FirstDataBlock || BlocksCount > (1UL << 48))
            return $"s_blocks_count is {BlocksCount}, expected more than s_first_data_block {FirstDataBlock} and below 2^48";
        if (BlocksCount > (ulong)long.MaxValue / (ulong)BlockSize)
            return $"s_blocks_count {BlocksCount} × {BlockSize}-byte blocks overflows a 63-bit length";
        if (Is64Bit && (DescSize < ExtGroupDescriptor.Size64 || DescSize > 1024 || (DescSize & (DescSize - 1)) != 0))
            return $"s_desc_size is {DescSize} with the 64bit feature, expected a power of two from 64 to 1024";
        if (InodesCount == 0 || (ulong)InodesCount != GroupCount * InodesPerGroup)
            return $"s_inodes_count is {InodesCount}, expected {GroupCount} groups × {InodesPerGroup} inodes per group";
        if (FirstInode < GoodOldFirstInode || FirstInode > InodesCount)
            return $"s_first_ino is {FirstInode}, expected 11..{InodesCount}";
        return null;
    }
}
