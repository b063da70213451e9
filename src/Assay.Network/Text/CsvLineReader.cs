using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Assay.Network.Text;

/// <summary>
/// Streams a CSV file line by line from a reusable buffer and splits lines into fields (RFC 4180
/// quoting: <c>"a,b"</c> and <c>""</c> inside quotes). Lines must not exceed
/// <see cref="MaxLineLength"/>; a quoted field may not span lines (inventories never need it, and
/// refusing it keeps every error on the line it belongs to).
/// </summary>
internal sealed class CsvLineReader : IDisposable
{
    /// <summary>Longest line accepted, in characters.</summary>
    public const int MaxLineLength = 1 << 16;

    /// <summary>Most fields on one line.</summary>
    public const int MaxFields = 256;

    private readonly TextReader _reader;
    private readonly char[] _buffer = new char[MaxLineLength * 4];
    private char[] _scratch = new char[256];
    private int _start;
    private int _end;
    private bool _eof;

    public CsvLineReader(TextReader reader) => _reader = reader;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line (without its line break). The span is valid until the next call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf('\n');
            if (nl >= 0)
            {
                line = span[..nl];
                _start += nl + 1;
                LineNumber++;
                if (line.Length > MaxLineLength)
                    throw new FormatException($"line {LineNumber} is {line.Length} characters long; at most {MaxLineLength} are accepted");
                if (!line.IsEmpty && line[^1] == '\r')
                    line = line[..^1];
                return true;
            }
            if (_eof)
            {
                if (span.IsEmpty)
                {
                    line = default;
                    return false;
                }
                line = span;
                _start = _end;
                LineNumber++;
                if (!line.IsEmpty && line[^1] == '\r')
                    line = line[..^1];
                return true;
            }
            if (_start > 0)
            {
                span.CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                throw new FormatException($"line {LineNumber + 1} is longer than {MaxLineLength} characters; is this a CSV file?");
            var n = _reader.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
                _eof = true;
            else
                _end += n;
        }
    }

    /// <summary>
    /// Splits <paramref name="line"/> into <paramref name="fields"/>; returns the number of fields and
    /// the text the ranges refer to (the line itself, or an unescaped copy when it holds quotes).
    /// Returns -1 with <paramref name="error"/> set for a malformed line.
    /// </summary>
    public int Split(ReadOnlySpan<char> line, Span<Range> fields, out ReadOnlySpan<char> text, out string? error)
    {
        error = null;
        if (line.IndexOf('"') < 0)
        {
            text = line;
            var count = 0;
            var pos = 0;
            while (true)
            {
                if (count == fields.Length)
                {
                    error = $"more than {fields.Length} fields";
                    return -1;
                }
                var comma = line[pos..].IndexOf(',');
                if (comma < 0)
                {
                    fields[count++] = new Range(pos, line.Length);
                    return count;
                }
                fields[count++] = new Range(pos, pos + comma);
                pos += comma + 1;
            }
        }
        return SplitQuoted(line, fields, out text, out error);
    }

    /// <summary>
    /// The fast path for a plain line: one vectorized pass (16 characters a step) that finds the commas
    /// and makes sure there is no quote and no control character (U+0000-U+001F, U+007F-U+009F).
    /// Returns the number of fields, or -1 when the line needs the careful path (a quote, a control
    /// character, too many fields): <see cref="Split"/> and the caller's checks then say what is wrong.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // vectorized from the first call (ReadyToRun code assumes no AVX2)
    public static int SplitPlain(ReadOnlySpan<char> line, Span<Range> fields)
    {
        var n = line.Length;
        var count = 0;
        var fieldStart = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && n >= Vector256<ushort>.Count)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(line));
            var comma = Vector256.Create((ushort)',');
            var quote = Vector256.Create((ushort)'"');
            var space = Vector256.Create((ushort)0x20);
            var del = Vector256.Create((ushort)0x7F);
            var c1Width = Vector256.Create((ushort)0x21); // U+007F .. U+009F
            for (; i <= n - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var v = Vector256.LoadUnsafe(ref first, (nuint)i);
                var bad = Vector256.LessThan(v, space) | Vector256.LessThan(v - del, c1Width) | Vector256.Equals(v, quote);
                if (bad != Vector256<ushort>.Zero)
                    return -1;
                var mask = Vector256.Equals(v, comma).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    var pos = i + BitOperations.TrailingZeroCount(mask);
                    if (count == fields.Length - 1)
                        return -1;
                    fields[count++] = new Range(fieldStart, pos);
                    fieldStart = pos + 1;
                    mask &= mask - 1;
                }
            }
        }
        for (; i < n; i++)
        {
            var c = line[i];
            if (c < 0x20 || (uint)(c - 0x7F) < 0x21 || c == '"')
                return -1;
            if (c == ',')
            {
                if (count == fields.Length - 1)
                    return -1;
                fields[count++] = new Range(fieldStart, i);
                fieldStart = i + 1;
            }
        }
        fields[count++] = new Range(fieldStart, n);
        return count;
    }

    private int SplitQuoted(ReadOnlySpan<char> line, Span<Range> fields, out ReadOnlySpan<char> text, out string? error)
    {
        if (_scratch.Length < line.Length)
            _scratch = new char[Math.Max(line.Length, _scratch.Length * 2)];
        var o = 0;
        var count = 0;
        var i = 0;
        error = null;
        while (true)
        {
            if (count == fields.Length)
            {
                error = $"more than {fields.Length} fields";
                text = default;
                return -1;
            }
            var fieldStart = o;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        error = "a quoted field is not closed on this line (quoted fields may not span lines)";
                        text = default;
                        return -1;
                    }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            _scratch[o++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    _scratch[o++] = line[i++];
                }
                if (i < line.Length && line[i] != ',')
                {
                    error = $"unexpected character '{line[i]}' after a closing quote at column {i + 1}";
                    text = default;
                    return -1;
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        error = $"a quote inside an unquoted field at column {i + 1}; quote the whole field and double the quote";
                        text = default;
                        return -1;
                    }
                    _scratch[o++] = line[i++];
                }
            }
            fields[count++] = new Range(fieldStart, o);
            if (i >= line.Length)
                break;
            i++; // the comma
        }
        text = _scratch.AsSpan(0, o);
        return count;
    }

    public void Dispose() => _reader.Dispose();
}
