using System.IO.Compression;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// gzip (RFC 1952): one or more members, each a deflate stream. The child is named after the
/// member's FNAME field when present, else after the container without its <c>.gz</c>.
/// </summary>
/// <remarks>
/// Header (10 bytes): <c>1f 8b</c> ID, <c>08</c> CM=deflate, FLG, MTIME(4), XFL, OS, then optional
/// FEXTRA, FNAME, FCOMMENT, FHCRC. Example: <c>1f 8b 08 08 00 00 00 00 00 03 72 6f 6f 74 ...</c>
/// (FNAME "root...").
/// </remarks>
internal sealed class GzipHandler : IFormatHandler<GzipHandler.Header>, IStreamLengthProbe
{
    private const int HeaderLength = 10;
    private const int FlagsOffset = 3;
    private const int XflOffset = 8;
    private const int OsOffset = 9;
    private const byte FlagText = 0x01;
    private const byte FlagHcrc = 0x02;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte ReservedFlags = 0xe0;
    private const int MaxNameLength = 1024;
    private const int TrailerLength = 8;

    public string Id => "gzip";
    public string Description => "gzip compressed stream (RFC 1952), multi-member";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("1f8b08")];
    public IReadOnlyList<string> References { get; } = ["RFC 1952 GZIP file format specification 4.3", "RFC 1951 DEFLATE"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "a gzip member carved out of a larger blob is decompressed twice: once to find where it ends (deflate has no length field), once to unpack it",
        "a carved chunk is one member; at offset 0 of a file, concatenated members are one child, as gzip -d gives",
    ];

    /// <summary>What the header says: the stored file name (FNAME), if any.</summary>
    internal sealed record Header(string? Name);

    public FormatMatch<Header>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, header) || header[0] != 0x1f || header[1] != 0x8b || header[2] != 8)
            return null;
        var flags = header[FlagsOffset];
        // XFL is 0, 2 (best) or 4 (fastest); OS is 0..13 or 255 (RFC 1952 2.3.1). With the reserved
        // flag bits these keep the 3-byte magic from matching random data (compressed or encrypted
        // regions of a flash dump) thousands of times less often.
        if ((flags & ReservedFlags) != 0 || header[XflOffset] is not (0 or 2 or 4) || header[OsOffset] is > 13 and < 255)
            return null;
        var name = ReadName(blob, offset, flags, out var nameValid);
        if (!nameValid)
            return null;
        return new FormatMatch<Header>(offset, null, name is null ? "gzip" : $"gzip, original name \"{name}\"", new Header(name));
    }

    public void Unpack(IBlob chunk, FormatMatch<Header> match, IUnpackContext context)
    {
        var name = match.State.Name;
        var childName = ChildName.FromFieldOrContainer(name, context.ContainerPath, [".gz", ".gzip", ".z"], [(".tgz", ".tar")]);
        using var input = chunk.OpenStream();
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var checkedOutput = new Crc32Stream(gzip);
        context.AddFile(new EntryMeta(childName), checkedOutput, chunk.Length);
        VerifyTrailer(chunk, checkedOutput, context);
    }

    /// <summary>
    /// Decodes the first member to its end and finds its trailer right where the deflate data
    /// stopped: the exact member length. The trailer is looked for in the last input the decoder
    /// read (it reads ahead in buffers), and must hold the CRC32 and size of what came out.
    /// </summary>
    public long? MeasureLength(IBlob blob, long offset, long maxOutput, CancellationToken cancellationToken)
    {
        var headerLength = HeaderLengthAt(blob, offset);
        if (headerLength is not { } start)
            return null;
        var member = blob.Slice(offset, blob.Length - offset);
        using var input = member.OpenStream();
        input.Position = start;
        using var deflate = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
        var crc = new System.IO.Hashing.Crc32();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        long produced = 0;
        try
        {
            int n;
            while ((n = deflate.Read(buffer, 0, 1 << 16)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                crc.Append(buffer.AsSpan(0, n));
                produced += n;
                if (produced > maxOutput)
                    return null;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        Span<byte> expected = stackalloc byte[TrailerLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected, crc.GetCurrentHashAsUInt32());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], (uint)produced);
        const int ReadAhead = 1 << 20;
        var from = Math.Max(start, input.Position - ReadAhead);
        var window = member.ReadBytes(from, (int)Math.Min(int.MaxValue, input.Position + TrailerLength - from));
        var at = window.AsSpan().IndexOf(expected);
        return at < 0 ? null : from + at + TrailerLength;
    }

    /// <summary>The length of the member header at <paramref name="offset"/> (RFC 1952 2.3: optional fields included), or null.</summary>
    private static long? HeaderLengthAt(IBlob blob, long offset)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, header) || header[0] != 0x1f || header[1] != 0x8b || header[2] != 8)
            return null;
        var flags = header[FlagsOffset];
        long pos = offset + HeaderLength;
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> xlen = stackalloc byte[2];
            if (!blob.TryReadExactly(pos, xlen))
                return null;
            pos += 2 + (xlen[0] | (xlen[1] << 8));
        }
        foreach (var flag in (ReadOnlySpan<byte>)[FlagName, FlagComment])
        {
            if ((flags & flag) == 0)
                continue;
            var field = blob.ReadBytes(pos, 64 * 1024);
            var end = Array.IndexOf(field, (byte)0);
            if (end < 0)
                return null;
            pos += end + 1;
        }
        if ((flags & FlagHcrc) != 0)
            pos += 2;
        return pos <= blob.Length ? pos - offset : null;
    }

    /// <summary>
    /// The deflate decoder stops quietly at the end of a truncated stream, and at the end of a
    /// member followed by other data, so the member trailer (CRC32 and ISIZE, RFC 1952 2.3.1) of
    /// what came out is looked for: at the end of the chunk (the usual case), else further in,
    /// where it marks the end of the stream and the start of whatever was appended (reported so
    /// that it is carved). Found nowhere: the stream is truncated or corrupt.
    /// </summary>
    private void VerifyTrailer(IBlob chunk, Crc32Stream output, IUnpackContext context)
    {
        if (!output.ReachedEnd || chunk.Length < HeaderLength + TrailerLength)
            return;
        Span<byte> expected = stackalloc byte[TrailerLength];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected, output.Crc);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], (uint)output.Length);
        Span<byte> trailer = stackalloc byte[TrailerLength];
        chunk.ReadExactly(chunk.Length - TrailerLength, trailer);
        if (trailer.SequenceEqual(expected))
            return;
        if (FindTrailer(chunk, expected, context.CancellationToken) is { } end)
        {
            context.ReportLength(end);
            return;
        }
        var crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        context.AddError($"gzip trailer says {size} bytes with CRC32 {crc:x8}, the stream gave {output.Length} bytes with CRC32 {output.Crc:x8}: " +
            "the file is truncated or corrupt (or holds several members that differ)", chunk.Length - TrailerLength);
    }

    /// <summary>The end of the first occurrence of the 8-byte trailer after the header, read in windows.</summary>
    private static long? FindTrailer(IBlob chunk, ReadOnlySpan<byte> trailer, CancellationToken cancellationToken)
    {
        const int Window = 1 << 20;
        var buffer = new byte[Window + TrailerLength];
        for (long start = HeaderLength; start < chunk.Length; start += Window)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = chunk.Read(start, buffer);
            var at = buffer.AsSpan(0, n).IndexOf(trailer);
            if (at >= 0)
                return start + at + TrailerLength;
            if (n < buffer.Length)
                break;
        }
        return null;
    }

    private static string? ReadName(IBlob blob, long offset, byte flags, out bool valid)
    {
        valid = true;
        if ((flags & FlagName) == 0)
            return null;
        var pos = offset + HeaderLength;
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> xlen = stackalloc byte[2];
            if (!blob.TryReadExactly(pos, xlen))
                return null;
            pos += 2 + (xlen[0] | (xlen[1] << 8));
        }
        var bytes = blob.ReadBytes(pos, MaxNameLength);
        var end = Array.IndexOf(bytes, (byte)0);
        // A stored name is a file name: terminated, without control characters.
        if (end <= 0 || bytes.AsSpan(0, end).IndexOfAnyInRange((byte)1, (byte)0x1f) >= 0)
        {
            valid = false;
            return null;
        }
        // FNAME is ISO 8859-1 (RFC 1952 2.3.1)
        return System.Text.Encoding.Latin1.GetString(bytes, 0, end);
    }
}
