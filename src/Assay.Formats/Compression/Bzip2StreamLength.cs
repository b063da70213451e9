using Assay.Core.Content;

namespace Assay.Formats;

/// <summary>
/// The exact length of a bzip2 stream without decoding it. Blocks and the end-of-stream marker are
/// bit-aligned, so both 48-bit magics are searched at each of the 8 bit shifts (5 whole bytes of a
/// shifted magic are searched with a vectorised IndexOf, the partial bytes around them checked).
/// The stream is accepted only when the combined CRC after the end marker equals the fold of every
/// block's CRC (the rule bzip2's own decoder checks), so a magic that happens to occur inside
/// compressed data cannot end the stream early unnoticed.
/// </summary>
/// <remarks>
/// bzip2 1.0.8 (compress.c, decompress.c): "BZh" + level '1'..'9'; each block starts with
/// 0x314159265359 and its 32-bit CRC; the stream ends with 0x177245385090, the 32-bit combined CRC
/// (combined = rotl(combined, 1) ^ block_crc for each block), and zero bits up to a byte boundary.
/// </remarks>
internal static class Bzip2StreamLength
{
    private const ulong BlockMagic = 0x314159265359;
    private const ulong EndMagic = 0x177245385090;
    private const int HeaderLength = 4;
    private const int Window = 1 << 20;
    private const int Overlap = 16;

    /// <summary>Streams joined in one chunk at most (pbzip2 writes one per 900 kB block).</summary>
    private const int MaxStreams = 1 << 20;

    /// <summary>(searched 5 bytes, mask and value of the byte before, mask and value of the byte after) per magic and shift.</summary>
    private static readonly (byte[] Middle, byte BeforeMask, byte Before, byte AfterMask, byte After, bool End, int Shift)[] Patterns = Build();

    /// <summary>
    /// The length of the stream at <paramref name="offset"/>, and of the streams that follow it
    /// directly (as <c>bzip2 -d</c> decodes them: pbzip2 writes many), or null when no end marker
    /// with a matching combined CRC is found.
    /// </summary>
    public static long? Measure(IBlob blob, long offset, CancellationToken cancellationToken)
    {
        var position = offset;
        for (var streams = 0; streams < MaxStreams; streams++)
        {
            var length = MeasureOne(blob, position, cancellationToken);
            if (length is not { } n)
                return streams == 0 ? null : position - offset;
            position += n;
            if (!StartsStream(blob, position))
                return position - offset;
        }
        return position - offset;
    }

    private static bool StartsStream(IBlob blob, long position)
    {
        Span<byte> h = stackalloc byte[10];
        if (!blob.TryReadExactly(position, h) || h[0] != 'B' || h[1] != 'Z' || h[2] != 'h' || h[3] is < (byte)'1' or > (byte)'9')
            return false;
        var magic = ReadBits(h, 32, 48);
        return magic is BlockMagic or EndMagic;
    }

    private static long? MeasureOne(IBlob blob, long offset, CancellationToken cancellationToken)
    {
        uint combined = 0;
        var buffer = new byte[Window + Overlap];
        var hits = new List<(long Bit, bool End)>();
        var expectBit = HeaderLength * 8L;
        for (long start = offset + HeaderLength; start < blob.Length; start += Window)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = blob.Read(start, buffer);
            if (n <= 0)
                return null;
            var span = buffer.AsSpan(0, n);
            hits.Clear();
            foreach (var p in Patterns)
            {
                var from = 0;
                while (from < span.Length)
                {
                    var at = span[from..].IndexOf(p.Middle);
                    if (at < 0)
                        break;
                    var middle = from + at;
                    from = middle + 1;
                    // The magic starts in the byte before the middle (at bit Shift of it); hits
                    // starting in the overlap belong to the next window.
                    var first = middle - 1;
                    if (first < 0 || first >= Window || middle + p.Middle.Length >= span.Length)
                        continue;
                    if ((span[first] & p.BeforeMask) != p.Before || (span[middle + 5] & p.AfterMask) != p.After)
                        continue;
                    hits.Add(((start - offset + first) * 8 + p.Shift, p.End));
                }
            }
            hits.Sort();
            foreach (var (bit, end) in hits)
            {
                if (bit < expectBit)
                    continue;
                var crc = ReadCrc(blob, offset, bit + 48);
                if (crc is not { } value)
                    return null;
                if (!end)
                {
                    combined = ((combined << 1) | (combined >> 31)) ^ value;
                    expectBit = bit + 48 + 32;
                    continue;
                }
                if (value != combined)
                    return null;
                return (bit + 48 + 32 + 7) / 8;
            }
            if (n < buffer.Length)
                break;
        }
        return null;
    }

    private static uint? ReadCrc(IBlob blob, long offset, long bit)
    {
        Span<byte> b = stackalloc byte[5];
        if (!blob.TryReadExactly(offset + (bit / 8), b))
            return null;
        return (uint)ReadBits(b, (int)(bit % 8), 32);
    }

    /// <summary><paramref name="count"/> bits (at most 57) from bit <paramref name="bit"/> of <paramref name="s"/>, most significant first.</summary>
    private static ulong ReadBits(ReadOnlySpan<byte> s, int bit, int count)
    {
        ulong v = 0;
        var firstByte = bit / 8;
        var lastByte = (bit + count - 1) / 8;
        for (var i = firstByte; i <= lastByte; i++)
            v = (v << 8) | s[i];
        var tail = ((lastByte + 1) * 8) - bit - count;
        return (v >> tail) & ((1UL << count) - 1);
    }

    private static (byte[], byte, byte, byte, byte, bool, int)[] Build()
    {
        var list = new List<(byte[], byte, byte, byte, byte, bool, int)>();
        foreach (var (magic, end) in new[] { (BlockMagic, false), (EndMagic, true) })
        {
            for (var shift = 0; shift < 8; shift++)
            {
                // Seven bytes hold the magic at bit `shift` of the first: value W = magic << (8 - shift).
                var w = magic << (8 - shift);
                var bytes = new byte[7];
                for (var i = 0; i < 7; i++)
                    bytes[i] = (byte)(w >> (8 * (6 - i)));
                var beforeMask = (byte)(0xff >> shift);
                var afterMask = (byte)(0xff << (8 - shift));
                list.Add((bytes[1..6], beforeMask, (byte)(bytes[0] & beforeMask), afterMask, (byte)(bytes[6] & afterMask), end, shift));
            }
        }
        return [.. list];
    }
}
