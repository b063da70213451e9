using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Motorola S-record (S19/S28/S37): text records <c>Stcc aaaa.. dd.. ss</c> with a checksum each.
/// S1/S2/S3 carry data at 16/24/32-bit addresses; the child is one binary,
/// <c>&lt;name&gt;@0x&lt;first address&gt;.bin</c>, from the lowest to the highest address written, gaps filled
/// with 0xff. S5/S6 record counts are checked; S7/S8/S9 end the file.
/// </summary>
/// <remarks>
/// Record (Motorola M68000 Family Programmer's Reference Manual, appendix C "S-Record Output Format"):
/// <code>
/// S  t   cc      address            data           ss
///    type count  2, 3 or 4 bytes    count-len-1    ones' complement of the low byte of the sum of count, address and data
/// S0 header (address 0000), S1/S2/S3 data with 2/3/4-byte address, S5/S6 count of data records in
/// the 2/3-byte address field, S7/S8/S9 start address of 4/3/2 bytes, ending the file
/// </code>
/// A real file (<c>srec_cat data.bin -binary -offset 0x08000000 -o fw.srec -Motorola -address-length=4</c>):
/// <code>
/// S0220000687474703A2F2F737265636F72642E736F75726365666F7267652E6E65742F1D
/// S3250800000053524543206669787475726520646174612C206C696E6520310A535245432066C2
/// S70508000000F2
/// </code>
/// Being text, a match needs its first records to be valid (type, hex digits, count, checksum): the
/// first four records, or all of them when a termination record comes first.
/// </remarks>
internal sealed class SRecordHandler : IFormatHandler<SRecordHandler.SRecordState>
{
    private const byte RecordMark = (byte)'S';
    private const int MinRecordChars = 10;   // 'S' t cc aaaa ss
    private const int StrictRecords = 4;

    private static readonly string[] Suffixes = [".srec", ".s19", ".s28", ".s37", ".mot", ".mhx", ".sx", ".s", ".srecord", ".exo"];

