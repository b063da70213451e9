using System.Buffers.Binary;

namespace Assay.Formats.Ubi;

/// <summary>
/// Erase counter header, the first 64 bytes of every PEB (drivers/mtd/ubi/ubi-media.h,
/// <c>struct ubi_ec_hdr</c>; all fields big-endian):
/// <code>
/// be32 magic "UBI#"; u8 version; u8 padding1[3]; be64 ec; be32 vid_hdr_offset; be32 data_offset;
/// be32 image_seq; u8 padding2[32]; be32 hdr_crc   (crc32(0xFFFFFFFF) of the first 60 bytes)
/// </code>
/// </summary>
internal readonly record struct UbiEcHeader(byte Version, ulong EraseCount, uint VidHeaderOffset, uint DataOffset, uint ImageSequence, bool CrcOk)
{
    public const int Size = 64;
    private const int VersionOffset = 4;
    private const int EraseCountOffset = 8;
    private const int VidHeaderOffsetOffset = 16;
    private const int DataOffsetOffset = 20;
    private const int ImageSequenceOffset = 24;
    private const int CrcOffset = 60;

    // 00000000: 5542 4923 0100 0000 0000 0000 0000 0000  UBI#............
    // 00000010: 0000 0800 0000 1000 1234 5678 0000 0000  (vid_hdr_offset 0x800, data_offset 0x1000)
    public static ReadOnlySpan<byte> Magic => "UBI#"u8;

    /// <summary>Parses the header; null when the magic is absent.</summary>
    public static UbiEcHeader? Read(ReadOnlySpan<byte> span)
    {
        if (span.Length < Size || !span.StartsWith(Magic))
            return null;
        var crcOk = KernelCrc32.SeedAllOnes(span[..CrcOffset]) == BinaryPrimitives.ReadUInt32BigEndian(span[CrcOffset..]);
        return new UbiEcHeader(
            span[VersionOffset],
            BinaryPrimitives.ReadUInt64BigEndian(span[EraseCountOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[VidHeaderOffsetOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[DataOffsetOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[ImageSequenceOffset..]),
            crcOk);
    }
}

/// <summary>
/// Volume identifier header, at <c>vid_hdr_offset</c> of every PEB that holds a LEB
/// (<c>struct ubi_vid_hdr</c>, big-endian):
/// <code>
/// be32 magic "UBI!"; u8 version; u8 vol_type (1 dynamic, 2 static); u8 copy_flag; u8 compat;
/// be32 vol_id; be32 lnum; u8 padding1[4]; be32 data_size; be32 used_ebs; be32 data_pad;
/// be32 data_crc; u8 padding2[4]; be64 sqnum; u8 padding3[12]; be32 hdr_crc
/// </code>
/// </summary>
internal readonly record struct UbiVidHeader(byte VolumeType, bool CopyFlag, uint VolumeId, uint Lnum, uint DataSize, uint UsedEbs, uint DataPad, uint DataCrc, ulong Sqnum)
{
    public const int Size = 64;
    public const byte Dynamic = 1;
    public const byte Static = 2;
    private const int VolumeTypeOffset = 5;
    private const int CopyFlagOffset = 6;
    private const int VolumeIdOffset = 8;
    private const int LnumOffset = 12;
    private const int DataSizeOffset = 20;
    private const int UsedEbsOffset = 24;
    private const int DataPadOffset = 28;
    private const int DataCrcOffset = 32;
    private const int SqnumOffset = 40;
    private const int CrcOffset = 60;

    // 00000800: 5542 4921 0101 0005 7fff efff 0000 0000  UBI!  (dynamic, compat 5, vol_id 0x7fffefff = layout volume)
    public static ReadOnlySpan<byte> Magic => "UBI!"u8;

    /// <summary>Parses the header; null when the magic is absent; throws nothing. <paramref name="crcOk"/> tells whether hdr_crc matched.</summary>
    public static UbiVidHeader? Read(ReadOnlySpan<byte> span, out bool crcOk)
    {
        crcOk = false;
        if (span.Length < Size || !span.StartsWith(Magic))
            return null;
        crcOk = KernelCrc32.SeedAllOnes(span[..CrcOffset]) == BinaryPrimitives.ReadUInt32BigEndian(span[CrcOffset..]);
        return new UbiVidHeader(
            span[VolumeTypeOffset],
            span[CopyFlagOffset] != 0,
            BinaryPrimitives.ReadUInt32BigEndian(span[VolumeIdOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[LnumOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[DataSizeOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[UsedEbsOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[DataPadOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[DataCrcOffset..]),
            BinaryPrimitives.ReadUInt64BigEndian(span[SqnumOffset..]));
    }
}

/// <summary>
/// One record of the volume table, stored in both LEBs of the layout volume (vol_id 0x7fffefff)
/// (<c>struct ubi_vtbl_record</c>, 172 bytes, big-endian):
/// <code>
/// be32 reserved_pebs; be32 alignment; be32 data_pad; u8 vol_type; u8 upd_marker; be16 name_len;
/// u8 name[128]; u8 flags; u8 padding[23]; be32 crc   (crc32(0xFFFFFFFF) of the first 168 bytes)
/// </code>
/// An unused slot has reserved_pebs 0 (and is all zero apart from its CRC).
/// </summary>
internal readonly record struct UbiVtblRecord(int Index, uint ReservedPebs, uint Alignment, uint DataPad, byte VolumeType, bool UpdateMarker, string Name, byte Flags)
{
    public const int Size = 172;
    public const int MaxRecords = 128;
    public const int MaxNameLength = 127;
    private const int AlignmentOffset = 4;
    private const int DataPadOffset = 8;
    private const int VolumeTypeOffset = 12;
    private const int UpdateMarkerOffset = 13;
    private const int NameLengthOffset = 14;
    private const int NameOffset = 16;
    private const int FlagsOffset = 144;
    private const int CrcOffset = 168;

    // 00001000: 0000 00a6 0000 0001 0000 0000 0100 0006  reserved_pebs 166, alignment 1, dynamic, name_len 6
    // 00001010: 726f 6f74 6673 0000 ...                  "rootfs"

    /// <summary>Parses a record; null when its CRC does not match.</summary>
    public static UbiVtblRecord? Read(ReadOnlySpan<byte> span, int index)
    {
        if (span.Length < Size)
            return null;
        if (KernelCrc32.SeedAllOnes(span[..CrcOffset]) != BinaryPrimitives.ReadUInt32BigEndian(span[CrcOffset..]))
            return null;
        var nameLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(span[NameLengthOffset..]), (ushort)MaxNameLength);
        var name = System.Text.Encoding.UTF8.GetString(span.Slice(NameOffset, nameLength));
        return new UbiVtblRecord(
            index,
            BinaryPrimitives.ReadUInt32BigEndian(span),
            BinaryPrimitives.ReadUInt32BigEndian(span[AlignmentOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(span[DataPadOffset..]),
            span[VolumeTypeOffset],
            span[UpdateMarkerOffset] != 0,
            name,
            span[FlagsOffset]);
    }
}
