using System.Buffers.Binary;
using Assay.Core.Content;
using K4os.Hash.xxHash;

namespace Assay.Formats;

/// <summary>
/// The exact length of LZ4 frames, walked without decoding: the frame descriptor (its header
/// checksum verified), each block's size word (at most the block maximum the descriptor sets), the
/// end mark and the optional content checksum. Frames that follow one another directly are
/// counted together, as <c>lz4 -d</c> decodes them.
/// </summary>
/// <remarks>
/// lz4_Frame_format.md 1.6.x: magic 0x184D2204 (LE); FLG (version 01 in bits 7-6, block
/// independence 5, block checksum 4, content size 3, content checksum 2, reserved 1, dictionary id
/// 0); BD (block max size 4..7 in bits 6-4: 64 KiB, 256 KiB, 1 MiB, 4 MiB); content size (8);
/// dictionary id (4); HC = (xxh32(FLG..end of descriptor, 0) &gt;&gt; 8) &amp; 0xff. Blocks: a 32-bit
/// size (high bit: stored uncompressed), data, block checksum (4) when FLG bit 4; size 0 is the end
/// mark, then the content checksum (4) when FLG bit 2.
/// </remarks>
internal static class Lz4FrameLength
{
    public const uint FrameMagic = 0x184D2204;
    private const int FlagContentSize = 0x08;
    private const int FlagContentChecksum = 0x04;
    private const int FlagBlockChecksum = 0x10;
    private const int FlagDictionaryId = 0x01;
    private const uint Uncompressed = 0x80000000;
    private const int MaxFrames = 1 << 20;

    /// <summary>The descriptor's header checksum is right (the strict test a carver relies on).</summary>
    public static bool HeaderValid(IBlob blob, long offset, out int headerLength, out int flags, out int maxBlock)
    {
        headerLength = 0;
        maxBlock = 0;
        Span<byte> h = stackalloc byte[4 + 2 + 8 + 4 + 1];
        flags = 0;
        if (!blob.TryReadExactly(offset, h[..7]) || BinaryPrimitives.ReadUInt32LittleEndian(h) != FrameMagic)
            return false;
        flags = h[4];
        var bd = h[5];
        if ((flags >> 6) != 1 || (flags & 0x02) != 0 || (bd & 0x8f) != 0 || ((bd >> 4) & 7) < 4)
            return false;
        var descriptor = 2 + ((flags & FlagContentSize) != 0 ? 8 : 0) + ((flags & FlagDictionaryId) != 0 ? 4 : 0);
        if (!blob.TryReadExactly(offset, h[..(4 + descriptor + 1)]))
            return false;
        var hc = (byte)(XXH32.DigestOf(h.Slice(4, descriptor)) >> 8);
        if (hc != h[4 + descriptor])
            return false;
        headerLength = 4 + descriptor + 1;
        maxBlock = 1 << (8 + (2 * ((bd >> 4) & 7)));
        return true;
    }

    /// <summary>The length of the frames at <paramref name="offset"/>, or null when the first one does not walk to its end.</summary>
    public static long? Measure(IBlob blob, long offset)
    {
        var position = offset;
        for (var frames = 0; frames < MaxFrames; frames++)
        {
            if (MeasureOne(blob, position) is not { } n)
                return frames == 0 ? null : position - offset;
            position += n;
            if (!HeaderValid(blob, position, out _, out _, out _))
                break;
        }
        return position - offset;
    }

    private static long? MeasureOne(IBlob blob, long offset)
    {
        if (!HeaderValid(blob, offset, out var headerLength, out var flags, out var maxBlock))
            return null;
        var position = offset + headerLength;
        var blockChecksum = (flags & FlagBlockChecksum) != 0 ? 4 : 0;
        Span<byte> word = stackalloc byte[4];
        while (true)
        {
            if (!blob.TryReadExactly(position, word))
                return null;
            var size = BinaryPrimitives.ReadUInt32LittleEndian(word);
            position += 4;
            if (size == 0)
                break;
            var length = size & ~Uncompressed;
            if (length > maxBlock)
                return null;
            position += length + blockChecksum;
            if (position > blob.Length)
                return null;
        }
        if ((flags & FlagContentChecksum) != 0)
            position += 4;
        return position <= blob.Length ? position - offset : null;
    }
}
