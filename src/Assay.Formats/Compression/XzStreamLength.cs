using System.Buffers.Binary;
using Assay.Core.Content;

namespace Assay.Formats;

/// <summary>
/// The exact length of one .xz stream, found by walking its structure without decoding: block
/// headers (CRC32-checked), the LZMA2 chunk headers of each block (or the block's stored compressed
/// size), block padding and check, the index (CRC32-checked, its records matched against the
/// blocks walked) and the stream footer (CRC32-checked, backward size and flags matched). Reads a
/// few bytes per 64 KiB of compressed data.
/// </summary>
/// <remarks>
/// The .xz File Format 1.1.0: §2.1.2 Stream Footer (CRC32, Backward Size, Stream Flags, "YZ"),
/// §3.1 Block Header (size byte: (n+1)·4 bytes; flags: bits 0-1 filters−1, bit 6 compressed size
/// present, bit 7 uncompressed size present; CRC32 last), §3.3 Block Padding, §3.4 Check, §4 Index.
/// LZMA2 chunks (liblzma lzma2_decoder.c): control 0x00 end; 0x01/0x02 uncompressed, 2-byte size−1;
/// 0x80-0xff LZMA, 21-bit unpacked size−1 (5 bits in the control byte), 2-byte packed size−1, and a
/// properties byte when bits 6-5 are 2 or 3.
/// </remarks>
internal static class XzStreamLength
{
    private const int StreamHeaderLength = 12;
    private const int StreamFooterLength = 12;
    private const int FlagsOffset = 6;
    private const int MaxBlockHeader = 1024;
    private const int BlockFlagsCompressedSize = 0x40;
    private const int BlockFlagsUncompressedSize = 0x80;
    private const int BlockFlagsReserved = 0x3c;

    /// <summary>Blocks walked in one stream at most (a 64 GiB stream of 8 MiB blocks has 8192).</summary>
    private const int MaxBlocks = 1 << 20;

