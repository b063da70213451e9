using System.Buffers.Binary;
using System.IO.Hashing;

namespace Assay.Formats.SquashFs;

/// <summary>
/// Decodes a whole .xz stream that holds one block (what mksquashfs writes per SquashFS block:
/// lzma_stream_buffer_encode) into a flat buffer: LZMA2 through <see cref="LzmaDecoder"/>, then the
/// block's BCJ or delta filters in place. Written from xz-file-format.txt (sections 2.1 stream
/// header, 3.1 block header, 5.3 filters). Streams it does not handle (several blocks, unknown
/// filters) return false so the caller can fall back to a general decoder.
/// </summary>
/// <remarks>
/// Stream header: <c>fd 37 7a 58 5a 00</c> magic, 2 flag bytes (check type), CRC32. Block header:
/// size byte ((n+1)*4 bytes), flags (filter count - 1, compressed/uncompressed size present),
/// optional sizes, filter flags (id, property size, properties), padding, CRC32. Only a CRC32
/// check is verified (mksquashfs uses CRC32); CRC64 and SHA-256 checks are not.
/// </remarks>
internal sealed class XzBlockDecoder
{
    private static ReadOnlySpan<byte> Magic => [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
    private const int StreamHeaderSize = 12;
    private const int StreamFlagsOffset = 6;
    private const int CheckCrc32 = 0x01;
    private const int BlockFlagsFilterMask = 0x03;
    private const int BlockFlagsCompressedSize = 0x40;
    private const int BlockFlagsUncompressedSize = 0x80;
    private const int BlockFlagsReserved = 0x3c;
    private const ulong FilterDelta = 0x03;
    private const ulong FilterLzma2 = 0x21;
    private const int MaxFilters = 4;

    private readonly LzmaDecoder _lzma = new();

    /// <summary>Decodes <paramref name="input"/> into <paramref name="output"/>; false when the stream uses something this decoder leaves to the fallback.</summary>
    public bool TryDecode(ReadOnlySpan<byte> input, Span<byte> output, out int written)
    {
        written = 0;
        if (input.Length < StreamHeaderSize + 1 || !input.StartsWith(Magic))
            throw new InvalidDataException("the block is not an xz stream (no fd 37 7a 58 5a 00 magic)");
        if (input[StreamFlagsOffset] != 0 || (input[StreamFlagsOffset + 1] & 0xf0) != 0)
            throw new InvalidDataException("the xz stream flags are invalid");
        var check = input[StreamFlagsOffset + 1] & 0x0f;
        var pos = StreamHeaderSize;
        var headerSize = (input[pos] + 1) * 4;
        if (input[pos] == 0)
            return true; // an index right away: an empty stream
        if (pos + headerSize > input.Length)
            throw new InvalidDataException("the xz block header runs past the block");
        var header = input.Slice(pos, headerSize);
        if (Crc32.HashToUInt32(header[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(header[^4..]))
            throw new InvalidDataException("the xz block header CRC32 does not match");
        var flags = header[1];
        if ((flags & BlockFlagsReserved) != 0)
            return false;
        var hp = 2;
        if ((flags & BlockFlagsCompressedSize) != 0)
            _ = ReadVarint(header, ref hp);
        if ((flags & BlockFlagsUncompressedSize) != 0)
            _ = ReadVarint(header, ref hp);
        var count = (flags & BlockFlagsFilterMask) + 1;
        Span<ulong> ids = stackalloc ulong[MaxFilters];
        Span<uint> props = stackalloc uint[MaxFilters];
        for (var i = 0; i < count; i++)
        {
            ids[i] = ReadVarint(header, ref hp);
            var size = ReadVarint(header, ref hp);
            if (size > 4 || hp + (int)size > header.Length - 4)
                return false;
            props[i] = 0;
            for (var b = 0; b < (int)size; b++)
                props[i] |= (uint)header[hp + b] << (8 * b);
            hp += (int)size;
        }
        if (ids[count - 1] != FilterLzma2)
            return false;
        for (var i = 0; i < count - 1; i++)
        {
            if (ids[i] != FilterDelta && !BcjFilters.IsSupported(ids[i]))
                return false;
        }
        pos += headerSize;
        var (n, used) = _lzma.DecodeLzma2(input[pos..], output);
        pos += used;
        for (var i = count - 2; i >= 0; i--)
        {
            if (ids[i] == FilterDelta)
                DeltaDecode(output[..n], (int)(props[i] & 0xff) + 1);
            else
                BcjFilters.Decode(ids[i], output[..n], props[i]);
        }
        pos = (pos + 3) & ~3;
        if (check == CheckCrc32)
        {
            if (pos + 4 > input.Length)
                throw new InvalidDataException("the xz block is truncated before its CRC32");
            if (Crc32.HashToUInt32(output[..n]) != BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]))
                throw new InvalidDataException("the xz block's CRC32 of the decompressed data does not match");
        }
        written = n;
        return true;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if (pos >= s.Length)
                throw new InvalidDataException("the xz block header is truncated in a number");
            var b = s[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return value;
        }
        throw new InvalidDataException("a number of the xz block header is too long");
    }

    /// <summary>Delta filter (xz-file-format.txt 5.3.3): each byte adds the byte <paramref name="distance"/> before it.</summary>
    private static void DeltaDecode(Span<byte> data, int distance)
    {
        for (var i = distance; i < data.Length; i++)
            data[i] += data[i - distance];
    }
}
