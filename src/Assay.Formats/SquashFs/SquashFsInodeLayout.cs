namespace Assay.Formats.SquashFs;

/// <summary>
/// 4.0 inode layouts (squashfs_fs.h struct squashfs_*_inode_header), byte offsets from the start
/// of the inode. Every inode starts with the base header: type, mode, uid index, gid index (16 bits
/// each), mtime, inode_number (32 bits each). Extended types (8-14) add nlink, xattr and, for
/// files, a 64-bit start and size and a sparse count.
/// </summary>
internal static class Inode4
{
    public const int TypeDir = 1;
    public const int TypeFile = 2;
    public const int TypeSymlink = 3;
    public const int TypeBlockDevice = 4;
    public const int TypeCharDevice = 5;
    public const int TypeFifo = 6;
    public const int TypeSocket = 7;
    public const int TypeLDir = 8;
    public const int TypeLFile = 9;
    public const int TypeLSymlink = 10;
    public const int TypeLBlockDevice = 11;
    public const int TypeLCharDevice = 12;
    public const int TypeLFifo = 13;
    public const int TypeLSocket = 14;

    public const int Type = 0;
    public const int Mode = 2;
    public const int Uid = 4;
    public const int Gid = 6;
    public const int Mtime = 8;
    public const int Number = 12;
    public const int BaseSize = 16;

    /// <summary>Permission, setuid/setgid and sticky bits (the type bits are not stored).</summary>
    public const int ModeMask = 0xfff;

    /// <summary>squashfs_dir_inode_header: start_block, nlink, file_size (16), offset (16), parent_inode.</summary>
    public const int DirStartBlock = 16;
    public const int DirFileSize = 24;
    public const int DirOffset = 26;
    public const int DirSize = 32;

    /// <summary>squashfs_ldir_inode_header: nlink, file_size, start_block, parent_inode, i_count (16), offset (16), xattr.</summary>
    public const int LDirFileSize = 20;
    public const int LDirStartBlock = 24;
    public const int LDirOffset = 34;
    public const int LDirXattr = 36;
    public const int LDirSize = 40;

    /// <summary>squashfs_reg_inode_header: start_block, fragment, offset, file_size, then the block list.</summary>
    public const int RegStartBlock = 16;
    public const int RegFragment = 20;
    public const int RegOffset = 24;
    public const int RegFileSize = 28;
    public const int RegSize = 32;

    /// <summary>squashfs_lreg_inode_header: start_block (64), file_size (64), sparse (64), nlink, fragment, offset, xattr, then the block list.</summary>
    public const int LRegStartBlock = 16;
    public const int LRegFileSize = 24;
    public const int LRegFragment = 44;
    public const int LRegOffset = 48;
    public const int LRegXattr = 52;
    public const int LRegSize = 56;

    /// <summary>squashfs_symlink_inode_header: nlink, symlink_size, then the target (then xattr for type 10).</summary>
    public const int SymlinkLength = 20;
    public const int SymlinkSize = 24;

    /// <summary>squashfs_dev_inode_header: nlink, rdev (then xattr for types 11 and 12).</summary>
    public const int DevRdev = 20;
    public const int DevSize = 24;
    public const int LDevXattr = 24;
    public const int LDevSize = 28;

    /// <summary>squashfs_lipc_inode_header: nlink, xattr.</summary>
    public const int LIpcXattr = 20;
    public const int LIpcSize = 24;
}

/// <summary>
/// 3.x inode layouts (squashfs_compat.h struct squashfs_*_inode_header_3, packed). The base header
/// is a 32-bit bit-field word (inode_type:4 mode:12 uid:8 guid:8), mtime, inode_number; the type
/// numbers are those of 4.0's first nine. Bit positions count as <see cref="ByteOrder.Bits"/> does.
/// </summary>
internal static class Inode3
{
    public const int TypeBit = 0;
    public const int TypeBits = 4;
    public const int ModeBit = 4;
    public const int ModeBits = 12;
    public const int UidBit = 16;
    public const int GidBit = 24;
    public const int IdBits = 8;
    public const int Mtime = 4;
    public const int Number = 8;
    public const int BaseSize = 12;

    /// <summary>dir: nlink, file_size:19 offset:13, start_block, parent_inode.</summary>
    public const int DirFileSizeBit = 128;
    public const int DirFileSizeBits = 19;
    public const int DirOffsetBit = 147;
    public const int DirOffsetBits = 13;
    public const int DirStartBlock = 20;
    public const int DirSize = 28;

    /// <summary>ldir: nlink, file_size:27 offset:13, start_block, i_count:16, parent_inode, then the index.</summary>
    public const int LDirFileSizeBits = 27;
    public const int LDirOffsetBit = 155;
    public const int LDirStartBlock = 21;
    public const int LDirSize = 31;

    /// <summary>reg: start_block (64), fragment, offset, file_size, then 32-bit block sizes.</summary>
    public const int RegStartBlock = 12;
    public const int RegFragment = 20;
    public const int RegOffset = 24;
    public const int RegFileSize = 28;
    public const int RegSize = 32;

