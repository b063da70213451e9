using System.Buffers.Binary;

namespace Assay.Formats.Jffs2;

/// <summary>
/// Reads JFFS2 integers in the image's byte order (<c>jint16_t</c>/<c>jint32_t</c> of
/// include/uapi/linux/jffs2.h are host-endian on the device that wrote them).
/// </summary>
internal readonly record struct Jffs2Endian(bool BigEndian)
{
    public ushort U16(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
    public uint U32(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
}

/// <summary>
/// The header every JFFS2 node starts with (<c>struct jffs2_unknown_node</c>, 12 bytes); nodes are
/// 4-byte aligned.
/// <code>
/// jint16 magic 0x1985; jint16 nodetype; jint32 totlen; jint32 hdr_crc (crc32(0) of the first 8 bytes,
/// computed with the ACCURATE bit 0x2000 of nodetype set: clearing it marks a node obsolete in place)
/// </code>
/// </summary>
internal readonly record struct Jffs2NodeHeader(ushort NodeType, uint TotalLength)
{
    public const int Size = 12;
    public const ushort Magic = 0x1985;
    public const ushort Accurate = 0x2000;
    public const ushort Dirent = 0xe001;
    public const ushort Inode = 0xe002;
    public const ushort CleanMarker = 0x2003;
    public const ushort Padding = 0x2004;
    public const ushort Summary = 0x2006;
    public const ushort Xattr = 0xe008;
    public const ushort XattrRef = 0xe009;
    private const int NodeTypeOffset = 2;
    private const int TotalLengthOffset = 4;
    private const int CrcOffset = 8;

    public bool IsObsolete => (NodeType & Accurate) == 0;

    /// <summary>Parses a header with a valid magic and CRC; null otherwise.</summary>
    public static Jffs2NodeHeader? Read(ReadOnlySpan<byte> span, Jffs2Endian e)
    {
        if (span.Length < Size || e.U16(span) != Magic)
            return null;
        var type = e.U16(span[NodeTypeOffset..]);
        Span<byte> crcInput = stackalloc byte[CrcOffset];
        span[..CrcOffset].CopyTo(crcInput);
        var accurate = (ushort)(type | Accurate);
        if (e.BigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(crcInput[NodeTypeOffset..], accurate);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(crcInput[NodeTypeOffset..], accurate);
        if (KernelCrc32.SeedZero(crcInput) != e.U32(span[CrcOffset..]))
            return null;
        return new Jffs2NodeHeader(type, e.U32(span[TotalLengthOffset..]));
    }

    /// <summary>The endianness whose magic starts <paramref name="span"/> (85 19 little, 19 85 big), or null.</summary>
    public static Jffs2Endian? DetectEndian(ReadOnlySpan<byte> span)
    {
        if (span.Length < 2)
            return null;
        if (BinaryPrimitives.ReadUInt16LittleEndian(span) == Magic)
            return new Jffs2Endian(false);
        if (BinaryPrimitives.ReadUInt16BigEndian(span) == Magic)
            return new Jffs2Endian(true);
        return null;
    }
}

/// <summary>
/// Directory entry node (<c>struct jffs2_raw_dirent</c>, 40 bytes + name); ino 0 unlinks the name.
/// <code>
/// header(12); jint32 pino; jint32 version; jint32 ino; jint32 mctime; u8 nsize; u8 type; u8 unused[2];
/// jint32 node_crc (crc32(0) of the first 32 bytes); jint32 name_crc; u8 name[nsize]
/// </code>
/// </summary>
internal sealed record Jffs2Dirent(uint Parent, uint Version, uint Inum, byte Type, byte[] Name, long Offset)
{
    public const int HeaderSize = 40;
    private const int ParentOffset = 12;
    private const int VersionOffset = 16;
    private const int InumOffset = 20;
    private const int NameSizeOffset = 28;
    private const int TypeOffset = 29;
    private const int NodeCrcOffset = 32;
    private const int NameCrcOffset = 36;

    /// <summary>Parses the node; returns null with a reason when a CRC or a length is wrong.</summary>
    public static Jffs2Dirent? Read(ReadOnlySpan<byte> node, Jffs2Endian e, long offset, out string? problem)
    {
        problem = null;
        if (node.Length < HeaderSize)
        {
            problem = $"directory entry node of {node.Length} bytes is shorter than its {HeaderSize}-byte header";
            return null;
        }

        if (KernelCrc32.SeedZero(node[..NodeCrcOffset]) != e.U32(node[NodeCrcOffset..]))
        {
            problem = "directory entry node_crc mismatch";
            return null;
        }

        var nameSize = node[NameSizeOffset];
        if (nameSize > node.Length - HeaderSize)
        {
            problem = $"directory entry nsize {nameSize} passes the node's totlen {node.Length}";
            return null;
        }

        var name = node.Slice(HeaderSize, nameSize);
        if (KernelCrc32.SeedZero(name) != e.U32(node[NameCrcOffset..]))
        {
            problem = "directory entry name_crc mismatch";
            return null;
        }

        return new Jffs2Dirent(e.U32(node[ParentOffset..]), e.U32(node[VersionOffset..]), e.U32(node[InumOffset..]), node[TypeOffset], name.ToArray(), offset);
    }
}

/// <summary>
/// Inode node (<c>struct jffs2_raw_inode</c>, 68 bytes + data): metadata and one range of the file's data.
/// <code>
/// header(12); jint32 ino; jint32 version; jint32 mode; jint16 uid; jint16 gid; jint32 isize; jint32 atime;
/// jint32 mtime; jint32 ctime; jint32 offset; jint32 csize; jint32 dsize; u8 compr; u8 usercompr;
/// jint16 flags; jint32 data_crc (crc32(0) of the csize stored bytes); jint32 node_crc (of the first 60 bytes);
/// u8 data[csize]
/// </code>
/// </summary>
internal readonly record struct Jffs2InodeNode(uint Inum, uint Version, uint Mode, ushort Uid, ushort Gid, uint Isize, uint Mtime, uint DataOffset, uint CompressedSize, uint DataSize, byte Compressor, uint DataCrc, long Position)
{
    public const int HeaderSize = 68;
    private const int InumOffset = 12;
    private const int VersionOffset = 16;
    private const int ModeOffset = 20;
    private const int UidOffset = 24;
    private const int GidOffset = 26;
    private const int IsizeOffset = 28;
    private const int MtimeOffset = 36;
    private const int DataOffsetOffset = 44;
    private const int CompressedSizeOffset = 48;
    private const int DataSizeOffset = 52;
    private const int CompressorOffset = 56;
    private const int DataCrcOffset = 60;
    private const int NodeCrcOffset = 64;

    /// <summary>Parses the 68-byte header of an inode node of <paramref name="totalLength"/> bytes; null with a reason when wrong.</summary>
    public static Jffs2InodeNode? Read(ReadOnlySpan<byte> header, uint totalLength, Jffs2Endian e, long position, out string? problem)
    {
        problem = null;
        if (header.Length < HeaderSize || totalLength < HeaderSize)
        {
            problem = $"inode node of {totalLength} bytes is shorter than its {HeaderSize}-byte header";
            return null;
        }

        if (KernelCrc32.SeedZero(header[..DataCrcOffset]) != e.U32(header[NodeCrcOffset..]))
        {
            problem = "inode node_crc mismatch";
            return null;
        }

        var node = new Jffs2InodeNode(
            e.U32(header[InumOffset..]),
            e.U32(header[VersionOffset..]),
            e.U32(header[ModeOffset..]),
            e.U16(header[UidOffset..]),
            e.U16(header[GidOffset..]),
            e.U32(header[IsizeOffset..]),
            e.U32(header[MtimeOffset..]),
            e.U32(header[DataOffsetOffset..]),
            e.U32(header[CompressedSizeOffset..]),
            e.U32(header[DataSizeOffset..]),
            header[CompressorOffset],
            e.U32(header[DataCrcOffset..]),
            position);
        if (node.CompressedSize > totalLength - HeaderSize)
        {
            problem = $"inode {node.Inum} csize {node.CompressedSize} passes the node's totlen {totalLength}";
            return null;
        }

        return node;
    }
}

/// <summary>JFFS2 compressor ids (<c>JFFS2_COMPR_*</c>).</summary>
internal static class Jffs2Compressor
{
    public const byte None = 0x00;
    public const byte Zero = 0x01;
    public const byte Rtime = 0x02;
    public const byte RubinMips = 0x03;
    public const byte Copy = 0x04;
    public const byte DynRubin = 0x05;
    public const byte Zlib = 0x06;
    public const byte Lzo = 0x07;
    public const byte Lzma = 0x08;
}
