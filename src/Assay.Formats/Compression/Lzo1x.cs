namespace Assay.Formats;

/// <summary>
/// LZO1X decompressor (the format of lzop, UBIFS "lzo", JFFS2 "lzo" and SquashFS "lzo"), written
/// from the LZO1X bitstream description. Every literal copy, match copy and length is
/// bounds-checked: the decoder never reads past the source, never writes past the destination and
/// never copies from before the start of the output.
/// </summary>
/// <remarks>
/// <para>
/// The stream is a sequence of instructions. The state is the number of literals the previous
/// instruction copied: 0, 1–3, or 4 (four or more). Instructions by opcode <c>t</c>:
/// </para>
/// <code>
/// first byte 18..255   copy t-17 literals (state = t-17, or 4 when that is 4 or more)
/// 0000LLLL  state 0    literal run, length 3+L, or 18+255*zeros+nonzero when L = 0; state = 4
/// 0000DDSS  state 1-3  match of 2 bytes,  distance = (H&lt;&lt;2)+D+1,    H = next byte
/// 0000DDSS  state 4    match of 3 bytes,  distance = (H&lt;&lt;2)+D+2049, H = next byte
/// 0001HLLL             match of 2+L bytes (L = 0: 9+255*zeros+nonzero), then LE16 DDDDDDDD DDDDDDSS:
///                      distance = 16384+(H&lt;&lt;14)+(LE16&gt;&gt;2); distance 16384 ends the stream (11 00 00)
/// 001LLLLL             match of 2+L bytes (L = 0: 33+255*zeros+nonzero), then LE16: distance = (LE16&gt;&gt;2)+1
/// 01LDDDSS             match of 3+L bytes, distance = (H&lt;&lt;3)+D+1, H = next byte
/// 1LLDDDSS             match of 5+L bytes, distance = (H&lt;&lt;3)+D+1, H = next byte
/// </code>
/// <para>
/// After every match, SS (the low two bits of the opcode, or of the first distance byte for the
/// LE16 forms) literals follow and become the new state.
/// </para>
/// </remarks>
public static class Lzo1x
{
    /// <summary>First-byte values above this start with a literal run of (value - 17) bytes.</summary>
    private const int FirstLiteralBias = 17;

    /// <summary>Opcodes below this are literal runs or short matches, depending on the state.</summary>
    private const int ShortOpcodeLimit = 16;

    private const int M3Opcode = 32;
    private const int M2Opcode = 64;

    /// <summary>Distance added to short matches that follow a literal run of 4 or more (M2_MAX_OFFSET + 1).</summary>
    private const int AfterLiteralRunDistance = 0x0801;

    /// <summary>Base distance of the 0001HLLL form (M3_MAX_OFFSET); an encoded distance of exactly this ends the stream.</summary>
    private const int M4BaseDistance = 0x4000;

    /// <summary>State value meaning "the previous instruction copied 4 or more literals".</summary>
    private const int StateLongLiterals = 4;