    /// <summary>lreg: nlink, start_block (64), fragment, offset, file_size (64).</summary>
    public const int LRegStartBlock = 16;
    public const int LRegFragment = 24;
    public const int LRegOffset = 28;
    public const int LRegFileSize = 32;
    public const int LRegSize = 40;

    /// <summary>symlink: nlink, symlink_size (16), then the target.</summary>
    public const int SymlinkLength = 16;
    public const int SymlinkSize = 18;

    /// <summary>dev: nlink, rdev (16: major &lt;&lt; 8 | minor).</summary>
    public const int DevRdev = 16;
    public const int DevSize = 18;
}

/// <summary>
/// 2.x inode layouts (squashfs_compat.h struct squashfs_*_inode_header_2, packed). The base header
/// is the 32-bit bit-field word of 3.x (inode_type:4 mode:12 uid:8 guid:8) alone: no mtime, no
/// inode number, no nlink. Files and directories carry an mtime; the other types take the
/// superblock's mkfs_time. Types 1-8 (8: the extended directory, new in 2.1).
/// </summary>
internal static class Inode2
{
    public const int BaseSize = 4;
    public const int MaxType = Inode4.TypeLDir;

    /// <summary>dir: file_size:19 offset:13, mtime, start_block:24.</summary>
    public const int DirFileSizeBit = 32;
    public const int DirFileSizeBits = 19;
    public const int DirOffsetBit = 51;
    public const int DirOffsetBits = 13;
    public const int DirMtime = 8;
    public const int DirStartBlockBit = 96;
    public const int StartBlockBits = 24;
    public const int DirSize = 15;

    /// <summary>ldir: file_size:27 offset:13, mtime, start_block:24, i_count:16, then the index.</summary>
    public const int LDirFileSizeBits = 27;
    public const int LDirOffsetBit = 59;
    public const int LDirMtime = 9;
    public const int LDirStartBlockBit = 104;
    public const int LDirSize = 18;

    /// <summary>reg: mtime, start_block (32), fragment, offset, file_size (32), then 32-bit block sizes.</summary>
    public const int RegMtime = 4;
    public const int RegStartBlock = 8;
    public const int RegFragment = 12;
    public const int RegOffset = 16;
    public const int RegFileSize = 20;
    public const int RegSize = 24;

    /// <summary>symlink: symlink_size (16), then the target.</summary>
    public const int SymlinkLength = 4;
    public const int SymlinkSize = 6;

    /// <summary>dev: rdev (16: major &lt;&lt; 8 | minor).</summary>
    public const int DevRdev = 4;
    public const int DevSize = 6;
}

/// <summary>
/// 1.x inode layouts (squashfs_compat.h struct squashfs_*_inode_header_1, packed). The base header
/// is 24 bits: inode_type:4 mode:12 uid:4 guid:4. Types 1-15 fold the uid index's high bits in:
/// the type is <c>(type - 1) % 5 + 1</c> (directory, file, symlink, block, char device) and the
/// uid index <c>(type - 1) / 5 * 16 + uid</c>. Type 0 is a fifo or socket, with a fourth byte:
/// type:4 (6 fifo, 7 socket) and offset:4 (the uid index's high bits). No fragments: a file's
/// block list has one 16-bit entry per block, bit 15 set when the block is stored uncompressed.
/// </summary>
internal static class Inode1
{
    public const int BaseSize = 3;
    public const int UidBits = 4;
    public const int UidBit = 16;
    public const int GidBit = 20;
    public const int TypeIpc = 0;
    public const int Types = 5;
    public const int UidsPerType = 16;

    /// <summary>A guid index of 15 means "same as the uid".</summary>
    public const int GidSameAsUid = 15;

    /// <summary>ipc: type:4 offset:4 after the base.</summary>
    public const int IpcTypeBit = 24;
    public const int IpcOffsetBit = 28;
    public const int IpcSize = 4;

    /// <summary>dev: rdev (16).</summary>
    public const int DevRdev = 3;
    public const int DevSize = 5;

    /// <summary>symlink: symlink_size (16), then the target.</summary>
    public const int SymlinkLength = 3;
    public const int SymlinkSize = 5;

    /// <summary>reg: mtime, start_block (32), file_size (32), then 16-bit block sizes.</summary>
    public const int RegMtime = 3;
    public const int RegStartBlock = 7;
    public const int RegFileSize = 11;
    public const int RegSize = 15;

    /// <summary>dir: file_size:19 offset:13, mtime, start_block:24.</summary>
    public const int DirFileSizeBit = 24;
    public const int DirOffsetBit = 43;
    public const int DirMtime = 7;
    public const int DirStartBlockBit = 88;
    public const int DirSize = 14;

    /// <summary>Block list entry: bit 15 set means stored uncompressed; a stored size of 0 means 32 KiB (SQUASHFS_COMPRESSED_SIZE).</summary>
    public const int BlockListEntrySize = 2;
    public const ushort BlockUncompressed = 0x8000;
}
