using System.Buffers.Binary;

namespace Assay.Formats.Ext;

/// <summary>
/// The fields of <c>struct ext4_inode</c> (fs/ext4/ext4.h) that listing needs. The first 128 bytes
/// are the ext2 inode; bytes 128.. (i_extra_isize long) carry the ext4 extensions, then in-inode
/// extended attributes up to s_inode_size.
/// </summary>
internal readonly record struct ExtInode(
    ushort Mode,
    uint Uid,
    uint Gid,
    ulong Size,
    long Mtime,
    ushort LinksCount,
    uint Flags,
    ulong FileAcl,
    byte[] BlockField,
    byte[] Raw)
{
    public const int BlockFieldOffset = 0x28;

    /// <summary>i_block: 15 × 4 bytes (12 direct, indirect, double, triple; or an extent tree root; or inline data).</summary>
    public const int BlockFieldLength = 60;
    public const int GoodOldSize = 128;

    private const int ModeField = 0x00;
    private const int UidField = 0x02;
    private const int SizeLoField = 0x04;
    private const int MtimeField = 0x10;
    private const int GidField = 0x18;
    private const int LinksCountField = 0x1a;
    private const int FlagsField = 0x20;
    private const int FileAclLoField = 0x68;
    private const int SizeHighField = 0x6c;
    private const int FileAclHighField = 0x76;
    private const int UidHighField = 0x78;
    private const int GidHighField = 0x7a;
    private const int ExtraIsizeField = 0x80;
    private const int MtimeExtraField = 0x88;

    // i_mode file type (S_IFMT) values
    public const int TypeMask = 0xf000;
    public const int TypeFifo = 0x1000;
    public const int TypeChar = 0x2000;
    public const int TypeDir = 0x4000;
    public const int TypeBlock = 0x6000;
    public const int TypeRegular = 0x8000;
    public const int TypeSymlink = 0xa000;
    public const int TypeSocket = 0xc000;

    /// <summary>Permission bits plus setuid, setgid and sticky.</summary>
    public const int PermissionMask = 0x0fff;

    // i_flags
    public const uint FlagIndex = 0x1000;
    public const uint FlagHugeFile = 0x40000;
    public const uint FlagExtents = 0x80000;
    public const uint FlagEaInode = 0x200000;
    public const uint FlagInlineData = 0x10000000;

    public int Type => Mode & TypeMask;
    public int Permissions => Mode & PermissionMask;
    public bool HasExtents => (Flags & FlagExtents) != 0;
    public bool HasInlineData => (Flags & FlagInlineData) != 0;

    /// <summary>Size of the in-inode extension (0 for 128-byte inodes).</summary>
    public int ExtraSize => Raw.Length > ExtraIsizeField + 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Raw.AsSpan(ExtraIsizeField)) : 0;

    /// <param name="raw">s_inode_size bytes of the inode table; kept for the in-inode xattr area.</param>
    /// <param name="largeDirSize">Whether i_size_high counts for directories (largedir) as it always does for other files.</param>
    public static ExtInode Parse(byte[] raw, bool largeDirSize)
    {
        var s = raw.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(s[ModeField..]);
        ulong size = BinaryPrimitives.ReadUInt32LittleEndian(s[SizeLoField..]);
        if ((mode & TypeMask) != TypeDir || largeDirSize)
            size |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(s[SizeHighField..]) << 32;
        long mtime = BinaryPrimitives.ReadInt32LittleEndian(s[MtimeField..]);
        var extra = raw.Length > ExtraIsizeField + 2 ? BinaryPrimitives.ReadUInt16LittleEndian(s[ExtraIsizeField..]) : 0;
        if (extra >= MtimeExtraField + 4 - GoodOldSize && raw.Length >= MtimeExtraField + 4)
        {
            // the two low bits of i_mtime_extra extend the signed 32-bit seconds (epoch bits)
            mtime += (long)(BinaryPrimitives.ReadUInt32LittleEndian(s[MtimeExtraField..]) & 3) << 32;
        }
        return new ExtInode(
            Mode: mode,
            Uid: BinaryPrimitives.ReadUInt16LittleEndian(s[UidField..]) | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(s[UidHighField..]) << 16),
            Gid: BinaryPrimitives.ReadUInt16LittleEndian(s[GidField..]) | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(s[GidHighField..]) << 16),
            Size: size,
            Mtime: mtime,
            LinksCount: BinaryPrimitives.ReadUInt16LittleEndian(s[LinksCountField..]),
            Flags: BinaryPrimitives.ReadUInt32LittleEndian(s[FlagsField..]),
            FileAcl: BinaryPrimitives.ReadUInt32LittleEndian(s[FileAclLoField..]) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(s[FileAclHighField..]) << 32),
            BlockField: s.Slice(BlockFieldOffset, BlockFieldLength).ToArray(),
            Raw: raw);
    }
}
