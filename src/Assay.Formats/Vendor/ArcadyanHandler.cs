using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats.Vendor;

/// <summary>
/// Arcadyan's obfuscated LZMA (bootloader and kernel images of Arcadyan-made routers, sold as
/// Vodafone, Telekom, o2 and other operator boxes): an LZMA-alone stream whose first 32 bytes were
/// swapped with the 32 bytes at 0x68 and scrambled (each byte's nibbles swapped, then each pair of
/// bytes swapped). The handler undoes that and presents the LZMA stream, which the lzma handler
/// decompresses.
/// </summary>
/// <remarks>
/// Layout (binwalk v3 src/signatures/arcadyan.rs, src/extractors/arcadyan.rs): p1 [0,4), block 1
/// [4,0x24), p2 [0x24,0x68), block 2 [0x68,0x88), rest. De-obfuscated: p1, scramble(block 2), p2,
/// block 1, rest; the LZMA stream starts at 4. The scrambled header of the usual
/// <c>5d 00 00 80 00</c> (lc=3 lp=0 pb=2, 8 MiB dictionary) reads <c>00 d5 08 00</c> at 0x68 — the magic.
/// </remarks>
public sealed class ArcadyanHandler : IFormatHandler
{
    private const int MagicOffset = 0x68;
    private const int BlockSize = 32;
    private const int Block1 = 4;
    private const int Block2 = 0x68;
    private const int ObfuscatedLength = Block2 + BlockSize;
    private const int LzmaStart = 4;
    private const int LzmaHeader = 13;

    public string Id => "arcadyan";
    public string Description => "Arcadyan obfuscated LZMA (de-obfuscated, then decompressed by the lzma handler)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("00d50800", MagicOffset)];
    public IReadOnlyList<string> References { get; } = ["binwalk v3 src/signatures/arcadyan.rs and src/extractors/arcadyan.rs (block swap, nibble and byte swap)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "only the scrambled header of the usual LZMA properties (5d, 8 MiB dictionary) is recognised by magic",
        "the 4 bytes before the LZMA stream are not interpreted",
        "the chunk has no length of its own: the LZMA stream inside runs to the next recognised chunk",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        var head = blob.ReadBytes(offset, ObfuscatedLength);
        if (head.Length < ObfuscatedLength || blob.Length - offset < ObfuscatedLength + 16)
            return null;
        var clear = Deobfuscate(head);
        // The de-obfuscated LZMA header must be one the lzma handler takes.
        var lzma = new MemoryBlob(clear.AsSpan(LzmaStart, LzmaHeader).ToArray());
        if (new LzmaHandler().TryMatch(lzma, 0) is not { } match)
            return null;
        return new FormatMatch(offset, null, $"arcadyan obfuscated LZMA ({match.Description})");
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        var head = chunk.ReadBytes(0, ObfuscatedLength);
        if (head.Length < ObfuscatedLength)
            throw new Core.Formats.FormatException(Id, match.Offset, $"the obfuscated header needs {ObfuscatedLength} bytes; {head.Length} are present");
        var clear = Deobfuscate(head);
        var stream = new JoinedBlob(clear.AsSpan(LzmaStart).ToArray(), chunk.Slice(ObfuscatedLength, chunk.Length - ObfuscatedLength));
        context.AddFile(new EntryMeta("deobfuscated.lzma"), stream);
    }

    /// <summary>The first 0x88 bytes in their original order.</summary>
    internal static byte[] Deobfuscate(ReadOnlySpan<byte> head)
    {
        var clear = head[..ObfuscatedLength].ToArray();
        head.Slice(Block2, BlockSize).CopyTo(clear.AsSpan(Block1));
        head.Slice(Block1, BlockSize).CopyTo(clear.AsSpan(Block2));
        var block = clear.AsSpan(Block1, BlockSize);
        for (var i = 0; i < BlockSize; i++)
            block[i] = (byte)((block[i] << 4) | (block[i] >> 4));
        for (var i = 0; i < BlockSize; i += 2)
            (block[i], block[i + 1]) = (block[i + 1], block[i]);
        return clear;
    }

    /// <summary>A few bytes in memory followed by a slice of the image (no copy of the rest).</summary>
    private sealed class JoinedBlob(byte[] head, IBlob tail) : IBlob
    {
        public long Length { get; } = head.Length + tail.Length;

        public int Read(long position, Span<byte> buffer)
        {
            if (position < 0 || position >= Length || buffer.IsEmpty)
                return 0;
            if (position < head.Length)
            {
                var n = (int)Math.Min(buffer.Length, head.Length - position);
                head.AsSpan((int)position, n).CopyTo(buffer);
                return n;
            }
            return tail.Read(position - head.Length, buffer);
        }

        public void Dispose()
        {
        }
    }
}
