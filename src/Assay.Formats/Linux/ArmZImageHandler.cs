using System.Buffers.Binary;
using System.IO.Hashing;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats;

/// <summary>
/// ARM Linux zImage: the self-decompressing kernel (decompressor code followed by the compressed
/// kernel, "piggy data"). Reports the chunk from its header and emits the compressed payload it finds
/// inside as <c>Image.xz</c>, <c>Image.gz</c>, <c>Image.lzma</c>, <c>Image.lzo</c>, <c>Image.lz4</c> or
/// <c>Image.zst</c>, so the kernel is unpacked without relying on generic carving.
/// </summary>
/// <remarks>
/// Header words (Linux arch/arm/boot/compressed/head.S, after 8 words of code or an EFI "MZ" stub):
/// <code>
/// 0x24  .word 0x016f2818   magic (stored in the kernel's byte order)
/// 0x28  .word start        zImage start (link) address, 0 for a position-independent zImage
/// 0x2c  .word _edata       zImage end address: the zImage is _edata - start bytes
/// 0x30  .word 0x04030201   endianness flag (since 3.x)
/// </code>
/// A real header (Debian armmp 6.1 zImage with EFI stub):
/// <code>
/// 00000020  f6 03 00 ea 18 28 6f 01  00 00 00 00 00 22 53 00  |.....(o......"S.|
/// 00000030  01 02 03 04 45 45 45 45  f0 d4 00 00 40 00 00 00  |....EEEE....@...|
/// </code>
/// The payload is found by its magic after the header. An xz payload ends at its stream footer
/// (found backwards, footer CRC checked); other payloads run to the end of the zImage, where a
/// 4-byte size and a few bytes of the decompressor's data may follow the stream.
/// </remarks>
internal sealed class ArmZImageHandler : IFormatHandler<ArmZImageHandler.ZImageState>
{
    private const int MagicOffset = 0x24;
    private const int StartOffset = 0x28;
    private const int EndOffset = 0x2c;
    private const int HeaderLength = 0x30;
    private const uint Magic = 0x016f2818;

    /// <summary>zImages are a few MiB; a larger extent means these bytes are not a zImage header.</summary>
    private const long MaxImageBytes = 256L << 20;

    private const int ScanWindowBytes = 1 << 16;
    private const int PayloadHeaderBytes = 32;

    /// <summary>LZ4_COMPRESSBOUND of the 8 MiB blocks of the legacy frame format.</summary>
    private const uint Lz4LegacyMaxBlock = (8 << 20) + ((8 << 20) / 255) + 16;

    // xz: "\xfd7zXZ\0" header magic, footer ends with "YZ"; footer: CRC32(4) backward size(4) flags(2) "YZ"
    private static readonly byte[] XzMagic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
    private const int XzFooterLength = 12;
    private const int XzHeaderFlagsOffset = 6;

    /// <summary>After the xz stream come a 4-byte size and the decompressor's GOT/data: the footer is near the end.</summary>
    private const int XzFooterSearchBytes = 256 << 10;

    private static readonly (string Name, byte[] Magic)[] Payloads =
    [
        (".xz", XzMagic),
        (".lzo", [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]), // lzop file header
        (".lz4", [0x02, 0x21, 0x4c, 0x18]),                               // lz4 legacy frame (kernel "lz4 -l")
        (".zst", [0x28, 0xb5, 0x2f, 0xfd]),
        (".gz", [0x1f, 0x8b, 0x08]),
        (".lzma", [0x5d, 0x00, 0x00]),                                    // lzma alone: props 0x5d, then dictionary size
    ];