    /// <summary>Check field size by check type 0..15 (§2.1.1.2).</summary>
    private static ReadOnlySpan<byte> CheckSizes => [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

    /// <summary>The stream's length from <paramref name="offset"/> (header to footer, no stream padding), or null when the walk finds it corrupt or truncated.</summary>
    public static long? Measure(IBlob blob, long offset, CancellationToken cancellationToken)
    {
        Span<byte> header = stackalloc byte[StreamHeaderLength];
        if (!blob.TryReadExactly(offset, header))
            return null;
        var flags = header.Slice(FlagsOffset, 2).ToArray();
        var checkSize = CheckSizes[flags[1] & 0x0f];
        var pos = offset + StreamHeaderLength;
        var blocks = new List<(long Unpadded, long Uncompressed)>();
        Span<byte> one = stackalloc byte[1];
        var blockHeader = new byte[MaxBlockHeader];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!blob.TryReadExactly(pos, one))
                return null;
            if (one[0] == 0)
                break; // index indicator
            if (blocks.Count >= MaxBlocks)
                return null;
            var headerSize = (one[0] + 1) * 4;
            var h = blockHeader.AsSpan(0, headerSize);
            if (!blob.TryReadExactly(pos, h) || System.IO.Hashing.Crc32.HashToUInt32(h[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(h[^4..]))
                return null;
            var blockFlags = h[1];
            if ((blockFlags & BlockFlagsReserved) != 0)
                return null;
            var at = 2;
            long? compressed = null;
            long? uncompressed = null;
            if ((blockFlags & BlockFlagsCompressedSize) != 0)
                compressed = ReadVarint(h, ref at);
            if ((blockFlags & BlockFlagsUncompressedSize) != 0)
                uncompressed = ReadVarint(h, ref at);
            if (compressed is < 0 || uncompressed is < 0)
                return null;
            var dataStart = pos + headerSize;
            long dataLength;
            long produced;
            if (compressed is { } c)
            {
                dataLength = c;
                produced = uncompressed ?? -1;
            }
            else if (Lzma2Length(blob, dataStart, cancellationToken, out produced) is { } walked)
            {
                dataLength = walked;
            }
            else
            {
                return null;
            }
            var unpadded = checked(headerSize + dataLength + checkSize);
            blocks.Add((unpadded, uncompressed ?? produced));
            var padded = checked(headerSize + dataLength + ((4 - (dataLength & 3)) & 3));
            pos = checked(pos + padded + checkSize);
            if (pos > blob.Length)
                return null;
        }
        var indexStart = pos;
        var indexEnd = ReadIndex(blob, indexStart, blocks);
        if (indexEnd is not { } footerStart)
            return null;
        Span<byte> footer = stackalloc byte[StreamFooterLength];
        if (!blob.TryReadExactly(footerStart, footer) || footer[10] != (byte)'Y' || footer[11] != (byte)'Z')
            return null;
        if (System.IO.Hashing.Crc32.HashToUInt32(footer[4..10]) != BinaryPrimitives.ReadUInt32LittleEndian(footer))
            return null;
        var backward = ((long)BinaryPrimitives.ReadUInt32LittleEndian(footer[4..]) + 1) * 4;
        if (backward != footerStart - indexStart || footer[8] != flags[0] || footer[9] != flags[1])
            return null;
        return footerStart + StreamFooterLength - offset;
    }

    /// <summary>Walks LZMA2 chunk headers from <paramref name="start"/>; the length up to and including the end marker.</summary>
    private static long? Lzma2Length(IBlob blob, long start, CancellationToken cancellationToken, out long produced)
    {
        produced = 0;
        var pos = start;
        Span<byte> h = stackalloc byte[6];
        var chunks = 0;
        while (true)
        {
            if ((++chunks & 0xfff) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (!blob.TryReadExactly(pos, h[..1]))
                return null;
            var control = h[0];
            if (control == 0x00)
                return pos + 1 - start;
            if (control is 0x01 or 0x02)
            {
                if (!blob.TryReadExactly(pos, h[..3]))
                    return null;
                var size = ((h[1] << 8) | h[2]) + 1;
                produced += size;
                pos += 3 + size;
            }
            else if (control >= 0x80)
            {
                if (!blob.TryReadExactly(pos, h[..5]))
                    return null;
                var unpacked = (((control & 0x1f) << 16) | (h[1] << 8) | h[2]) + 1;
                var packed = ((h[3] << 8) | h[4]) + 1;
                var headerLength = ((control >> 5) & 3) >= 2 ? 6 : 5;
                produced += unpacked;
                pos += headerLength + packed;
            }
            else
            {
                return null;
            }
            if (pos > blob.Length)
                return null;
        }
    }

    /// <summary>Reads and checks the index (§4); returns where the stream footer starts.</summary>
    private static long? ReadIndex(IBlob blob, long start, List<(long Unpadded, long Uncompressed)> blocks)
    {
        // Each record is two varints of at most 9 bytes; a bounded read covers the whole index.
        var maxLength = 1 + 9 + (blocks.Count * 18L) + 3 + 4;
        var bytes = blob.ReadBytes(start, (int)Math.Min(maxLength, int.MaxValue));
        var at = 1;
        var count = ReadVarint(bytes, ref at);
        if (count != blocks.Count)
            return null;
        foreach (var (unpadded, uncompressed) in blocks)
        {
            var u = ReadVarint(bytes, ref at);
            var size = ReadVarint(bytes, ref at);
            if (u != unpadded || (uncompressed >= 0 && size != uncompressed))
                return null;
        }
        while ((at & 3) != 0)
        {
            if (at >= bytes.Length || bytes[at] != 0)
                return null;
            at++;
        }
        if (at + 4 > bytes.Length || System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, at)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)))
            return null;
        return start + at + 4;
    }

    /// <summary>A multibyte integer (§1.2): 7 bits per byte, low first, at most 9 bytes; -1 when malformed.</summary>
    private static long ReadVarint(ReadOnlySpan<byte> s, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 9; i++)
        {
            if (at >= s.Length)
                return -1;
            var b = s[at++];
            value |= (long)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
                return i > 0 && b == 0 ? -1 : value;
        }
        return -1;
    }
}
