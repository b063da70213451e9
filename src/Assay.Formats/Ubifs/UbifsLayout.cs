using System.Buffers.Binary;

namespace Assay.Formats.Ubifs;

/// <summary>
/// The common header that starts every UBIFS node (fs/ubifs/ubifs-media.h, <c>struct ubifs_ch</c>;
/// all UBIFS fields are little-endian). Nodes sit at 8-byte aligned offsets of a LEB.
/// <code>
/// le32 magic 0x06101831; le32 crc (crc32(0xFFFFFFFF) over bytes 8..len); le64 sqnum; le32 len;
/// u8 node_type; u8 group_type; u8 padding[2]
/// </code>
/// </summary>
internal readonly record struct UbifsCommonHeader(ulong Sqnum, uint Length, byte NodeType)
{
    public const int Size = 24;
    public const uint Magic = 0x06101831;
    public const int CrcOffset = 4;
    public const int CrcStart = 8;
    private const int SqnumOffset = 8;
    private const int LengthOffset = 16;
    private const int NodeTypeOffset = 20;

    public static UbifsCommonHeader? Read(ReadOnlySpan<byte> span)
    {
        if (span.Length < Size || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
            return null;
        return new UbifsCommonHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(span[SqnumOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[LengthOffset..]),
            span[NodeTypeOffset]);
    }

    /// <summary>Whether the stored CRC matches the whole node (<paramref name="node"/> is exactly len bytes).</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> node) =>
        KernelCrc32.SeedAllOnes(node[CrcStart..]) == BinaryPrimitives.ReadUInt32LittleEndian(node[CrcOffset..]);
}

/// <summary>UBIFS node types (<c>enum UBIFS_INO_NODE ...</c>); key types share the first four values.</summary>
internal static class UbifsNodeType
{
    public const byte Inode = 0;
    public const byte Data = 1;
    public const byte Dent = 2;
    public const byte Xent = 3;
    public const byte Superblock = 6;
    public const byte Master = 7;
    public const byte Index = 9;
}

/// <summary>
/// A "simple format" key (8 bytes: le32 inode number, le32 type &lt;&lt; 29 | 29-bit block number or name hash),
/// stored at offset 24 of every keyed node and inside index branches.
/// </summary>
internal readonly record struct UbifsKey(uint Inum, byte Type, uint Value)
{
    public const int Size = 8;
    public const int NodeOffset = UbifsCommonHeader.Size;
    private const int TypeWordOffset = 4;
    private const int TypeShift = 29;
    private const uint ValueMask = 0x1fffffff;

    public static UbifsKey Read(ReadOnlySpan<byte> span)
    {
        var word = BinaryPrimitives.ReadUInt32LittleEndian(span[TypeWordOffset..]);
        return new UbifsKey(BinaryPrimitives.ReadUInt32LittleEndian(span), (byte)(word >> TypeShift), word & ValueMask);
    }
}

/// <summary>
/// Superblock node, at offset 0 of LEB 0 (<c>struct ubifs_sb_node</c>, 4096 bytes).
/// <code>
/// ch; u8 padding[2]; u8 key_hash; u8 key_fmt; le32 flags; le32 min_io_size; le32 leb_size; le32 leb_cnt;
/// le32 max_leb_cnt; le64 max_bud_bytes; le32 log_lebs; le32 lpt_lebs; le32 orph_lebs; le32 jhead_cnt;
/// le32 fanout; le32 lsave_cnt; le32 fmt_version; le16 default_compr; ... le16 hash_algo (at 256)
/// </code>
/// </summary>
internal readonly record struct UbifsSuperblock(byte KeyFormat, uint Flags, int MinIoSize, int LebSize, int LebCount, int LogLebs, int Fanout, uint FormatVersion, ushort DefaultCompressor, ushort HashAlgorithm)
{
    public const int NodeSize = 4096;
    public const uint FlagAuthentication = 0x20;
    public const uint FlagEncryption = 0x10;
    private const int KeyFormatOffset = 27;
    private const int FlagsOffset = 28;
    private const int MinIoSizeOffset = 32;
    private const int LebSizeOffset = 36;
    private const int LebCountOffset = 40;
    private const int LogLebsOffset = 56;
    private const int FanoutOffset = 72;
    private const int FormatVersionOffset = 80;
    private const int DefaultCompressorOffset = 84;
    private const int HashAlgorithmOffset = 256;

    public static UbifsSuperblock Read(ReadOnlySpan<byte> node) => new(
        node[KeyFormatOffset],
        BinaryPrimitives.ReadUInt32LittleEndian(node[FlagsOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[MinIoSizeOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[LebSizeOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[LebCountOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[LogLebsOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[FanoutOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(node[FormatVersionOffset..]),
        BinaryPrimitives.ReadUInt16LittleEndian(node[DefaultCompressorOffset..]),
        BinaryPrimitives.ReadUInt16LittleEndian(node[HashAlgorithmOffset..]));
}

/// <summary>
/// Master node, repeated in LEBs 1 and 2 (<c>struct ubifs_mst_node</c>, 512 bytes): the newest one
/// locates the root of the index.
/// <code>
/// ch; le64 highest_inum; le64 cmt_no; le32 flags; le32 log_lnum; le32 root_lnum; le32 root_offs;
/// le32 root_len; ...
/// </code>
/// </summary>
internal readonly record struct UbifsMaster(ulong Sqnum, ulong CommitNumber, uint Flags, int LogLnum, int RootLnum, int RootOffset, int RootLength)
{
    public const int NodeSize = 512;
    public const uint FlagDirty = 1;
    private const int CommitNumberOffset = 32;
    private const int FlagsOffset = 40;
    private const int LogLnumOffset = 44;
    private const int RootLnumOffset = 48;
    private const int RootOffsetOffset = 52;
    private const int RootLengthOffset = 56;

    public static UbifsMaster Read(ReadOnlySpan<byte> node, ulong sqnum) => new(
        sqnum,
        BinaryPrimitives.ReadUInt64LittleEndian(node[CommitNumberOffset..]),
        BinaryPrimitives.ReadUInt32LittleEndian(node[FlagsOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[LogLnumOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[RootLnumOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[RootOffsetOffset..]),
        BinaryPrimitives.ReadInt32LittleEndian(node[RootLengthOffset..]));
}

/// <summary>
/// Inode node (<c>struct ubifs_ino_node</c>, 160 bytes + data): the data is the symlink target or the
/// device number.
/// <code>
/// ch; key[16]; le64 creat_sqnum; le64 size; le64 atime_sec; le64 ctime_sec; le64 mtime_sec;
/// le32 atime_nsec, ctime_nsec, mtime_nsec; le32 nlink; le32 uid; le32 gid; le32 mode; le32 flags;
/// le32 data_len; le32 xattr_cnt; le32 xattr_size; u8 padding1[4]; le32 xattr_names;
/// le16 compr_type; u8 padding2[26]; u8 data[]
/// </code>
/// </summary>
internal sealed record UbifsInode(uint Inum, ulong Size, long Mtime, uint Nlink, uint Uid, uint Gid, uint Mode, uint Flags, byte[] Data, long Offset)
{
    public const int HeaderSize = 160;
    public const int MaxDataLength = 4096;
    public const uint FlagXattr = 0x20;
    public const uint FlagCrypt = 0x40;
    private const int SizeOffset = 48;
    private const int MtimeOffset = 72;
    private const int NlinkOffset = 92;
    private const int UidOffset = 96;
    private const int GidOffset = 100;
    private const int ModeOffset = 104;
    private const int FlagsOffset = 108;
    private const int DataLengthOffset = 112;

    /// <summary>Parses an inode node of exactly its length; null when data_len does not fit.</summary>
    public static UbifsInode? Read(ReadOnlySpan<byte> node, uint inum, long offset)
    {
        if (node.Length < HeaderSize)
            return null;
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(node[DataLengthOffset..]);
        if (dataLength > MaxDataLength || dataLength > node.Length - HeaderSize)
            return null;
        return new UbifsInode(
            inum,
            BinaryPrimitives.ReadUInt64LittleEndian(node[SizeOffset..]),
            BinaryPrimitives.ReadInt64LittleEndian(node[MtimeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(node[NlinkOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(node[UidOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(node[GidOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(node[ModeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(node[FlagsOffset..]),
            node.Slice(HeaderSize, (int)dataLength).ToArray(),
            offset);
    }
}

/// <summary>
/// Directory entry node (<c>struct ubifs_dent_node</c>, 56 bytes + name + NUL).
/// <code>
/// ch; key[16]; le64 inum; u8 padding1; u8 type; le16 nlen; le32 cookie; u8 name[nlen + 1]
/// </code>
/// </summary>
internal sealed record UbifsDent(uint Parent, ulong Inum, byte Type, byte[] Name, long Offset)
{
    public const int HeaderSize = 56;
    public const int MaxNameLength = 255;
    private const int InumOffset = 40;
    private const int TypeOffset = 49;
    private const int NameLengthOffset = 50;

    /// <summary>Parses a dent node of exactly its length; null when nlen does not fit.</summary>
    public static UbifsDent? Read(ReadOnlySpan<byte> node, uint parent, long offset)
    {
        if (node.Length < HeaderSize)
            return null;
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(node[NameLengthOffset..]);
        if (nameLength == 0 || nameLength > MaxNameLength || nameLength > node.Length - HeaderSize)
            return null;
        return new UbifsDent(parent, BinaryPrimitives.ReadUInt64LittleEndian(node[InumOffset..]), node[TypeOffset], node.Slice(HeaderSize, nameLength).ToArray(), offset);
    }
}

/// <summary>
/// Data node header (<c>struct ubifs_data_node</c>, 48 bytes): one block of at most 4096 bytes.
/// <code>
/// ch; key[16]; le32 size (uncompressed); le16 compr_type (0 none, 1 lzo, 2 zlib, 3 zstd); le16 compr_size; u8 data[]
/// </code>
/// </summary>
internal static class UbifsDataNode
{
    public const int HeaderSize = 48;
    public const int BlockSize = 4096;
    public const int SizeOffset = 40;
    public const int CompressorOffset = 44;
    public const ushort None = 0;
    public const ushort Lzo = 1;
    public const ushort Zlib = 2;
    public const ushort Zstd = 3;
}

/// <summary>
/// Index node (<c>struct ubifs_idx_node</c>): ch; le16 child_cnt; le16 level; then child_cnt branches of
/// (le32 lnum, le32 offs, le32 len, key[8], and in authenticated images a hash of the child).
/// Level 0 branches point at leaf nodes (inode, data, dent, xent).
/// </summary>
internal static class UbifsIndexNode
{
    public const int HeaderSize = 28;
    public const int ChildCountOffset = 24;
    public const int LevelOffset = 26;
    public const int BranchLnumOffset = 0;
    public const int BranchOffsOffset = 4;
    public const int BranchLengthOffset = 8;
    public const int BranchFixedSize = 12;
    public const int MaxLevels = 512;
}
