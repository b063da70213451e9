using System.Buffers.Binary;

namespace Assay.Formats.Xfs;

/// <summary>
/// The XFS superblock fields the reader needs (big-endian; "XFS Algorithms &amp; Data Structures",
/// 3rd ed., §12.1 Superblocks): magic "XFSB" @0, blocksize u32 @4, dblocks u64 @8, rootino u64 @56,
/// agblocks u32 @84, agcount u32 @88, versionnum u16 @100 (low nibble 4 or 5), sectsize u16 @102,
/// inodesize u16 @104, inopblock u16 @106, blocklog @120, inodelog @122, inopblog @123,
/// agblklog @124, dirblklog @192, features2 u32 @200, incompat u32 @216.
/// </summary>
internal sealed record XfsSuperblock(
    int BlockSize, long DataBlocks, ulong RootInode, uint AgBlocks, uint AgCount, int Version, int InodeSize,
    int InodesPerBlockLog, int AgBlockLog, int DirBlockLog, bool FileTypes, bool BigTime, bool LargeExtentCounts)
{
    public const int MagicOffset = 0, BlockSizeOffset = 4, DataBlocksOffset = 8, RootInodeOffset = 56, AgBlocksOffset = 84, AgCountOffset = 88;
    public const int VersionOffset = 100, SectorSizeOffset = 102, InodeSizeOffset = 104, InodesPerBlockOffset = 106;
    public const int BlockLogOffset = 120, InodeLogOffset = 122, InodesPerBlockLogOffset = 123, AgBlockLogOffset = 124, DirBlockLogOffset = 192;
    public const int Features2Offset = 200, IncompatOffset = 216;
    public const int Size = 512;

    private const uint Features2FileType = 0x200;
    private const uint IncompatFileType = 1, IncompatBigTime = 8, IncompatNeedsRepair = 16, IncompatNrext64 = 32;

    /// <summary>Parses and validates a superblock; null when it is not XFS ("not this format").</summary>
    public static XfsSuperblock? Parse(ReadOnlySpan<byte> b)
    {
        if (b.Length < Size || !b[..4].SequenceEqual("XFSB"u8))
            return null;
        var blockSize = BinaryPrimitives.ReadInt32BigEndian(b[BlockSizeOffset..]);
        var version = BinaryPrimitives.ReadUInt16BigEndian(b[VersionOffset..]) & 0xf;
        var sector = BinaryPrimitives.ReadUInt16BigEndian(b[SectorSizeOffset..]);
        var inodeSize = BinaryPrimitives.ReadUInt16BigEndian(b[InodeSizeOffset..]);
        var perBlock = BinaryPrimitives.ReadUInt16BigEndian(b[InodesPerBlockOffset..]);
        int blockLog = b[BlockLogOffset], inodeLog = b[InodeLogOffset], perBlockLog = b[InodesPerBlockLogOffset], agBlockLog = b[AgBlockLogOffset], dirLog = b[DirBlockLogOffset];
        var agBlocks = BinaryPrimitives.ReadUInt32BigEndian(b[AgBlocksOffset..]);
        var agCount = BinaryPrimitives.ReadUInt32BigEndian(b[AgCountOffset..]);
        var dblocks = BinaryPrimitives.ReadInt64BigEndian(b[DataBlocksOffset..]);
        // the sizes must agree with their logarithms, as xfs_repair's sanity check demands
        if (version is not (4 or 5) || blockLog is < 9 or > 16 || blockSize != 1 << blockLog || inodeLog is < 8 or > 11 || inodeSize != 1 << inodeLog
            || perBlockLog != blockLog - inodeLog || perBlock != 1 << perBlockLog || sector is < 512 or > 32768 || agBlocks == 0 || agCount == 0
            || agBlockLog is < 1 or > 31 || agBlocks > 1u << agBlockLog || dirLog > 6 || dblocks <= 0)
            return null;
        var features2 = BinaryPrimitives.ReadUInt32BigEndian(b[Features2Offset..]);
        var incompat = version == 5 ? BinaryPrimitives.ReadUInt32BigEndian(b[IncompatOffset..]) : 0;
        var fileTypes = version == 5 ? (incompat & IncompatFileType) != 0 : (features2 & Features2FileType) != 0;
        return new XfsSuperblock(blockSize, dblocks, BinaryPrimitives.ReadUInt64BigEndian(b[RootInodeOffset..]), agBlocks, agCount, version, inodeSize,
            perBlockLog, agBlockLog, dirLog, fileTypes, (incompat & IncompatBigTime) != 0, (incompat & IncompatNrext64) != 0)
        {
            NeedsRepair = (incompat & IncompatNeedsRepair) != 0,
        };
    }

    public bool NeedsRepair { get; init; }

    /// <summary>Byte offset of a filesystem block number (AG number in the high bits, AG block below agblklog).</summary>
    public long BlockOffset(ulong fsblock)
    {
        var ag = fsblock >> AgBlockLog;
        var agbno = fsblock & ((1UL << AgBlockLog) - 1);
        return checked((long)((ag * AgBlocks) + agbno) * BlockSize);
    }

    /// <summary>Byte offset of an inode (AG, block in AG, index in block packed in its number).</summary>
    public long InodeOffset(ulong inode)
    {
        var agShift = AgBlockLog + InodesPerBlockLog;
        var ag = inode >> agShift;
        var agino = inode & ((1UL << agShift) - 1);
        var agbno = agino >> InodesPerBlockLog;
        var index = agino & ((1UL << InodesPerBlockLog) - 1);
        return checked(((long)((ag * AgBlocks) + agbno) * BlockSize) + ((long)index * InodeSize));
    }
}

