using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Intel HEX (I8HEX, I16HEX, I32HEX): text records <c>:LLAAAATT[DD..]CC</c> with a checksum each.
/// Extended segment (02) and extended linear (04) address records set the base of the data (00)
/// records; the child is one binary, <c>&lt;name&gt;@0x&lt;first address&gt;.bin</c>, from the lowest to the
/// highest address written, gaps filled with 0xff.
/// </summary>
/// <remarks>
/// Record (Intel "Hexadecimal Object File Format Specification" rev A, 1988):
/// <code>
/// :  LL      AAAA      TT     DD...         CC
///    count   address   type   count bytes   two's complement of the sum of all bytes before it
/// type 00 data, 01 end of file, 02 extended segment address (base = value * 16),
/// 03 start segment address, 04 extended linear address (base = value &lt;&lt; 16), 05 start linear address
/// </code>
/// A real file (<c>srec_cat data.bin -binary -offset 0x08000000 -o fw.hex -Intel</c>):
/// <code>
/// :020000040800F2
/// :2000000049484558206669787475726520646174612C206C696E6520310A494845582066CE
/// </code>
/// Being text, a match needs its first records to be valid (hex digits, byte count, checksum): the
/// first four records, or all of them when an end-of-file record comes first.
/// </remarks>
internal sealed class IntelHexHandler : IFormatHandler<IntelHexHandler.HexState>
{
    private const byte RecordMark = (byte)':';
    private const int MinRecordChars = 11;   // ':' LL AAAA TT CC
    private const int FramingBytes = 5;      // LL AAAA TT CC
    private const int CountIndex = 0;
    private const int AddressIndex = 1;
    private const int TypeIndex = 3;
    private const int DataIndex = 4;

    private const byte TypeData = 0x00;
    private const byte TypeEndOfFile = 0x01;
    private const byte TypeExtendedSegment = 0x02;
    private const byte TypeStartSegment = 0x03;
    private const byte TypeExtendedLinear = 0x04;
    private const byte TypeStartLinear = 0x05;

    /// <summary>Records that must all be valid for a match (fewer when the end-of-file record comes earlier).</summary>
    private const int StrictRecords = 4;

    private static readonly string[] Suffixes = [".hex", ".ihex", ".ihx", ".h86", ".h32", ".mcs", ".a43"];