    public string Id => "arm-zimage";
    public string Description => "ARM Linux zImage (self-decompressing kernel), compressed payload extracted";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("18286f01", MagicOffset), MagicSignature.Hex("016f2818", MagicOffset)];
    public IReadOnlyList<string> References { get; } =
    [
        "Linux arch/arm/boot/compressed/head.S (zImage header words)",
        "Linux Documentation/arch/arm/booting.rst",
        "The .xz File Format 1.2.1, 2.1.2 Stream Footer",
    ];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "only an xz payload gets an exact end; gzip, lzma, lzo, lz4 and zstd payloads run to the end of the zImage (the decompressor stops at its stream end)",
        "the payload is found by magic: the first xz, lzo, lz4, zstd or gzip magic after the header, lzma only when none of those is present",
        "arm64 Image and other architectures' compressed kernels are not handled here",
    ];

    internal sealed record ZImageState(bool BigEndian, uint Start, uint End);

    public FormatMatch<ZImageState>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h))
            return null;
        bool bigEndian;
        if (BinaryPrimitives.ReadUInt32LittleEndian(h[MagicOffset..]) == Magic)
            bigEndian = false;
        else if (BinaryPrimitives.ReadUInt32BigEndian(h[MagicOffset..]) == Magic)
            bigEndian = true;
        else
            return null;
        var start = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(h[StartOffset..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[StartOffset..]);
        var end = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(h[EndOffset..]) : BinaryPrimitives.ReadUInt32LittleEndian(h[EndOffset..]);
        if (end <= start || end - start < HeaderLength || end - start > MaxImageBytes)
            return null;
        long length = end - start;
        var truncated = length > blob.Length - offset;
        var description = $"ARM zImage, {(bigEndian ? "big" : "little")}-endian, {length} bytes, start address 0x{start:x8}" +
                          (truncated ? $", truncated ({blob.Length - offset} bytes present)" : "");
        return new FormatMatch<ZImageState>(offset, truncated ? null : length, description, new ZImageState(bigEndian, start, end));
    }

    public void Unpack(IBlob chunk, FormatMatch<ZImageState> match, IUnpackContext context)
    {
        var state = match.State;
        if (chunk.Length < (long)state.End - state.Start)
        {
            throw new Core.Formats.FormatException(Id, match.Offset + EndOffset,
                $"the header's end address 0x{state.End:x8} (start 0x{state.Start:x8}) needs {state.End - state.Start} bytes but only {chunk.Length} are present; the zImage is truncated");
        }
        if (FindPayload(chunk, context.CancellationToken) is not { } payload)
        {
            context.AddError("no xz, lzo, lz4, zstd, gzip or lzma magic found after the zImage header; the kernel is compressed in an unknown way or encrypted", match.Offset);
            return;
        }
        var length = chunk.Length - payload.Offset;
        if (payload.Suffix == ".xz" && XzStreamEnd(chunk, payload.Offset, context.CancellationToken) is { } xzEnd)
            length = xzEnd - payload.Offset;
        context.AddFile(new EntryMeta("Image" + payload.Suffix), chunk.Slice(payload.Offset, length));
    }

    /// <summary>The earliest payload magic after the header (lzma only as a last resort: its magic is weak).</summary>
    private static (long Offset, string Suffix)? FindPayload(IBlob image, CancellationToken cancellationToken)
    {
        (long Offset, string Suffix)? best = null;
        (long Offset, string Suffix)? lzma = null;
        var window = new byte[ScanWindowBytes];
        const int overlap = 16;
        for (long pos = HeaderLength; pos < image.Length; pos += ScanWindowBytes - overlap)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = image.Read(pos, window);
            if (n <= 0)
                break;
            var span = window.AsSpan(0, n);
            foreach (var (suffix, magic) in Payloads)
            {
                var searchFrom = 0;
                while (searchFrom < span.Length)
                {
                    var i = span[searchFrom..].IndexOf(magic);
                    if (i < 0)
                        break;
                    var at = pos + searchFrom + i;
                    if (Plausible(suffix, image, at))
                    {
                        if (suffix == ".lzma")
                            lzma ??= (at, suffix);
                        else if (best is null || at < best.Value.Offset)
                            best = (at, suffix);
                        break;
                    }
                    searchFrom += i + 1;
                }
            }
            if (best is not null)
                return best;
            if (pos + n >= image.Length)
                break;
        }
        return best ?? lzma;
    }

    /// <summary>
    /// Header checks past the magic. The decompressor itself holds several of these magics as
    /// constants (xz's header magic, lzop's magic array, lz4's magic in a literal pool), so a bare
    /// magic is not enough: each header's own checks must pass.
    /// </summary>
    private static bool Plausible(string suffix, IBlob image, long at)
    {
        var h = image.ReadBytes(at, PayloadHeaderBytes);
        switch (suffix)
        {
            case ".xz":
                // stream header: magic(6), stream flags (0x00, check type 0..15), CRC32 of the flags
                return h.Length >= 12 && h[6] == 0 && h[7] < 0x10 && Crc32.HashToUInt32(h.AsSpan(6, 2)) == BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(8));
            case ".lzo":
            {
                // lzop: magic(9), version(2, BE), library version(2), [version needed(2) from 0x0940], method 1..3
                if (h.Length < 16)
                    return false;
                var version = BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(9));
                var method = h[version >= 0x0940 ? 15 : 13];
                return version is >= 0x0900 and < 0x2000 && method is >= 1 and <= 3;
            }
            case ".lz4":
            {
                // legacy frame: magic(4), then blocks of (compressed size(4), data); sizes within LZ4's bound of 8 MiB
                if (h.Length < 8)
                    return false;
                var first = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(4));
                if (first is 0 or > Lz4LegacyMaxBlock)
                    return false;
                var next = at + 8 + first;
                var word = image.ReadBytes(next, 4);
                return word.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(word) <= Lz4LegacyMaxBlock || next + 4 >= image.Length - 64;
            }
            case ".zst":
                // frame header descriptor: reserved bit 3 clear
                return h.Length >= 6 && (h[4] & 0x08) == 0;
            case ".gz":
                // FLG reserved bits clear, XFL 0/2/4, OS up to 13 or 255 (RFC 1952 2.3.1)
                return h.Length >= 10 && (h[3] & 0xe0) == 0 && h[8] is 0 or 2 or 4 && (h[9] <= 13 || h[9] == 255);
            case ".lzma":
            {
                // dictionary size a power of two between 64 KiB and 256 MiB
                if (h.Length < 13)
                    return false;
                var dict = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(1));
                return dict is >= 1 << 16 and <= 1 << 28 && (dict & (dict - 1)) == 0;
            }
            default:
                return true;
        }
    }

    /// <summary>
    /// End of the xz stream that starts at <paramref name="start"/>: the last "YZ" footer magic at a
    /// 4-byte multiple from the start, within <see cref="XzFooterSearchBytes"/> of the zImage end, whose
    /// footer CRC32 and stream flags check out; null when none does.
    /// </summary>
    private static long? XzStreamEnd(IBlob image, long start, CancellationToken cancellationToken)
    {
        Span<byte> header = stackalloc byte[XzHeaderFlagsOffset + 2];
        if (!image.TryReadExactly(start, header))
            return null;
        cancellationToken.ThrowIfCancellationRequested();
        var tailStart = Math.Max(start, image.Length - XzFooterSearchBytes);
        var tail = image.ReadBytes(tailStart, (int)(image.Length - tailStart));
        // the stream length is a multiple of 4, so the footer ends at start + 4k
        var last = image.Length - ((image.Length - start) % 4);
        for (var end = last; end - XzFooterLength >= Math.Max(tailStart, start + XzMagic.Length); end -= 4)
        {
            var footer = tail.AsSpan((int)(end - XzFooterLength - tailStart), XzFooterLength);
            if (footer[10] != (byte)'Y' || footer[11] != (byte)'Z')
                continue;
            if (!footer.Slice(8, 2).SequenceEqual(header.Slice(XzHeaderFlagsOffset, 2)))
                continue;
            if (Crc32.HashToUInt32(footer.Slice(4, 6)) == BinaryPrimitives.ReadUInt32LittleEndian(footer))
                return end;
        }
        return null;
    }
}
