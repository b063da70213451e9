using System.Buffers.Binary;

namespace Assay.Formats.Iso9660;

/// <summary>
/// A directory record, ECMA-119 9.1:
/// <code>
/// BP 1      length of record          BP 19-25  recording date (7 bytes, 9.1.5)
/// BP 2      extended attribute length BP 26     file flags (9.1.6)
/// BP 3-10   extent location (both)    BP 27-28  file unit size, interleave gap
/// BP 11-18  data length (both)        BP 29-32  volume sequence number
/// BP 33     length of file identifier BP 34..   identifier, pad byte if its length is even, system use
/// </code>
/// Rock Ridge (SUSP) entries live in the system use area after the identifier.
/// </summary>
internal readonly record struct IsoDirectoryRecord(
    byte Length,
    byte ExtendedAttributeLength,
    uint Extent,
    uint DataLength,
    long RecordingTime,
    byte Flags,
    byte FileUnitSize,
    byte InterleaveGap,
    byte[] Identifier,
    byte[] SystemUse)
{
    public const int MinLength = 34;
    private const int HeaderLength = 33;
    private const int ExtendedAttributeLengthField = 1;
    private const int ExtentField = 2;
    private const int DataLengthField = 10;
    private const int RecordingDateField = 18;
    private const int FlagsField = 25;
    private const int FileUnitSizeField = 26;
    private const int InterleaveGapField = 27;
    private const int IdentifierLengthField = 32;

    // file flags (9.1.6)
    public const byte FlagHidden = 0x01;
    public const byte FlagDirectory = 0x02;
    public const byte FlagAssociated = 0x04;
    public const byte FlagMultiExtent = 0x80;

    public bool IsDirectory => (Flags & FlagDirectory) != 0;
    public bool IsAssociated => (Flags & FlagAssociated) != 0;
    public bool IsMultiExtent => (Flags & FlagMultiExtent) != 0;

    /// <summary>The identifiers 0x00 and 0x01 name the directory itself and its parent (6.8.2.2).</summary>
    public bool IsSelfOrParent => Identifier.Length == 1 && Identifier[0] <= 1;

    /// <summary>Parses one record; null when its lengths do not fit together.</summary>
    public static IsoDirectoryRecord? TryParse(ReadOnlySpan<byte> record)
    {
        if (record.Length < MinLength)
            return null;
        var length = record[0];
        if (length < MinLength || length > record.Length)
            return null;
        var idLength = record[IdentifierLengthField];
        if (idLength == 0 || HeaderLength + idLength > length)
            return null;
        var systemUse = HeaderLength + idLength + ((idLength & 1) == 0 ? 1 : 0);
        return new IsoDirectoryRecord(
            length,
            record[ExtendedAttributeLengthField],
            BinaryPrimitives.ReadUInt32LittleEndian(record[ExtentField..]),
            BinaryPrimitives.ReadUInt32LittleEndian(record[DataLengthField..]),
            IsoTime.FromShortForm(record.Slice(RecordingDateField, IsoTime.ShortFormLength)),
            record[FlagsField],
            record[FileUnitSizeField],
            record[InterleaveGapField],
            record.Slice(HeaderLength, idLength).ToArray(),
            systemUse < length ? record[systemUse..length].ToArray() : []);
    }
}

/// <summary>ECMA-119 dates: the 7-byte form of directory records (9.1.5) and the 17-byte digit form (8.4.26.1).</summary>
internal static class IsoTime
{
    public const int ShortFormLength = 7;
    public const int LongFormLength = 17;
    private const int MinutesPerOffsetUnit = 15;

    /// <summary>Years since 1900, month, day, hour, minute, second, signed offset from GMT in 15-minute units; Unix seconds.</summary>
    public static long FromShortForm(ReadOnlySpan<byte> t)
    {
        if (t.Length < ShortFormLength || t[1] is < 1 or > 12 || t[2] is < 1 or > 31 || t[3] > 23 || t[4] > 59 || t[5] > 59)
            return 0;
        var days = DaysFromCivil(1900 + t[0], t[1], t[2]);
        return (days * 86400) + (t[3] * 3600) + (t[4] * 60) + t[5] - ((sbyte)t[6] * MinutesPerOffsetUnit * 60L);
    }

    /// <summary>"YYYYMMDDHHMMSScc" digits then the signed GMT offset; Unix seconds, 0 when unset or malformed.</summary>
    public static long FromLongForm(ReadOnlySpan<byte> t)
    {
        if (t.Length < LongFormLength)
            return 0;
        static int Digits(ReadOnlySpan<byte> d)
        {
            var v = 0;
            foreach (var c in d)
            {
                if (c is < (byte)'0' or > (byte)'9')
                    return -1;
                v = (v * 10) + (c - '0');
            }
            return v;
        }
        int year = Digits(t[..4]), month = Digits(t[4..6]), day = Digits(t[6..8]), hour = Digits(t[8..10]), minute = Digits(t[10..12]), second = Digits(t[12..14]);
        if (year < 1 || month is < 1 or > 12 || day is < 1 or > 31 || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
            return 0;
        return (DaysFromCivil(year, month, day) * 86400) + (hour * 3600) + (minute * 60) + second - ((sbyte)t[16] * MinutesPerOffsetUnit * 60L);
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).</summary>
    private static long DaysFromCivil(int y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - (era * 400);
        var doy = ((153 * (m + (m > 2 ? -3 : 9))) + 2) / 5 + d - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146097L) + doe - 719468;
    }
}