    public string Id => "srec";
    public string Description => "Motorola S-record, decoded to a binary image";
    public FormatCategory Category => FormatCategory.Encoding;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("S0"), MagicSignature.Ascii("S1"), MagicSignature.Ascii("S2"), MagicSignature.Ascii("S3")];
    public IReadOnlyList<string> References { get; } = ["Motorola M68000 Family Programmer's Reference Manual, appendix C \"S-Record Output Format\"", "srecord srec_motorola(5)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "the S0 header text and the start address (S7/S8/S9) are validated but not reported",
        "the image spans the lowest to the highest address written; a span over maxFileBytes is refused",
    ];

    internal sealed record SRecordState(IReadOnlyList<TextRecordSegment> Segments, string? CountMismatch, long CountOffset, string? Problem, long ProblemOffset);

    public FormatMatch<SRecordState>? TryMatch(IBlob blob, long offset)
    {
        if (offset >= blob.Length)
            return null;
        var reader = new TextLineReader(blob, offset, blob.Length);
        var builder = new TextRecordSegmentBuilder();
        var buffer = new byte[(TextRecords.MaxLineLength / 2) + 1];
        var records = 0;
        var end = offset;
        var sawEnd = false;
        string? problem = null;
        long problemOffset = 0;
        string? countMismatch = null;
        long countOffset = 0;
        while (reader.Next(out var lineStart, out var line, out var nextLine, out var tooLong))
        {
            if (line.Length == 0 && !tooLong)
            {
                if (records == 0)
                    return null;
                continue;
            }
            if (line[0] != RecordMark)
                break;
            var type = 0;
            long address = 0;
            ReadOnlySpan<byte> data = default;
            var parsed = tooLong ? "the line is longer than any record" : TryParse(line, buffer, out type, out address, out data);
            if (parsed is null)
            {
                if (type is 1 or 2 or 3)
                {
                    if (!builder.Add(address, data.Length, lineStart - offset, nextLine - offset))
                        parsed = $"more than {TextRecords.MaxSegments} separate address runs";
                }
                else if (type is 5 or 6 && address != builder.DataRecords % (type == 5 ? 0x10000 : 0x1000000))
                {
                    countMismatch ??= $"S{type} record counts {address} data records but {builder.DataRecords} precede it; records were lost or added";
                    countOffset = lineStart;
                }
            }
            if (parsed is not null)
            {
                if (records < StrictRecords)
                    return null;
                problem = $"record {records + 1} (\"{FdtReader.Printable(line[..Math.Min(line.Length, 48)])}\"): {parsed}; the file is damaged";
                problemOffset = lineStart;
                break;
            }
            records++;
            end = nextLine;
            if (type is 7 or 8 or 9)
            {
                sawEnd = true;
                break;
            }
        }
        if (records == 0 || (records < StrictRecords && !sawEnd))
            return null;
        var description = $"motorola s-record, {builder.DataRecords} data records" + (sawEnd ? "" : ", no termination record") + (problem is null ? "" : ", damaged");
        return new FormatMatch<SRecordState>(offset, problem is null ? end - offset : null, description, new SRecordState(builder.Segments, countMismatch, countOffset, problem, problemOffset));
    }

    public void Unpack(IBlob chunk, FormatMatch<SRecordState> match, IUnpackContext context)
    {
        var state = match.State;
        if (state.Problem is not null)
            throw new FormatException(Id, state.ProblemOffset, state.Problem);
        var segments = TextRecords.Order(state.Segments, Id, match.Offset, context);
        if (state.CountMismatch is not null)
            context.AddError(state.CountMismatch, state.CountOffset);
        if (segments.Count == 0)
            return;
        using var stream = new TextRecordImageStream(chunk, segments, DecodeData, Id, match.Offset, context.CancellationToken);
        context.AddFile(new EntryMeta(TextRecords.ChildName(context.ContainerPath, stream.Start, Suffixes)), stream, chunk.Length);
    }

    /// <summary>Bytes of the address field for each record type S0..S9 (0: S4 is reserved, never valid).</summary>
    private static int AddressLength(int type) => type switch
    {
        0 or 1 or 5 or 9 => 2,
        2 or 6 or 8 => 3,
        3 or 7 => 4,
        _ => 0,
    };

    /// <summary>Parses one record line; null when valid, else what is wrong. <paramref name="data"/> is a slice of <paramref name="buffer"/>.</summary>
    private static string? TryParse(ReadOnlySpan<byte> line, Span<byte> buffer, out int type, out long address, out ReadOnlySpan<byte> data)
    {
        type = 0;
        address = 0;
        data = default;
        if (line.Length < MinRecordChars || line.Length % 2 != 0)
            return $"{line.Length} characters (a record is 'S', a type digit and an even number of at least 8 hex digits)";
        type = line[1] - '0';
        var addressLength = type is >= 0 and <= 9 ? AddressLength(type) : 0;
        if (addressLength == 0)
            return $"record type '{(char)line[1]}' is not one of S0-S3, S5-S9";
        var bytes = buffer[..((line.Length - 2) / 2)];
        if (!TextRecords.TryDecodeHex(line[2..], bytes))
            return "a character that is not a hex digit";
        var count = bytes[0];
        if (bytes.Length != count + 1)
            return $"count {count} but the line holds {bytes.Length - 1} bytes after it";
        if (count < addressLength + 1)
            return $"count {count} is too small for an S{type} record ({addressLength} address bytes and a checksum)";
        byte sum = 0;
        foreach (var b in bytes)
            sum += b;
        if (sum != 0xff)
            return $"checksum 0x{bytes[^1]:x2} does not match (count, address and data sum to 0x{(byte)(sum - bytes[^1]):x2}, expected checksum 0x{(byte)~(byte)(sum - bytes[^1]):x2})";
        for (var i = 0; i < addressLength; i++)
            address = (address << 8) | bytes[1 + i];
        data = bytes[(1 + addressLength)..^1];
        if (type is 5 or 6 or 7 or 8 or 9 && data.Length != 0)
            return $"S{type} record with {data.Length} data bytes (expected none)";
        return null;
    }

    /// <summary>Data bytes of an S1/S2/S3 record; -1 for any other line (the first pass has validated them).</summary>
    private static int DecodeData(ReadOnlySpan<byte> line, Span<byte> data)
    {
        Span<byte> buffer = stackalloc byte[(TextRecords.MaxLineLength / 2) + 1];
        if (line.Length < 2 || line[0] != RecordMark || TryParse(line, buffer, out var type, out _, out var bytes) is not null || type is not (1 or 2 or 3))
            return -1;
        bytes.CopyTo(data);
        return bytes.Length;
    }
}
