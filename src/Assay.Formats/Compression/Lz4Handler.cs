using Assay.Core.Content;
using Assay.Core.Formats;
using K4os.Compression.LZ4.Streams;

namespace Assay.Formats;

/// <summary>LZ4 frame format, decompressed with K4os.Compression.LZ4; the chunk ends exactly where the frames end.</summary>
/// <remarks>
/// Frame (lz4_Frame_format.md): magic <c>04 22 4d 18</c>, FLG (version bits 7-6 = 01, bit 1
/// reserved 0), BD (block max size 4..7 in bits 6-4, others 0), optional content size and
/// dictionary id, header checksum. <c>lz4 -9</c> of a text file starts:
/// <c>04 22 4d 18 64 40 a7 ...</c> (FLG 0x64: version 1, independent blocks, content checksum; BD
/// 0x40: 64 KiB blocks; HC 0xa7).
/// </remarks>
public sealed class Lz4Handler : IFormatHandler
{
    public string Id => "lz4";
    public string Description => "LZ4 frame";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("04224d18")];
    public IReadOnlyList<string> References { get; } = ["LZ4 Frame Format Description 1.6.x (lz4/doc/lz4_Frame_format.md)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "frames that follow one another directly are one chunk and one child (as lz4 -d gives); a skippable frame ends the chunk",
        "block and content checksums are not verified (the header checksum is)",
        "the legacy frame is the separate handler lz4-legacy",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        if (!Lz4FrameLength.HeaderValid(blob, offset, out _, out _, out var maxBlock))
            return null;
        var length = Lz4FrameLength.Measure(blob, offset);
        return new FormatMatch(offset, length, $"lz4 frame, {maxBlock >> 10} KiB blocks" + (length is null ? ", end not found (truncated or corrupt)" : ""));
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
