using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats;

/// <summary>
/// LZ4 legacy frame (<c>lz4 -l</c>), the format of LZ4-compressed Linux kernels and initramfs
/// (scripts/Makefile.lib cmd_lz4: <c>lz4 -l -c1</c> plus the size trailer). Blocks are decoded with
/// K4os.Compression.LZ4; the chunk ends after the last block (and the kernel's size trailer).
/// </summary>
/// <remarks>
/// lz4_Frame_format.md "Legacy frame": magic 0x184C2102 (<c>02 21 4c 18</c>), then blocks, each a
/// 32-bit little-endian compressed size and an LZ4 block that decodes to 8 MiB, the last one to
/// less; no checksums, no end mark. A kernel made with <c>lz4 -l</c> starts
/// <c>02 21 4c 18 xx xx xx 00</c> (the first block's size, below LZ4_compressBound(8 MiB) = 0x808090).
/// </remarks>
public sealed class Lz4LegacyHandler : IFormatHandler, IStreamLengthProbe
{
    public string Id => "lz4-legacy";
    public string Description => "LZ4 legacy frame (lz4 -l; Linux kernel and initramfs compression)";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("02214c18")];
    public IReadOnlyList<string> References { get; } = ["LZ4 Frame Format Description 1.6.x, \"Legacy frame\"", "Linux lib/decompress_unlz4.c, scripts/Makefile.lib (cmd_lz4, size_append)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the format has no checksum: corruption shows only as a block that does not decode",
        "a carved legacy frame is decoded twice: once to find where it ends (only the last block is short), once to unpack it",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[8];
        if (!blob.TryReadExactly(offset, h) || BinaryPrimitives.ReadUInt32LittleEndian(h) != Lz4LegacyStream.LegacyMagic)
            return null;
        var first = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
        if (first == 0 || first > Lz4LegacyStream.MaxBlockInput || first > blob.Length - offset - 8)
            return null;
        return new FormatMatch(offset, null, $"lz4 legacy frame, first block {first} bytes");
    }

    public long? MeasureLength(IBlob blob, long offset, long maxOutput, CancellationToken cancellationToken)
    {
        using var stream = new Lz4LegacyStream(blob.Slice(offset, blob.Length - offset), Id, offset);
        var buffer = new byte[1 << 16];
        long produced = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            produced += n;
            if (produced > maxOutput)
                return null;
        }
        return stream.Consumed;
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".lz4"], []);
        using var stream = new Lz4LegacyStream(chunk, Id, match.Offset);
        context.AddFile(new EntryMeta(name), stream, chunk.Length);
        if (stream.Consumed < chunk.Length)
            context.ReportLength(stream.Consumed);
    }
}
