using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using SharpCompress.Compressors.LZMA;

namespace Assay.Formats;

/// <summary>"LZMA alone" (.lzma, lzma_alone, as in many router kernels), decompressed with SharpCompress.</summary>
/// <remarks>
/// 13-byte header: properties byte (lc + lp*9 + pb*45, at most 224; 0x5d is lc=3 lp=0 pb=2),
/// dictionary size (uint32 LE), uncompressed size (uint64 LE, all ones = unknown, then an end marker).
/// Example: <c>5d 00 00 80 00 ff ff ff ff ff ff ff ff</c>. The magic is weak, so the header is
/// checked strictly: usual property bytes, a dictionary size of 2^n or 2^n + 2^(n-1) between 4 KiB
/// and 1.5 GiB, and a plausible size.
/// </remarks>
public sealed class LzmaHandler : IFormatHandler
{
    private const int HeaderLength = 13;
    private const int DictionaryOffset = 1;
    private const int SizeOffset = 5;
    private const long MaxPlausibleSize = 1L << 40;

    public string Id => "lzma";
    public string Description => "LZMA alone stream (.lzma)";
    public FormatCategory Category => FormatCategory.Compression;

    // The property bytes real encoders write (lc=3 lp=0 pb=2 is the default) with a small dictionary's low bytes.
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("5d0000"), MagicSignature.Hex("6d0000"), MagicSignature.Hex("5e0000")];
    public IReadOnlyList<string> References { get; } = ["LZMA SDK lzma.txt, \"LZMA compressed file format\""];
    public IReadOnlyList<string> Limitations { get; } = ["only the common property bytes 0x5d, 0x5e, 0x6d are recognised by magic", "chunk length is not computed when carving"];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || h[0] > 224)
            return null;
        var dictionary = BinaryPrimitives.ReadUInt32LittleEndian(h[DictionaryOffset..]);
        if (dictionary < 1 << 12 || dictionary > 3u << 29 || !IsDictionarySize(dictionary))
            return null;
        var size = BinaryPrimitives.ReadInt64LittleEndian(h[SizeOffset..]);
        if (size != -1 && (size <= 0 || size > MaxPlausibleSize))
            return null;
        return new FormatMatch(offset, null, size == -1 ? $"lzma, dictionary {dictionary >> 10} KiB" : $"lzma, dictionary {dictionary >> 10} KiB, {size} bytes");
    }

    private static bool IsDictionarySize(uint d)
    {
        for (var n = 12; n <= 30; n++)
        {
            if (d == 1u << n || d == (1u << n) + (1u << (n - 1)))
                return true;
        }
        return false;
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var header = new byte[HeaderLength];
        chunk.ReadExactly(0, header);
        var size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(SizeOffset));
        if (size > context.Limits.MaxFileBytes)
            throw new Core.Formats.FormatException(Id, SizeOffset, $"declared size {size} passes the file size limit {context.Limits.MaxFileBytes}");
        var name = ChildName.FromFieldOrContainer(null, context.ContainerPath, [".lzma", ".lz"], [(".tlz", ".tar")]);
        using var lzma = LibLzma.IsAvailable
            ? (Stream)NativeLzmaStream.Alone(chunk.OpenStream())
            : new DecoderStream(LzmaStream.Create(header[..5], chunk.Slice(HeaderLength, chunk.Length - HeaderLength).OpenStream(), chunk.Length - HeaderLength, size, leaveOpen: false), Id);
        context.AddFile(new EntryMeta(name), lzma, chunk.Length);
    }
}
