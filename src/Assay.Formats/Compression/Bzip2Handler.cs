using Assay.Core.Content;
using Assay.Core.Formats;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace Assay.Formats;

/// <summary>bzip2 stream (one or more concatenated), decompressed with SharpCompress.</summary>
/// <remarks>
/// Header: <c>42 5a 68</c> "BZh", block size '1'..'9', then the first block's magic
/// <c>31 41 59 26 53 59</c> (BCD pi) or, for an empty stream, the end marker <c>17 72 45 38 50 90</c>.
/// </remarks>
public sealed class Bzip2Handler : IFormatHandler
{
    private const int HeaderLength = 10;
    private const int BlockSizeOffset = 3;
    private static readonly byte[] BlockMagic = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    private static readonly byte[] EndMagic = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

    public string Id => "bzip2";
    public string Description => "bzip2 compressed stream";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("BZh")];
    public IReadOnlyList<string> References { get; } = ["bzip2 1.0.8 sources (blocksort.c, decompress.c): stream and block headers"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "streams that follow one another directly are one chunk and one child (as bzip2 -d gives); anything else after them is the next chunk",
        "the end is found by its bit-aligned marker and the combined CRC; a stream whose end does not check out runs to the end of its blob and is reported corrupt there",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || h[0] != 'B' || h[1] != 'Z' || h[2] != 'h' || h[BlockSizeOffset] is < (byte)'1' or > (byte)'9')
            return null;
        if (!h[4..].SequenceEqual(BlockMagic) && !h[4..].SequenceEqual(EndMagic))
            return null;
        var length = Bzip2StreamLength.Measure(blob, offset, CancellationToken.None);
        return new FormatMatch(offset, length, $"bzip2, {(char)h[BlockSizeOffset]}00k blocks" + (length is null ? ", end not found (truncated or corrupt)" : ""));
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".bz2", ".bzip2", ".bz"], [(".tbz2", ".tar"), (".tbz", ".tar")]);
        using var input = chunk.OpenStream();
        try
        {
            using var bzip = new DecoderStream(BZip2Stream.Create(input, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true, tolerateTruncatedStream: false), Id);
            context.AddFile(new EntryMeta(name), bzip, chunk.Length);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException or Core.Formats.FormatException))
        {
            // SharpCompress's decoder throws several types (even IndexOutOfRangeException) on corrupt data.
            throw new Core.Formats.FormatException(Id, input.Position, $"corrupt bzip2 stream ({e.GetType().Name}: {e.Message})", e);
        }
    }
}