    /// <summary>
    /// Decompresses one complete LZO1X stream (ending in the <c>11 00 00</c> end marker that uses up
    /// the whole of <paramref name="source"/>) into <paramref name="destination"/>.
    /// </summary>
    /// <returns>The number of bytes written to <paramref name="destination"/>.</returns>
    /// <exception cref="InvalidDataException">
    /// The stream is corrupt, truncated, would write past <paramref name="destination"/>, refers to
    /// data before the start of the output, or has bytes after its end marker. The message gives the
    /// input and output offsets.
    /// </exception>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var d = new Decoder(source, destination);
        return d.Run();
    }

    private ref struct Decoder(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        private readonly ReadOnlySpan<byte> _src = source;
        private readonly Span<byte> _dst = destination;
        private int _ip;
        private int _op;

        public int Run()
        {
            if (_src.Length == 0)
                throw Corrupt("the input is empty; an LZO1X stream has at least its 3-byte end marker");

            var state = 0;
            if (_src[0] > FirstLiteralBias)
            {
                var n = Next() - FirstLiteralBias;
                CopyLiterals(n);
                state = n < StateLongLiterals ? n : StateLongLiterals;
            }

            while (true)
            {
                var t = Next();
                int length;
                int distance;
                int following;
                if (t < ShortOpcodeLimit)
                {
                    if (state == 0)
                    {
                        length = t == 0 ? ReadExtendedLength(15) + 3 : t + 3;
                        CopyLiterals(length);
                        state = StateLongLiterals;
                        continue;
                    }

                    var h = Next();
                    if (state < StateLongLiterals)
                    {
                        length = 2;
                        distance = (h << 2) + (t >> 2) + 1;
                    }
                    else
                    {
                        length = 3;
                        distance = (h << 2) + (t >> 2) + AfterLiteralRunDistance;
                    }

                    following = t & 3;
                }
                else if (t >= M2Opcode)
                {
                    var h = Next();
                    length = (t >> 5) + 1;
                    distance = (h << 3) + ((t >> 2) & 7) + 1;
                    following = t & 3;
                }
                else if (t >= M3Opcode)
                {
                    length = (t & 31) == 0 ? ReadExtendedLength(31) + 2 : (t & 31) + 2;
                    var b0 = Next();
                    var b1 = Next();
                    distance = (b0 >> 2) + (b1 << 6) + 1;
                    following = b0 & 3;
                }
                else
                {
                    length = (t & 7) == 0 ? ReadExtendedLength(7) + 2 : (t & 7) + 2;
                    var b0 = Next();
                    var b1 = Next();
                    var encoded = ((t & 8) << 11) + (b0 >> 2) + (b1 << 6);
                    if (encoded == 0)
                    {
                        if (_ip != _src.Length)
                            throw Corrupt($"{_src.Length - _ip} bytes follow the end marker; the input holds more than one stream or its length is wrong");
                        return _op;
                    }

                    distance = encoded + M4BaseDistance;
                    following = b0 & 3;
                }

                CopyMatch(distance, length);
                if (following > 0)
                    CopyLiterals(following);
                state = following;
            }
        }

        private int Next()
        {
            if (_ip >= _src.Length)
                throw Corrupt("the input ends inside an instruction (no end marker); the stream is truncated");
            return _src[_ip++];
        }

        /// <summary>A length whose opcode field was 0: each zero byte adds 255, the first non-zero byte ends it.</summary>
        private int ReadExtendedLength(int fieldMax)
        {
            var start = _ip;
            while (_ip < _src.Length && _src[_ip] == 0)
                _ip++;
            var zeros = _ip - start;
            var last = Next();
            // every run this long would overflow the destination anyway: reject before the arithmetic can wrap
            if (zeros > (_dst.Length / 255) + 1)
                throw Corrupt($"a run length of {zeros} zero bytes exceeds the output size {_dst.Length}; the stream is corrupt or the output buffer too small");
            return fieldMax + (zeros * 255) + last;
        }

        private void CopyLiterals(int count)
        {
            if (count > _src.Length - _ip)
                throw Corrupt($"a literal run of {count} bytes passes the end of the input ({_src.Length - _ip} left); the stream is truncated");
            if (count > _dst.Length - _op)
                throw Corrupt($"a literal run of {count} bytes passes the end of the output ({_dst.Length - _op} left); the stream is corrupt or the output buffer too small");
            _src.Slice(_ip, count).CopyTo(_dst[_op..]);
            _ip += count;
            _op += count;
        }

        private void CopyMatch(int distance, int length)
        {
            if (distance > _op)
                throw Corrupt($"a match refers {distance} bytes back but only {_op} bytes were produced; the stream is corrupt");
            if (length > _dst.Length - _op)
                throw Corrupt($"a match of {length} bytes passes the end of the output ({_dst.Length - _op} left); the stream is corrupt or the output buffer too small");
            var from = _op - distance;
            if (distance >= length)
            {
                _dst.Slice(from, length).CopyTo(_dst[_op..]);
            }
            else
            {
                // overlapping copy repeats the last `distance` bytes (runs): byte by byte, forward
                for (var i = 0; i < length; i++)
                    _dst[_op + i] = _dst[from + i];
            }

            _op += length;
        }

        private readonly InvalidDataException Corrupt(string message) =>
            new($"lzo1x at input offset {_ip} (output offset {_op}): {message}");
    }
}
