using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// What Intel HEX and Motorola S-record have in common: text lines of hex digits, each record
/// carrying data for an address. The first pass (in the handler's TryMatch) validates every record
/// and gathers runs of address-contiguous data records into <see cref="TextRecordSegment"/>s; the
/// child is then produced by <see cref="TextRecordImageStream"/>, which walks the segments in
/// address order, decodes their lines again and fills gaps with 0xFF (erased flash).
/// </summary>
internal static class TextRecords
{
    /// <summary>Longest record line accepted: 255 data bytes as hex plus framing (Intel HEX 521, S-record 514 characters).</summary>
    public const int MaxLineLength = 560;

    /// <summary>Runs of contiguous records kept per file; more means a scattered or hostile file.</summary>
    public const int MaxSegments = 1 << 20;

    /// <summary>Erased flash reads 0xff; gaps between records are filled with it.</summary>
    public const byte GapFill = 0xff;

    /// <summary>Decodes pairs of hex digits (either case) into bytes; false on any other character.</summary>
    public static bool TryDecodeHex(ReadOnlySpan<byte> chars, Span<byte> bytes)
    {
        if (chars.Length != bytes.Length * 2)
            return false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var hi = HexValue(chars[2 * i]);
            var lo = HexValue(chars[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
                return false;
            bytes[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Segments in address order; overlap or a span over maxFileBytes throws <see cref="FormatException"/>.</summary>
    public static List<TextRecordSegment> Order(IReadOnlyList<TextRecordSegment> segments, string formatId, long chunkOffset, IUnpackContext context)
    {
        var sorted = segments.OrderBy(s => s.Address).ThenBy(s => s.TextStart).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Address < sorted[i - 1].AddressEnd)
            {
                throw new FormatException(formatId, chunkOffset + sorted[i].TextStart,
                    $"data for address 0x{sorted[i].Address:x} is given twice (records at text offsets 0x{sorted[i - 1].TextStart:x} and 0x{sorted[i].TextStart:x} overlap); the image is ambiguous");
            }
        }
        if (sorted.Count > 0)
        {
            var span = sorted[^1].AddressEnd - sorted[0].Address;
            if (span > context.Limits.MaxFileBytes)
            {
                throw new FormatException(formatId, chunkOffset,
                    $"records span 0x{sorted[0].Address:x}..0x{sorted[^1].AddressEnd:x} ({span} bytes), over maxFileBytes {context.Limits.MaxFileBytes}; the addresses are scattered or hostile (raise the limit to decode it)");
            }
        }
        return sorted;
    }

    /// <summary>The container's name less a known suffix, plus the start address: <c>fw.hex</c> → <c>fw@0x08000000.bin</c>.</summary>
    public static string ChildName(string containerPath, long startAddress, string[] suffixes)
    {
        var name = Core.Pipeline.VirtualPath.Name(containerPath);
        foreach (var suffix in suffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
            {
                name = name[..^suffix.Length];
                break;
            }
        }
        return $"{name}@0x{startAddress:x8}.bin";
    }
}

/// <summary>A run of data records whose addresses follow each other: <see cref="Length"/> bytes at <see cref="Address"/>, decoded from the lines in [<see cref="TextStart"/>, <see cref="TextEnd"/>) of the chunk.</summary>
internal sealed record TextRecordSegment(long Address, long Length, long TextStart, long TextEnd)
{
    public long AddressEnd => Address + Length;
}

/// <summary>Collects data records in file order into <see cref="TextRecordSegment"/>s.</summary>
internal sealed class TextRecordSegmentBuilder
{
    private readonly List<TextRecordSegment> _segments = [];

    public IReadOnlyList<TextRecordSegment> Segments => _segments;
    public long DataRecords { get; private set; }

    /// <summary>Adds one data record; false when <see cref="TextRecords.MaxSegments"/> would be passed.</summary>
    public bool Add(long address, int length, long lineStart, long lineEnd)
    {
        DataRecords++;
        if (length == 0)
            return true;
        if (_segments.Count > 0 && _segments[^1] is { } last && last.AddressEnd == address)
        {
            _segments[^1] = last with { Length = last.Length + length, TextEnd = lineEnd };
            return true;
        }
        if (_segments.Count == TextRecords.MaxSegments)
            return false;
        _segments.Add(new TextRecordSegment(address, length, lineStart, lineEnd));
        return true;
    }
}

/// <summary>Lines of a text blob with their offsets; line ends are LF or CRLF, a lone CR also ends a line.</summary>
internal sealed class TextLineReader(IBlob blob, long start, long end)
{
    private const int WindowBytes = 1 << 16;
    private const int FirstReadBytes = 1 << 10;
    private byte[] _window = new byte[FirstReadBytes];
    private int _readSize = FirstReadBytes;
    private long _windowStart = start;
    private int _windowLength;

    /// <summary>Where the next line starts.</summary>
    public long Position { get; private set; } = start;

    /// <summary>
    /// The next line without its end-of-line and with trailing blanks removed; <paramref name="tooLong"/>
    /// when it passes <see cref="TextRecords.MaxLineLength"/> (then <paramref name="line"/> is its start).
    /// <paramref name="nextLine"/> is the offset after its end-of-line. False at the end.
    /// </summary>
    public bool Next(out long lineStart, out ReadOnlySpan<byte> line, out long nextLine, out bool tooLong)
    {
        lineStart = Position;
        line = default;
        nextLine = Position;
        tooLong = false;
        if (Position >= end)
            return false;
        Fill(TextRecords.MaxLineLength + 2);
        var available = _window.AsSpan((int)(Position - _windowStart), (int)Math.Min(_windowLength - (Position - _windowStart), end - Position));
        var eol = available.IndexOfAny((byte)'\n', (byte)'\r');
        if (eol < 0)
        {
            // the last line of the chunk without an end-of-line, or a line too long for the window
            if (available.Length > TextRecords.MaxLineLength)
            {
                tooLong = true;
                line = available[..TextRecords.MaxLineLength];
                nextLine = Position + available.Length;
                Position = nextLine;
                return true;
            }
            eol = available.Length;
        }
        else if (eol > TextRecords.MaxLineLength)
        {
            tooLong = true;
        }
        line = available[..eol].TrimEnd(" \t"u8);
        var skip = eol;
        if (skip < available.Length && available[skip] == '\r')
            skip++;
        if (skip < available.Length && available[skip] == '\n')
            skip++;
        nextLine = Position + skip;
        Position = nextLine;
        return true;
    }

    private void Fill(int want)
    {
        var offsetInWindow = Position - _windowStart;
        if (offsetInWindow >= 0 && _windowLength - offsetInWindow >= want)
            return;
        if (offsetInWindow >= 0 && _windowStart + _windowLength >= end)
            return;
        _windowStart = Position;
        _windowLength = 0;
        if (_window.Length < _readSize)
            _window = new byte[_readSize];
        // start small: a carver's candidate is usually rejected on its first line
        var size = (int)Math.Min(_readSize, end - Position);
        _readSize = Math.Min(_readSize * 4, WindowBytes);
        while (_windowLength < size)
        {
            var n = blob.Read(Position + _windowLength, _window.AsSpan(_windowLength, size - _windowLength));
            if (n <= 0)
                break;
            _windowLength += n;
        }
    }
}

/// <summary>
/// The binary image of decoded records from <c>start</c> to <c>end</c> (exclusive) of the address
/// space: segment data in address order, gaps as 0xff. Reads the text again, one segment at a time.
/// </summary>
internal sealed class TextRecordImageStream : Stream
{
    /// <summary>Decodes a data record line into its data bytes; -1 for lines that are not data records.</summary>
    public delegate int DataDecoder(ReadOnlySpan<byte> line, Span<byte> data);

    private readonly IBlob _text;
    private readonly IReadOnlyList<TextRecordSegment> _segments;
    private readonly long _end;
    private readonly DataDecoder _decode;
    private readonly string _formatId;
    private readonly long _chunkOffset;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _pending = new byte[256];
    private int _pendingOffset;
    private int _pendingLength;
    private long _address;
    private int _segment;
    private TextLineReader? _lines;

    public TextRecordImageStream(IBlob text, IReadOnlyList<TextRecordSegment> segments, DataDecoder decode, string formatId, long chunkOffset, CancellationToken cancellationToken)
    {
        _text = text;
        _segments = segments;
        _decode = decode;
        _formatId = formatId;
        _chunkOffset = chunkOffset;
        _cancellationToken = cancellationToken;
        _address = segments.Count == 0 ? 0 : segments[0].Address;
        _end = segments.Count == 0 ? 0 : segments[^1].AddressEnd;
        Start = _address;
    }

    public long Start { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _end - Start;
    public override long Position { get => _address - Start; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (buffer.Length > 0 && _address < _end)
        {
            int n;
            if (_pendingLength > 0)
            {
                n = Math.Min(buffer.Length, _pendingLength);
                _pending.AsSpan(_pendingOffset, n).CopyTo(buffer);
                _pendingOffset += n;
                _pendingLength -= n;
            }
            else if (_address < _segments[_segment].Address)
            {
                n = (int)Math.Min(buffer.Length, _segments[_segment].Address - _address);
                buffer[..n].Fill(TextRecords.GapFill);
            }
            else
            {
                NextRecord();
                continue;
            }
            _address += n;
            total += n;
            buffer = buffer[n..];
        }
        return total;
    }

    /// <summary>Decodes the next data record of the current segment into the pending buffer.</summary>
    private void NextRecord()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var segment = _segments[_segment];
        if (_address == segment.AddressEnd)
        {
            _segment++;
            _lines = null;
            return;
        }
        _lines ??= new TextLineReader(_text, segment.TextStart, segment.TextEnd);
        while (_lines.Next(out var lineStart, out var line, out _, out var tooLong))
        {
            var n = tooLong ? -1 : _decode(line, _pending);
            if (n <= 0)
                continue;
            if (n > segment.AddressEnd - _address)
                break;
            _pendingOffset = 0;
            _pendingLength = n;
            return;
        }
        // the first pass found these records; the text changed or the decoder disagrees with it
        throw new FormatException(_formatId, _chunkOffset + segment.TextStart,
            $"the records of the segment at address 0x{segment.Address:x} decode to fewer bytes than the first pass counted ({segment.Length}); the input changed while it was read");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