    public string Id => "ihex";
    public string Description => "Intel HEX, decoded to a binary image";
    public FormatCategory Category => FormatCategory.Encoding;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii(":")];
    public IReadOnlyList<string> References { get; } = ["Intel Hexadecimal Object File Format Specification, revision A (1988)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "segment-mode addresses (record 02) are linear base*16 + offset; wrap-around inside a 64 KiB segment is not applied",
        "start address records (03, 05) are validated but not reported",
        "the image spans the lowest to the highest address written; a span over maxFileBytes is refused",
    ];

    internal sealed record HexState(IReadOnlyList<TextRecordSegment> Segments, long DataRecords, bool SawEnd, string? Problem, long ProblemOffset);

    public FormatMatch<HexState>? TryMatch(IBlob blob, long offset)
    {
        if (offset >= blob.Length)
            return null;
        var reader = new TextLineReader(blob, offset, blob.Length);
        var builder = new TextRecordSegmentBuilder();
        var record = new byte[(TextRecords.MaxLineLength / 2) + 1];
        var records = 0;
        long baseAddress = 0;
        var end = offset;
        var sawEnd = false;
        string? problem = null;
        long problemOffset = 0;
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
            byte type = 0;
            var address = 0;
            ReadOnlySpan<byte> data = default;
            var parsed = tooLong ? "the line is longer than any record" : TryParse(line, record, out type, out address, out data);
            if (parsed is null)
            {
                parsed = type switch
                {
                    TypeData => builder.Add(baseAddress + address, data.Length, lineStart - offset, nextLine - offset) ? null : $"more than {TextRecords.MaxSegments} separate address runs",
                    TypeEndOfFile => data.Length == 0 ? null : $"end-of-file record with {data.Length} data bytes (expected 0)",
                    TypeExtendedSegment or TypeExtendedLinear when data.Length != 2 => $"address record type {type:x2} with {data.Length} data bytes (expected 2)",
                    TypeExtendedSegment or TypeExtendedLinear => null,
                    TypeStartSegment or TypeStartLinear => data.Length == 4 ? null : $"start address record type {type:x2} with {data.Length} data bytes (expected 4)",
                    _ => $"record type {type:x2} is not one of 00-05",
                };
                if (parsed is null && type == TypeExtendedSegment)
                    baseAddress = (long)BinaryPrimitives.ReadUInt16BigEndian(data) << 4;
                else if (parsed is null && type == TypeExtendedLinear)
                    baseAddress = (long)BinaryPrimitives.ReadUInt16BigEndian(data) << 16;
            }
            if (parsed is not null)
            {
                if (records < StrictRecords)
                    return null;
                problem = $"record {records + 1} (\"{Printable(line)}\"): {parsed}; the file is damaged";
                problemOffset = lineStart;
                break;
            }
            records++;
            end = nextLine;
            if (type == TypeEndOfFile)
            {
                sawEnd = true;
                break;
            }
        }
        if (records == 0 || (records < StrictRecords && !sawEnd))
            return null;
        var description = $"intel hex, {builder.DataRecords} data records" + (sawEnd ? "" : ", no end-of-file record") + (problem is null ? "" : ", damaged");
        return new FormatMatch<HexState>(offset, problem is null ? end - offset : null, description, new HexState(builder.Segments, builder.DataRecords, sawEnd, problem, problemOffset));
    }

    public void Unpack(IBlob chunk, FormatMatch<HexState> match, IUnpackContext context)
    {
        var state = match.State;
        if (state.Problem is not null)
            throw new FormatException(Id, state.ProblemOffset, state.Problem);
        var segments = TextRecords.Order(state.Segments, Id, match.Offset, context);
        if (!state.SawEnd)
            context.AddError("the file has no end-of-file record (:00000001FF); it may be truncated", match.Offset + chunk.Length);
        if (segments.Count == 0)
            return;
        using var stream = new TextRecordImageStream(chunk, segments, DecodeData, Id, match.Offset, context.CancellationToken);
        context.AddFile(new EntryMeta(TextRecords.ChildName(context.ContainerPath, stream.Start, Suffixes)), stream, chunk.Length);
    }

    /// <summary>Parses one record line; null when valid, else what is wrong. <paramref name="data"/> is a slice of <paramref name="buffer"/>.</summary>
    private static string? TryParse(ReadOnlySpan<byte> line, Span<byte> buffer, out byte type, out int address, out ReadOnlySpan<byte> data)
    {
        type = 0;
        address = 0;
        data = default;
        if (line.Length < MinRecordChars || (line.Length - 1) % 2 != 0)
            return $"{line.Length} characters (a record is ':' and an even number of at least 10 hex digits)";
        var bytes = buffer[..((line.Length - 1) / 2)];
        if (!TextRecords.TryDecodeHex(line[1..], bytes))
            return "a character that is not a hex digit";
        var count = bytes[CountIndex];
        if (bytes.Length != count + FramingBytes)
            return $"byte count {count} but the line holds {bytes.Length - FramingBytes} data bytes";
        byte sum = 0;
        foreach (var b in bytes)
            sum += b;
        if (sum != 0)
            return $"checksum 0x{bytes[^1]:x2} does not match (the bytes sum to 0x{sum:x2}, expected 0x00)";
        address = BinaryPrimitives.ReadUInt16BigEndian(bytes[AddressIndex..]);
        type = bytes[TypeIndex];
        data = bytes.Slice(DataIndex, count);
        return null;
    }

    /// <summary>Data bytes of a data record; -1 for any other line (the first pass has validated them).</summary>
    private static int DecodeData(ReadOnlySpan<byte> line, Span<byte> data)
    {
        Span<byte> buffer = stackalloc byte[(TextRecords.MaxLineLength / 2) + 1];
        if (line.Length == 0 || line[0] != RecordMark || TryParse(line, buffer, out var type, out _, out var bytes) is not null || type != TypeData)
            return -1;
        bytes.CopyTo(data);
        return bytes.Length;
    }

    private static string Printable(ReadOnlySpan<byte> line) => FdtReader.Printable(line[..Math.Min(line.Length, 48)]) + (line.Length > 48 ? "..." : "");
}