/// <summary>
/// The inode core fields the reader needs (§14 On-disk Inode): magic "IN" @0, mode u16 @2,
/// version u8 @4, format u8 @5 (0 device, 1 local, 2 extents, 3 btree), uid u32 @8, gid u32 @12,
/// mtime @40, size u64 @56, nextents u32 @76, forkoff u8 @82; the data fork follows the core
/// (176 bytes in version 3 inodes, 100 in version 2).
/// </summary>
internal readonly record struct XfsInode(int Mode, int Format, long Uid, long Gid, long? Mtime, long Size, long Extents, int ForkOffset, int ForkLength)
{
    public const int ModeOffset = 2, VersionOffset = 4, FormatOffset = 5, UidOffset = 8, GidOffset = 12, MtimeOffset = 40, SizeOffset = 56;
    public const int NextentsOffset = 76, ForkOffOffset = 82, BigNextentsOffset = 24, Flags2Offset = 120;
    public const int CoreV3 = 176, CoreV2 = 100;
    public const int FormatDevice = 0, FormatLocal = 1, FormatExtents = 2, FormatBtree = 3;
    private const ulong Flags2BigTime = 1UL << 3, Flags2Nrext64 = 1UL << 4;

    public static XfsInode? Parse(ReadOnlySpan<byte> b, XfsSuperblock sb)
    {
        if (b.Length < sb.InodeSize || b[0] != 'I' || b[1] != 'N')
            return null;
        var version = b[VersionOffset];
        if (version is not (1 or 2 or 3))
            return null;
        var core = version == 3 ? CoreV3 : CoreV2;
        var forkoff = b[ForkOffOffset] * 8;
        var forkLength = forkoff > 0 ? forkoff : sb.InodeSize - core;
        if (core + forkLength > sb.InodeSize)
            return null;
        var flags2 = version == 3 ? BinaryPrimitives.ReadUInt64BigEndian(b[Flags2Offset..]) : 0;
        long? mtime;
        if ((flags2 & Flags2BigTime) != 0)
        {
            // bigtime: nanoseconds since 1901-12-13T20:45:52Z (the old signed 32-bit epoch)
            mtime = (long)(BinaryPrimitives.ReadUInt64BigEndian(b[MtimeOffset..]) / 1_000_000_000UL) - (1L << 31);
        }
        else
            mtime = BinaryPrimitives.ReadInt32BigEndian(b[MtimeOffset..]);
        long extents = (flags2 & Flags2Nrext64) != 0 ? (long)BinaryPrimitives.ReadUInt64BigEndian(b[BigNextentsOffset..]) : BinaryPrimitives.ReadUInt32BigEndian(b[NextentsOffset..]);
        return new XfsInode(BinaryPrimitives.ReadUInt16BigEndian(b[ModeOffset..]), b[FormatOffset], BinaryPrimitives.ReadUInt32BigEndian(b[UidOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[GidOffset..]), mtime, BinaryPrimitives.ReadInt64BigEndian(b[SizeOffset..]), extents, core, forkLength);
    }
}

/// <summary>One data-fork extent (§15.1): logical file block, filesystem block, length, and whether it is unwritten (reads as zeros).</summary>
internal readonly record struct XfsExtent(long FileBlock, ulong StartBlock, long Count, bool Unwritten)
{
    public const int Size = 16;

    /// <summary>The 128-bit packed record: flag bit 127, startoff bits 73-126, startblock bits 21-72, blockcount bits 0-20.</summary>
    public static XfsExtent Parse(ReadOnlySpan<byte> b)
    {
        var l0 = BinaryPrimitives.ReadUInt64BigEndian(b);
        var l1 = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        return new XfsExtent((long)((l0 & 0x7fff_ffff_ffff_ffffUL) >> 9), ((l0 & 0x1ff) << 43) | (l1 >> 21), (long)(l1 & 0x1f_ffff), (l0 >> 63) != 0);
    }
}
