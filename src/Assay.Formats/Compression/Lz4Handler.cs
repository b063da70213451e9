using Assay.Core.Content;
using Assay.Core.Formats;
using K4os.Compression.LZ4.Streams;

namespace Assay.Formats;

/// <summary>LZ4 frame format, decompressed with K4os.Compression.LZ4.</summary>
/// <remarks>
/// Frame (lz4_Frame_format.md): magic <c>04 22 4d 18</c>, FLG (version bits 7-6 = 01, bit 1
/// reserved 0), BD (block max size 4..7 in bits 6-4, others 0), optional content size and
/// dictionary id, header checksum.
/// </remarks>
public sealed class Lz4Handler : IFormatHandler
{
    private const int FlagOffset = 4;
    private const int BlockDescriptorOffset = 5;

    public string Id => "lz4";
    public string Description => "LZ4 frame";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("04224d18")];
    public IReadOnlyList<string> References { get; } = ["LZ4 Frame Format Description 1.6.x (lz4/doc/lz4_Frame_format.md)"];
    public IReadOnlyList<string> Limitations { get; } = ["the legacy frame (02 21 4c 18, used by some kernels) is not supported", "chunk length is not computed when carving"];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[6];
        if (!blob.TryReadExactly(offset, h) || h[0] != 0x04 || h[1] != 0x22 || h[2] != 0x4d || h[3] != 0x18)
            return null;
        var flg = h[FlagOffset];
        var bd = h[BlockDescriptorOffset];
        if ((flg >> 6) != 1 || (flg & 0x02) != 0 || (bd & 0x8f) != 0 || ((bd >> 4) & 7) < 4)
            return null;
        return new FormatMatch(offset, null, "lz4 frame");
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".lz4"], []);
        using var input = chunk.OpenStream();
        try
        {
            using var lz4 = new DecoderStream(LZ4Stream.Decode(input, leaveOpen: true), Id);
            context.AddFile(new EntryMeta(name), lz4, chunk.Length);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException or Core.Formats.FormatException))
        {
            // K4os reports corrupt frames with InvalidOperationException and others.
            throw new Core.Formats.FormatException(Id, input.Position, $"corrupt LZ4 frame ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
