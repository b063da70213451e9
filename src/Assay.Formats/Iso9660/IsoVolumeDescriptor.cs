using System.Buffers.Binary;
using System.Text;

namespace Assay.Formats.Iso9660;

/// <summary>
/// A primary (type 1) or supplementary (type 2) volume descriptor, ECMA-119 8.4 and 8.5: one
/// logical sector from sector 16 on, ended by a terminator (type 255). Numbers are stored
/// "both-byte orders" (7.2.3, 7.3.3): little-endian first, then big-endian; the little-endian
/// half is read.
/// </summary>
/// <remarks>
/// Start of a real primary volume descriptor at byte 0x8000 (xorriso 1.5):
/// <code>
/// 01 43 44 30 30 31 01 00  4c 49 4e 55 58 20 20 20   .CD001..LINUX
/// </code>
/// </remarks>
internal readonly record struct IsoVolumeDescriptor(
    byte Type,
    string VolumeId,
    uint VolumeSpaceSize,
    ushort LogicalBlockSize,
    byte[] EscapeSequences,
    byte[] RootRecord)
{
    /// <summary>Volume descriptors start at sector 16 of 2048 bytes (ECMA-119 6.2.1: the system area is sectors 0..15).</summary>
    public const int FirstSector = 16;
    public const int SectorSize = 2048;
    public const int FirstDescriptorOffset = FirstSector * SectorSize;

    /// <summary>"CD001" at byte 1 of every descriptor, so at 0x8001 of the image.</summary>
    public const int StandardIdField = 1;
    public const int MagicOffsetInImage = FirstDescriptorOffset + StandardIdField;
    public static ReadOnlySpan<byte> StandardId => "CD001"u8;

    public const byte TypePrimary = 1;
    public const byte TypeSupplementary = 2;
    public const byte TypeTerminator = 255;

    private const int TypeField = 0;
    private const int VersionField = 6;
    private const int VolumeIdField = 40;
    private const int VolumeIdLength = 32;
    private const int VolumeSpaceSizeField = 80;
    private const int EscapeSequencesField = 88;
    private const int EscapeSequencesLength = 32;
    private const int LogicalBlockSizeField = 128;
    private const int RootRecordField = 156;
    public const int RootRecordLength = 34;

    /// <summary>Joliet's escape sequences for UCS-2 levels 1, 2 and 3: "%/@", "%/C", "%/E".</summary>
    public bool IsJoliet
    {
        get
        {
            var e = EscapeSequences.AsSpan();
            return Type == TypeSupplementary && e.Length >= 3 && e[0] == '%' && e[1] == '/' && (e[2] == '@' || e[2] == 'C' || e[2] == 'E');
        }
    }

    /// <summary>The descriptor type of a sector, or null when the sector is not a version-1 "CD001" descriptor.</summary>
    public static byte? TypeOf(ReadOnlySpan<byte> sector) =>
        sector.Length >= SectorSize && sector.Slice(StandardIdField, StandardId.Length).SequenceEqual(StandardId) && sector[VersionField] == 1
            ? sector[TypeField]
            : null;

    public static IsoVolumeDescriptor Parse(ReadOnlySpan<byte> sector)
    {
        var type = sector[TypeField];
        var id = sector.Slice(VolumeIdField, VolumeIdLength);
        var volumeId = type == TypeSupplementary && sector.Slice(EscapeSequencesField, 2).SequenceEqual("%/"u8)
            ? Encoding.BigEndianUnicode.GetString(id)
            : Encoding.ASCII.GetString(id);
        return new IsoVolumeDescriptor(
            type,
            volumeId.TrimEnd(' ', '\0'),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[VolumeSpaceSizeField..]),
            BinaryPrimitives.ReadUInt16LittleEndian(sector[LogicalBlockSizeField..]),
            sector.Slice(EscapeSequencesField, EscapeSequencesLength).ToArray(),
            sector.Slice(RootRecordField, RootRecordLength).ToArray());
    }

    /// <summary>Why this primary descriptor cannot describe a volume, or null when it can.</summary>
    public string? Invalid()
    {
        // ECMA-119 6.1.2: logical blocks are 2^(n+9) bytes and no larger than the 2048-byte sector
        if (LogicalBlockSize is not (512 or 1024 or 2048))
            return $"logical block size is {LogicalBlockSize}, expected 512, 1024 or 2048";
        if ((ulong)VolumeSpaceSize * LogicalBlockSize <= FirstDescriptorOffset + SectorSize)
            return $"volume space size is {VolumeSpaceSize} blocks, too small to hold the volume descriptors";
        var root = IsoDirectoryRecord.TryParse(RootRecord);
        if (root is null || !root.Value.IsDirectory)
            return "the root directory record is not a 34-byte directory record";
        return null;
    }
}
