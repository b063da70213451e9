using System.Buffers.Binary;

namespace Assay.Formats.SquashFs;

/// <summary>Byte order of one image: every multi-byte field of SquashFS follows the magic's order.</summary>
internal readonly record struct ByteOrder(bool BigEndian)
{
    public ushort U16(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);

    public uint U32(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    public ulong U64(ReadOnlySpan<byte> s, int at) =>
        BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    /// <summary>
    /// A bit field of a 3.x packed structure. gcc allocates bit fields from the least significant bit
    /// on little-endian targets and from the most significant bit on big-endian ones, so bit
    /// <paramref name="bit"/> counts from the first byte's low bit (LE) or high bit (BE)
    /// (squashfs_compat.h SQUASHFS_SWAP).
    /// </summary>
    public uint Bits(ReadOnlySpan<byte> s, int bit, int width)
    {
        var first = bit / 8;
        var last = (bit + width - 1) / 8;
        ulong v = 0;
        if (BigEndian)
        {
            for (var i = first; i <= last; i++)
                v = (v << 8) | s[i];
            var tail = ((last + 1) * 8) - bit - width;
            return (uint)((v >> tail) & ((1UL << width) - 1));
        }
        for (var i = last; i >= first; i--)
            v = (v << 8) | s[i];
        return (uint)((v >> (bit % 8)) & ((1UL << width) - 1));
    }
}

/// <summary>On-disk constants shared by SquashFS 3.x and 4.0 (squashfs_fs.h, squashfs_compat.h).</summary>
internal static class SquashFsLayout
{
    /// <summary><c>68 73 71 73</c> "hsqs": 0x73717368 stored little-endian.</summary>
    public const uint MagicLittle = 0x73717368;

    public const int MetadataSize = 8192;
    public const int MetadataHeaderSize = 2;

    /// <summary>Metadata block header: bit 15 set means stored uncompressed; the low 15 bits are the stored size.</summary>
    public const ushort MetadataUncompressed = 0x8000;

    /// <summary>Data block size word: bit 24 set means stored uncompressed; the low 24 bits are the stored size (0: a hole).</summary>
    public const uint DataUncompressed = 1u << 24;

    public const uint InvalidFragment = 0xffffffff;

    /// <summary>An extended inode's xattr index when it has no extended attributes (SQUASHFS_INVALID_XATTR).</summary>
    public const uint NoXattr = 0xffffffff;
    public const ulong InvalidTable = 0xffffffffffffffff;
    public const int MinBlockLog = 12;
    public const int MaxBlockLog = 20;
    public const int MaxNameLength = 256;
    public const int MaxDirectoryCount = 256;
    public const int MaxSymlinkLength = 65535;

    /// <summary>The directory size in the inode counts 3 bytes for the implicit "." and "..".</summary>
    public const int DirectorySizeBias = 3;

    /// <summary>Superblock flag SQUASHFS_CHECK: 3.x metadata blocks carry a marker byte after their header.</summary>
    public const int FlagCheck = 1 << 2;

    /// <summary>Superblock flag SQUASHFS_COMP_OPT (4.0): compressor options follow the superblock.</summary>
    public const int FlagCompressorOptions = 1 << 10;

    /// <summary>A 3.x inode's gid index of 255 means "same as the uid".</summary>
    public const int GidSameAsUid3 = 255;

    public static long InodeBlock(ulong reference) => (long)(reference >> 16);
    public static int InodeOffset(ulong reference) => (int)(reference & 0xffff);
}

/// <summary>Compressor ids of the 4.0 superblock (squashfs_fs.h *_COMPRESSION).</summary>
internal enum SquashFsCompression
{
    Gzip = 1,
    Lzma = 2,
    Lzo = 3,
    Xz = 4,
    Lz4 = 5,
    Zstd = 6,

    /// <summary>3.x images whose blocks may be zlib or a vendor LZMA variant, told apart per block.</summary>
    Legacy3 = 100,
}

/// <summary>
/// The superblock of a 4.0 or 3.x image, normalised. 4.0 layout (96 bytes, struct
/// squashfs_super_block), from a real image:
/// <code>
/// 00: 68 73 71 73  c5 03 00 00  00 81 e6 6a  00 00 02 00   magic, inodes, mkfs_time, block_size
/// 10: 2c 00 00 00  04 00 11 00  c0 00 04 00  04 00 00 00   fragments, compression, block_log, flags, no_ids, major, minor
/// 20: 77 01 e0 20 00 00 00 00   0e 8e be 00 00 00 00 00    root_inode, bytes_used
/// 30: id_table_start  38: xattr_id_table_start  40: inode_table_start  48: directory_table_start
/// 50: fragment_table_start  58: lookup_table_start
/// </code>
/// 3.x layout (struct squashfs_super_block_3, packed, 119 bytes): see <see cref="Parse3"/>.
/// </summary>
internal readonly record struct SquashFsSuperBlock(
    ByteOrder Order,
    int Major,
    int Minor,
    uint Inodes,
    uint MkfsTime,
    uint BlockSize,
    int BlockLog,
    uint Fragments,
    SquashFsCompression Compression,
    int Flags,
    int IdCount,
    int GidCount,
    ulong RootInode,
    long BytesUsed,
    long IdTableStart,
    long GidTableStart,
    long XattrIdTableStart,
    long InodeTableStart,
    long DirectoryTableStart,
    long FragmentTableStart,
    long LookupTableStart)
{
    public const int Size4 = 96;
    public const int Size3 = 119;

    /// <summary>The 2.x superblock: the 3.x one up to fragment_table_start_2.</summary>
    public const int Size2 = 63;

    /// <summary>The 1.x superblock: the 3.x one up to root_inode.</summary>
    public const int Size1 = 51;

    private const int MagicOffset = 0;
    private const int MajorOffset = 28;
    private const int MinorOffset = 30;

    // 4.0 field offsets
    private const int InodesOffset = 4;
    private const int MkfsTimeOffset = 8;
    private const int BlockSizeOffset = 12;
    private const int FragmentsOffset = 16;
    private const int CompressionOffset = 20;
    private const int BlockLogOffset = 22;
    private const int FlagsOffset = 24;
    private const int NoIdsOffset = 26;
    private const int RootInodeOffset = 32;
    private const int BytesUsedOffset = 40;
    private const int IdTableOffset = 48;
    private const int XattrIdTableOffset = 56;
    private const int InodeTableOffset = 64;
    private const int DirectoryTableOffset = 72;
    private const int FragmentTableOffset = 80;
    private const int LookupTableOffset = 88;

    // 3.x field offsets (byte positions of the packed struct; the bit fields there are byte aligned)
    private const int BlockLog3Offset = 34;
    private const int Flags3Offset = 36;
    private const int NoUids3Offset = 37;
    private const int NoGuids3Offset = 38;
    private const int MkfsTime3Offset = 39;
    private const int RootInode3Offset = 43;
    private const int BlockSize3Offset = 51;
    private const int Fragments3Offset = 55;
    private const int BytesUsed3Offset = 63;
    private const int UidStart3Offset = 71;
    private const int GuidStart3Offset = 79;
    private const int InodeTable3Offset = 87;
    private const int DirectoryTable3Offset = 95;
    private const int FragmentTable3Offset = 103;
    private const int LookupTable3Offset = 111;

    // 2.x: 32-bit table positions (bytes_used_2 ... directory_table_start_2, fragment_table_start_2)
    private const int BytesUsed2Offset = 8;
    private const int UidStart2Offset = 12;
    private const int GuidStart2Offset = 16;
    private const int InodeTable2Offset = 20;
    private const int DirectoryTable2Offset = 24;
    private const int FragmentTable2Offset = 59;

    // 1.x: the 16-bit block_size_1
    private const int BlockSize1Offset = 32;

    public bool IsVersion4 => Major == 4;

    public bool IsVersion2 => Major == 2;

    public bool IsVersion1 => Major == 1;

    /// <summary>1.x and 2.x: 4-byte directory headers, 3-byte entries, no "."/".." bias in the directory size.</summary>
    public bool HasDirectoryLayout2 => Major is 1 or 2;

    /// <summary>
    /// Vendor signatures of older router firmware in place of the standard magic, with the byte
    /// order of the rest of the superblock (binwalk's filesystem magic list): the layout after them
    /// is the standard 3.x or 4.0 one.
    /// </summary>
    public static readonly (string Magic, bool BigEndian)[] VendorMagics = [("shsq", false), ("hsqt", false), ("qshs", true), ("tqsh", true), ("sqlz", true)];

    /// <summary>The byte order told by the magic, or null when the four bytes are not a SquashFS magic.</summary>
    public static ByteOrder? OrderOf(ReadOnlySpan<byte> s) => OrderOf(s, out _);

    /// <summary>As <see cref="OrderOf(ReadOnlySpan{byte})"/>; <paramref name="vendor"/> names a vendor signature.</summary>
    public static ByteOrder? OrderOf(ReadOnlySpan<byte> s, out string? vendor)
    {
        vendor = null;
        var le = BinaryPrimitives.ReadUInt32LittleEndian(s[MagicOffset..]);
        if (le == SquashFsLayout.MagicLittle)
            return new ByteOrder(false);
        if (BinaryPrimitives.ReadUInt32BigEndian(s[MagicOffset..]) == SquashFsLayout.MagicLittle)
            return new ByteOrder(true);
        foreach (var (magic, bigEndian) in VendorMagics)
        {
            if (s[0] == magic[0] && s[1] == magic[1] && s[2] == magic[2] && s[3] == magic[3])
            {
                vendor = magic;
                return new ByteOrder(bigEndian);
            }
        }
        return null;
    }

    /// <summary>The major version (bytes 28-29 in both layouts).</summary>
    public static int MajorOf(ReadOnlySpan<byte> s, ByteOrder order) => order.U16(s, MajorOffset);

    public static SquashFsSuperBlock Parse4(ReadOnlySpan<byte> s, ByteOrder o) => new(
        o,
        o.U16(s, MajorOffset),
        o.U16(s, MinorOffset),
        o.U32(s, InodesOffset),
        o.U32(s, MkfsTimeOffset),
        o.U32(s, BlockSizeOffset),
        o.U16(s, BlockLogOffset),
        o.U32(s, FragmentsOffset),
        (SquashFsCompression)o.U16(s, CompressionOffset),
        o.U16(s, FlagsOffset),
        o.U16(s, NoIdsOffset),
        0,
        o.U64(s, RootInodeOffset),
        (long)o.U64(s, BytesUsedOffset),
        (long)o.U64(s, IdTableOffset),
        -1,
        (long)o.U64(s, XattrIdTableOffset),
        (long)o.U64(s, InodeTableOffset),
        (long)o.U64(s, DirectoryTableOffset),
        (long)o.U64(s, FragmentTableOffset),
        (long)o.U64(s, LookupTableOffset));

    /// <summary>
    /// struct squashfs_super_block_3: magic, inodes, five 32-bit 2.x fields, major:16 minor:16
    /// block_size_1:16 block_log:16 flags:8 no_uids:8 no_guids:8, mkfs_time, root_inode (64),
    /// block_size, fragments, fragment_table_start_2, then bytes_used, uid_start, guid_start,
    /// inode_table_start, directory_table_start, fragment_table_start, lookup_table_start (64 each).
    /// </summary>
    public static SquashFsSuperBlock Parse3(ReadOnlySpan<byte> s, ByteOrder o) => new(
        o,
        o.U16(s, MajorOffset),
        o.U16(s, MinorOffset),
        o.U32(s, InodesOffset),
        o.U32(s, MkfsTime3Offset),
        o.U32(s, BlockSize3Offset),
        o.U16(s, BlockLog3Offset),
        o.U32(s, Fragments3Offset),
        SquashFsCompression.Legacy3,
        s[Flags3Offset],
        s[NoUids3Offset],
        s[NoGuids3Offset],
        o.U64(s, RootInode3Offset),
        (long)o.U64(s, BytesUsed3Offset),
        (long)o.U64(s, UidStart3Offset),
        (long)o.U64(s, GuidStart3Offset),
        -1,
        (long)o.U64(s, InodeTable3Offset),
        (long)o.U64(s, DirectoryTable3Offset),
        (long)o.U64(s, FragmentTable3Offset),
        (long)o.U64(s, LookupTable3Offset));

    /// <summary>
    /// The 2.x superblock (unsquash-2.c read_super_2): the 3.x layout's first 63 bytes, table
    /// positions in the 32-bit <c>*_2</c> fields; no lookup table; zlib blocks.
    /// </summary>
    public static SquashFsSuperBlock Parse2(ReadOnlySpan<byte> s, ByteOrder o) => new(
        o,
        o.U16(s, MajorOffset),
        o.U16(s, MinorOffset),
        o.U32(s, InodesOffset),
        o.U32(s, MkfsTime3Offset),
        o.U32(s, BlockSize3Offset),
        o.U16(s, BlockLog3Offset),
        o.U32(s, Fragments3Offset),
        SquashFsCompression.Legacy3,
        s[Flags3Offset],
        s[NoUids3Offset],
        s[NoGuids3Offset],
        o.U64(s, RootInode3Offset),
        o.U32(s, BytesUsed2Offset),
        o.U32(s, UidStart2Offset),
        o.U32(s, GuidStart2Offset),
        -1,
        o.U32(s, InodeTable2Offset),
        o.U32(s, DirectoryTable2Offset),
        o.U32(s, FragmentTable2Offset),
        -1);

    /// <summary>
    /// The 1.x superblock (unsquash-1.c read_super_1): the 2.x fields up to root_inode, the 16-bit
    /// block_size_1 as block size; no fragments, no lookup table; zlib blocks.
    /// </summary>
    public static SquashFsSuperBlock Parse1(ReadOnlySpan<byte> s, ByteOrder o) => Parse2(s, o) with
    {
        BlockSize = o.U16(s, BlockSize1Offset),
        Fragments = 0,
        FragmentTableStart = -1,
    };

    /// <summary>
    /// Checks the fields a carver relies on; returns why the superblock is not acceptable, or null.
    /// </summary>
    public string? Validate()
    {
        if (BlockLog is < SquashFsLayout.MinBlockLog or > SquashFsLayout.MaxBlockLog || BlockSize != 1u << BlockLog)
            return $"block_size {BlockSize} / block_log {BlockLog} is not a power of two between 4 KiB and 1 MiB";
        if (IsVersion4 && Compression is < SquashFsCompression.Gzip or > SquashFsCompression.Zstd)
            return $"compression id {(int)Compression} is not 1-6 (gzip, lzma, lzo, xz, lz4, zstd)";
        var headerSize = IsVersion4 ? Size4 : IsVersion2 ? Size2 : IsVersion1 ? Size1 : Size3;
        if (BytesUsed < headerSize)
            return $"bytes_used {BytesUsed} is smaller than the superblock";
        if (InodeTableStart < headerSize || InodeTableStart >= DirectoryTableStart || DirectoryTableStart > BytesUsed)
            return $"inode table 0x{InodeTableStart:x} and directory table 0x{DirectoryTableStart:x} are not in order within bytes_used 0x{BytesUsed:x}";
        if (IdTableStart < 0 || IdTableStart > BytesUsed)
            return $"id table 0x{IdTableStart:x} lies outside bytes_used 0x{BytesUsed:x}";
        if (IsVersion4 && (IdCount == 0 || IdTableStart < DirectoryTableStart))
            return $"no_ids {IdCount} / id table 0x{IdTableStart:x} are not valid";
        if (!IsVersion4 && IdCount == 0)
            return "no_uids is 0";
        if (Fragments > 0 && (FragmentTableStart < DirectoryTableStart || FragmentTableStart > BytesUsed))
            return $"fragment table 0x{FragmentTableStart:x} lies outside the tables";
        if (SquashFsLayout.InodeBlock(RootInode) >= DirectoryTableStart - InodeTableStart || SquashFsLayout.InodeOffset(RootInode) >= SquashFsLayout.MetadataSize)
            return $"root inode reference 0x{RootInode:x} lies outside the inode table";
        return null;
    }

    public string CompressionName => Compression switch
    {
        SquashFsCompression.Gzip => "gzip",
        SquashFsCompression.Lzma => "lzma",
        SquashFsCompression.Lzo => "lzo",
        SquashFsCompression.Xz => "xz",
        SquashFsCompression.Lz4 => "lz4",
        SquashFsCompression.Zstd => "zstd",
        _ => "gzip or vendor lzma",
    };
}

/// <summary>Normalised inode types (the 4.0 basic type; extended types map onto these).</summary>
internal enum SquashFsInodeKind
{
    Directory = 1,
    File = 2,
    Symlink = 3,
    BlockDevice = 4,
    CharDevice = 5,
    Fifo = 6,
    Socket = 7,
}

/// <summary>
/// One inode, normalised across 4.0, 3.x, 2.x and 1.x, basic and extended forms. For files,
/// <see cref="BlockList"/> is where the block sizes start in the inode table.
/// </summary>
internal sealed record SquashFsInode(SquashFsInodeKind Kind, int Mode, long Uid, long Gid, long Mtime, uint Number)
{
    public long DirStartBlock { get; init; }
    public int DirOffset { get; init; }
    public long DirSize { get; init; }

    public long StartBlock { get; init; }
    public long FileSize { get; init; }
    public uint Fragment { get; init; } = SquashFsLayout.InvalidFragment;
    public uint FragmentOffset { get; init; }
    public MetadataCursor BlockList { get; init; }

    public string? Target { get; init; }

    /// <summary>Index into the xattr id table, <see cref="SquashFsLayout.NoXattr"/> when none (basic inodes have none).</summary>
    public uint Xattr { get; init; } = SquashFsLayout.NoXattr;

    public long Major { get; init; }
    public long Minor { get; init; }
}
