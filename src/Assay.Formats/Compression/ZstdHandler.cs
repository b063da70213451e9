using Assay.Core.Content;
using Assay.Core.Formats;
using ZstdSharp;

namespace Assay.Formats;

/// <summary>Zstandard frames (RFC 8878), decompressed with ZstdSharp.</summary>
/// <remarks>Frame magic <c>28 b5 2f fd</c> (0xFD2FB528 LE), then the frame header descriptor whose bit 3 is reserved (must be 0).</remarks>
public sealed class ZstdHandler : IFormatHandler
{
    private const int DescriptorOffset = 4;
    private const byte ReservedBit = 0x08;
    private const int MaxHeader = 4 + 14 + 3;
    private const int MaxWindowLog = 31;
    private const int MaxBlockSize = 128 << 10;

    public string Id => "zstd";
    public string Description => "Zstandard compressed stream";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("28b52ffd")];
    public IReadOnlyList<string> References { get; } = ["RFC 8878 Zstandard Compression, §3.1.1 Zstandard Frames"];
    public IReadOnlyList<string> Limitations { get; } = ["skippable frames end the chunk"];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[MaxHeader];
        var got = blob.Read(offset, h);
        if (got < 9 || h[0] != 0x28 || h[1] != 0xb5 || h[2] != 0x2f || h[3] != 0xfd)
            return null;
        // Frame_Header_Descriptor (RFC 8878 3.1.1.1.1): FCS flag (7-6), single segment (5), unused (4), reserved (3) = 0, checksum (2), dictionary id flag (1-0).
        var fhd = h[DescriptorOffset];
        if ((fhd & ReservedBit) != 0)
            return null;
        var singleSegment = (fhd & 0x20) != 0;
        var fcsSize = (fhd >> 6) switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        var didSize = (fhd & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        var headerEnd = DescriptorOffset + 1 + (singleSegment ? 0 : 1) + didSize + fcsSize;
        if (!singleSegment && (10 + (h[DescriptorOffset + 1] >> 3)) > MaxWindowLog)
            return null;
        if (headerEnd + 3 > got)
            return null;
        // First Block_Header (3.1.1.2): type 3 is reserved; a block holds at most 128 KiB.
        var block = h[headerEnd] | (h[headerEnd + 1] << 8) | (h[headerEnd + 2] << 16);
        var type = (block >> 1) & 3;
        var size = block >> 3;
        if (type == 3 || (type != 1 && size > MaxBlockSize))
            return null;
        var length = FramesLength(blob, offset);
        return length is null ? null : new FormatMatch(offset, length, "zstd");
    }

    /// <summary>
    /// The exact length of the frames starting at <paramref name="offset"/>, walking block headers
    /// (3.1.1.2): a frame is its header, blocks until Last_Block, then a 4-byte checksum when the
    /// descriptor says so. Further frames are included while the next bytes are a frame magic.
    /// Null when a block is invalid or passes the end of the blob.
    /// </summary>
    private static long? FramesLength(IBlob blob, long offset)
    {
        var position = offset;
        Span<byte> h = stackalloc byte[MaxHeader];
        Span<byte> block = stackalloc byte[3];
        var frames = 0;
        while (blob.Read(position, h[..4]) == 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
        {
            if (blob.Read(position, h) < 6)
                return frames > 0 ? position - offset : null;
            var fhd = h[DescriptorOffset];
            if ((fhd & ReservedBit) != 0)
                return frames > 0 ? position - offset : null;
            var singleSegment = (fhd & 0x20) != 0;
            var fcsSize = (fhd >> 6) switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
            var didSize = (fhd & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
            position += DescriptorOffset + 1 + (singleSegment ? 0 : 1) + didSize + fcsSize;
            while (true)
            {
                if (!blob.TryReadExactly(position, block))
                    return null;
                var header = block[0] | (block[1] << 8) | (block[2] << 16);
                var type = (header >> 1) & 3;
                var size = header >> 3;
                if (type == 3 || size > MaxBlockSize)
                    return null;
                position += 3 + (type == 1 ? 1 : size);
                if (position > blob.Length)
                    return null;
                if ((header & 1) != 0)
                    break;
            }
            if ((fhd & 0x04) != 0)
                position += 4;
            if (position > blob.Length)
                return null;
            frames++;
        }
        return frames > 0 ? position - offset : null;
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".zst", ".zstd"], [(".tzst", ".tar")]);
        using var input = chunk.OpenStream();
        using var zstd = new DecoderStream(new DecompressionStream(input), Id);
        context.AddFile(new EntryMeta(name), zstd, chunk.Length);
    }
}
