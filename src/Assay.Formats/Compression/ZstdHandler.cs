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

    public string Id => "zstd";
    public string Description => "Zstandard compressed stream";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("28b52ffd")];
    public IReadOnlyList<string> References { get; } = ["RFC 8878 Zstandard Compression, §3.1.1 Zstandard Frames"];
    public IReadOnlyList<string> Limitations { get; } = ["skippable frames are not listed", "chunk length is not computed when carving"];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[5];
        if (!blob.TryReadExactly(offset, h) || h[0] != 0x28 || h[1] != 0xb5 || h[2] != 0x2f || h[3] != 0xfd || (h[DescriptorOffset] & ReservedBit) != 0)
            return null;
        return new FormatMatch(offset, null, "zstd");
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".zst", ".zstd"], [(".tzst", ".tar")]);
        using var input = chunk.OpenStream();
        using var zstd = new DecompressionStream(input);
        try
        {
            context.AddFile(new EntryMeta(name), zstd, chunk.Length);
        }
        catch (ZstdException e)
        {
            throw new Core.Formats.FormatException(Id, 0, $"corrupt zstd data ({e.Message})", e);
        }
    }
}
