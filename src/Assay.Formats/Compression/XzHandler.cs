using System.Buffers.Binary;
using System.IO.Hashing;
using Assay.Core.Content;
using Assay.Core.Formats;
using SharpCompress.Compressors.Xz;

namespace Assay.Formats;

/// <summary>xz container (LZMA2 and filters), decompressed with SharpCompress.</summary>
/// <remarks>
/// Stream header (xz file format 1.1.0 §2.1.1): magic <c>fd 37 7a 58 5a 00</c>, stream flags
/// (2 bytes: 0x00, check type 0..0x0f), CRC32 of the flags (4 bytes, little endian).
/// </remarks>
public sealed class XzHandler : IFormatHandler
{
    private const int HeaderLength = 12;
    private const int FlagsOffset = 6;
    private const int CrcOffset = 8;

    public string Id => "xz";
    public string Description => "xz compressed stream";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("fd377a585a00")];
    public IReadOnlyList<string> References { get; } = ["The .xz File Format 1.1.0 (tukaani.org), §2.1.1 Stream Header"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "decoded with the system liblzma when present (all filters); the managed fallback (SharpCompress) is slower and lacks some filters",
        "the chunk is one stream: stream padding and a following stream are the next chunks",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || !h[..6].SequenceEqual((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
            return null;
        // The stream flags are protected by their own CRC32: a strict check that keeps carving honest.
        if (h[FlagsOffset] != 0 || h[FlagsOffset + 1] > 0x0f || System.IO.Hashing.Crc32.HashToUInt32(h.Slice(FlagsOffset, 2)) != BinaryPrimitives.ReadUInt32LittleEndian(h[CrcOffset..]))
            return null;
        var check = h[FlagsOffset + 1] switch { 0 => "no check", 1 => "CRC32", 4 => "CRC64", 0x0a => "SHA-256", var c => $"check 0x{c:x}" };
        // The stream's structure gives its exact end (blocks, index and footer, each CRC-checked);
        // a stream that does not walk (truncated, corrupt) is still tried and its errors reported.
        var length = XzStreamLength.Measure(blob, offset, CancellationToken.None);
        return new FormatMatch(offset, length, length is null ? $"xz, {check}, end not found (truncated or corrupt)" : $"xz, {check}");
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".xz", ".txz"], [(".txz", ".tar")]);
        using var input = chunk.OpenStream();
        using Stream xz = LibLzma.IsAvailable ? NativeLzmaStream.Xz(input) : new DecoderStream(new XZStream(input), Id);
        context.AddFile(new EntryMeta(name), xz, chunk.Length);
        // Data appended after the stream (the next partition of a flash image) is carved, not hidden.
        if (xz is NativeLzmaStream { InputConsumed: { } consumed } && consumed < chunk.Length)
            context.ReportLength(consumed);
    }
}
