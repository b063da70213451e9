using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Vendor;

/// <summary>
/// D-Link SEAMA image (DIR, DAP and DSL devices): a big-endian header, NUL-separated
/// <c>key=value</c> meta data (the device signature), and the image with its MD5.
/// </summary>
/// <remarks>
/// <code>
/// typedef struct seama_hdr {   // OpenWrt firmware-utils seama.h, big-endian
///     uint32_t magic;          // 0x00  0x5ea3a417
///     uint16_t reserved;       // 0x04  0
///     uint16_t metasize;       // 0x06  bytes of meta data after the header
///     uint32_t size;           // 0x08  bytes of image after the meta data
///     uint8_t  digest[16];     // 0x0c  MD5 of the image (zero when size is 0: a "seal" header)
/// } seamahdr_t;                // 28 bytes
/// 00000000  5e a3 a4 17 00 00 00 24  00 3c 00 00 9f 3a 2b ...  |^......$.&lt;...:+.|
/// </code>
/// A header with size 0 only carries meta data (seama's seal mode wraps images that way).
/// </remarks>
internal sealed class SeamaHandler : IFormatHandler<SeamaHandler.State>
{
    private const uint Magic = 0x5ea3a417;
    private const int HeaderLength = 28;
    private const int ReservedOffset = 4;
    private const int MetaSizeOffset = 6;
    private const int SizeOffset = 8;
    private const int DigestOffset = 12;

    public string Id => "seama";
    public string Description => "D-Link SEAMA firmware image (meta data, MD5-verified image)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("5ea3a417")];
    public IReadOnlyList<string> References { get; } = ["OpenWrt firmware-utils seama.h and seama.c (seamahdr_t, MD5 of the image)"];
    public IReadOnlyList<string> Limitations { get; } = ["a header with size 0 (meta data only) is one chunk of its own; the image after it is found as the next chunk"];

    internal sealed record State(int MetaSize, uint Size, byte[] Digest, string Meta);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || BinaryPrimitives.ReadUInt32BigEndian(h) != Magic || BinaryPrimitives.ReadUInt16BigEndian(h[ReservedOffset..]) != 0)
            return null;
        var metaSize = BinaryPrimitives.ReadUInt16BigEndian(h[MetaSizeOffset..]);
        var size = BinaryPrimitives.ReadUInt32BigEndian(h[SizeOffset..]);
        var meta = blob.ReadBytes(offset + HeaderLength, metaSize);
        if (meta.Length != metaSize)
            return null;
        // Meta data is text: key=value strings, NUL-separated and NUL-padded.
        if (meta.AsSpan().IndexOfAnyInRange((byte)1, (byte)0x1f) >= 0 || meta.AsSpan().IndexOfAnyInRange((byte)0x7f, (byte)0xff) >= 0)
            return null;
        var metaText = string.Join(", ", Encoding.ASCII.GetString(meta).Split('\0', StringSplitOptions.RemoveEmptyEntries));
        var length = HeaderLength + (long)metaSize + size;
        var digest = h.Slice(DigestOffset, 16).ToArray();
        if (size > 0 && length <= blob.Length - offset)
        {
            // The MD5 is the strict test: without it four bytes of magic would split random data.
            var actual = Checksums.Md5(blob.Slice(offset + HeaderLength + metaSize, size), CancellationToken.None);
            if (!actual.AsSpan().SequenceEqual(digest))
                return null;
        }
        else if (size > 0)
        {
            return new FormatMatch<State>(offset, null, $"seama, meta \"{metaText}\", truncated ({blob.Length - offset} of {length} bytes present)", new State(metaSize, size, digest, metaText));
        }
        return new FormatMatch<State>(offset, length, $"seama, meta \"{metaText}\", image {size} bytes" + (size > 0 ? ", MD5 verified" : " (meta data only)"), new State(metaSize, size, digest, metaText));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        if (s.Size == 0)
            return;
        var start = HeaderLength + (long)s.MetaSize;
        if (chunk.Length < start + s.Size)
            throw new FormatException(Id, match.Offset + SizeOffset, $"size {s.Size} needs {start + s.Size} bytes but {chunk.Length} are present; the image is truncated");
        context.AddFile(new EntryMeta("image"), chunk.Slice(start, s.Size));
    }
}
