using System.Buffers;
using Assay.Core.Content;

namespace Assay.Formats.Vendor;

/// <summary>The checksums vendor firmware headers use, computed over blobs in bounded pieces.</summary>
internal static class Checksums
{
    private const int Piece = 1 << 16;

    /// <summary>
    /// CRC-32 (IEEE 802.3 polynomial, reflected) with the register started at ~0 and no final
    /// inversion: the "crc32" of Broadcom's TRX and of Linux's crc32_le(~0, ...). Equals the
    /// complement of the standard CRC-32.
    /// </summary>
    public static uint Crc32NoFinalXor(IBlob blob, CancellationToken cancellationToken)
    {
        var crc = new System.IO.Hashing.Crc32();
        ForEachPiece(blob, span => crc.Append(span), cancellationToken);
        return ~crc.GetCurrentHashAsUInt32();
    }

    /// <summary>
    /// NETGEAR's checksum (OpenWrt mkchkimg.c netgear_checksum_add/fini): c0 sums the bytes, c1
    /// sums c0 (both 32-bit, wrapping); each is folded to 16 bits twice; the result is c1 &lt;&lt; 16 | c0.
    /// </summary>
    public static uint Netgear(IBlob blob, CancellationToken cancellationToken)
    {
        uint c0 = 0, c1 = 0;
        ForEachPiece(blob, span =>
        {
            foreach (var b in span)
            {
                unchecked
                {
                    c0 += b;
                    c1 += c0;
                }
            }
        }, cancellationToken);
        return NetgearFinish(c0, c1);
    }

    public static uint NetgearFinish(uint c0, uint c1)
    {
        var b = (c0 & 0xffff) + ((c0 >> 16) & 0xffff);
        c0 = ((b >> 16) + b) & 0xffff;
        b = (c1 & 0xffff) + ((c1 >> 16) & 0xffff);
        c1 = ((b >> 16) + b) & 0xffff;
        return (c1 << 16) | c0;
    }

    /// <summary>MD5 of the blob, with <paramref name="replace"/> written over the bytes at <paramref name="replaceAt"/> (a salted header field).</summary>
    public static byte[] Md5(IBlob blob, CancellationToken cancellationToken, long replaceAt = -1, byte[]? replace = null)
    {
        using var md5 = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.MD5);
        long position = 0;
        ForEachPiece(blob, span =>
        {
            if (replace is not null && replaceAt >= position && replaceAt < position + span.Length)
            {
                var copy = span.ToArray();
                var n = (int)Math.Min(replace.Length, copy.Length - (replaceAt - position));
                replace.AsSpan(0, n).CopyTo(copy.AsSpan((int)(replaceAt - position)));
                if (n < replace.Length)
                    throw new ArgumentException("a salted field must not straddle a read piece", nameof(replaceAt));
                md5.AppendData(copy);
            }
            else
            {
                md5.AppendData(span);
            }
            position += span.Length;
        }, cancellationToken);
        return md5.GetHashAndReset();
    }

    private delegate void PieceAction(ReadOnlySpan<byte> piece);

    private static void ForEachPiece(IBlob blob, PieceAction action, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Piece);
        try
        {
            long position = 0;
            while (position < blob.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = blob.Read(position, buffer.AsSpan(0, (int)Math.Min(Piece, blob.Length - position)));
                if (n <= 0)
                    throw new EndOfStreamException($"content ended at 0x{position:x} of 0x{blob.Length:x} bytes");
                action(buffer.AsSpan(0, n));
                position += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
