using System.IO.Compression;
using Assay.Core.Content;
using SharpCompress.Compressors.LZMA;

namespace Assay.Formats.Jffs2;

/// <summary>Reads, checks and decompresses the data of JFFS2 inode nodes.</summary>
internal static class Jffs2Data
{
    /// <summary>A node holds at most one page of data (PAGE_SIZE, 4 KiB to 64 KiB); anything above this is damage.</summary>
    public const int MaxNodeData = 1 << 20;

    /// <summary>
    /// The kernel's fixed LZMA settings for JFFS2 (fs/jffs2/compr_lzma.c: lc 0, lp 0, pb 0, 8 KiB
    /// dictionary), as the 5-byte properties header the stream itself does not carry.
    /// </summary>
    private static readonly byte[] LzmaProperties = [0x00, 0x00, 0x20, 0x00, 0x00];

    /// <summary>
    /// The node's data: stored bytes checked against data_crc, then decompressed to dsize bytes.
    /// Throws <see cref="InvalidDataException"/> naming what is wrong.
    /// </summary>
    public static byte[] Decode(IBlob chunk, Jffs2InodeNode node)
    {
        if (node.DataSize > MaxNodeData)
            throw new InvalidDataException($"dsize {node.DataSize} exceeds {MaxNodeData} bytes");
        var output = new byte[node.DataSize];
        if (node.Compressor == Jffs2Compressor.Zero)
            return output;
        var packed = new byte[node.CompressedSize];
        if (!chunk.TryReadExactly(node.Position + Jffs2InodeNode.HeaderSize, packed))
            throw new InvalidDataException($"the {node.CompressedSize} data bytes pass the end of the image");
        if (KernelCrc32.SeedZero(packed) != node.DataCrc)
            throw new InvalidDataException("data_crc mismatch");
        switch (node.Compressor)
        {
            case Jffs2Compressor.None:
            case Jffs2Compressor.Copy:
                if (packed.Length != output.Length)
                    throw new InvalidDataException($"stored data has csize {packed.Length}, dsize {output.Length}");
                packed.CopyTo(output, 0);
                break;
            case Jffs2Compressor.Rtime:
                Rtime(packed, output);
                break;
            case Jffs2Compressor.Zlib:
                Library(() => ReadAll(new ZLibStream(new MemoryStream(packed), CompressionMode.Decompress), output));
                break;
            case Jffs2Compressor.Lzo:
                if (Lzo1x.Decompress(packed, output) != output.Length)
                    throw new InvalidDataException($"lzo data ends before dsize {output.Length}");
                break;
            case Jffs2Compressor.Lzma:
                Library(() => ReadAll(LzmaStream.Create(LzmaProperties, new MemoryStream(packed), packed.Length, output.Length, leaveOpen: false), output));
                break;
            case Jffs2Compressor.RubinMips:
            case Jffs2Compressor.DynRubin:
                throw new NotSupportedException($"compressor {node.Compressor} (rubin) is not supported");
            default:
                throw new InvalidDataException($"compressor {node.Compressor} is unknown");
        }

        return output;
    }

    /// <summary>Whether the stored data matches data_crc (the kernel drops such a node, so older versions show through).</summary>
    public static bool DataCrcMatches(IBlob chunk, Jffs2InodeNode node)
    {
        if (node.CompressedSize == 0 || node.Compressor == Jffs2Compressor.Zero)
            return true;
        if (node.CompressedSize > MaxNodeData)
            return false;
        var packed = new byte[node.CompressedSize];
        return chunk.TryReadExactly(node.Position + Jffs2InodeNode.HeaderSize, packed) && KernelCrc32.SeedZero(packed) == node.DataCrc;
    }

    /// <summary>A decompression library's own exception for garbage input is "this format but broken", not our bug.</summary>
    private static void Library(Action decode)
    {
        try
        {
            decode();
        }
        catch (Exception e) when (e is not (InvalidDataException or OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"the compressed data is corrupt ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static void ReadAll(Stream stream, byte[] output)
    {
        using (stream)
        {
            var done = 0;
            while (done < output.Length)
            {
                var n = stream.Read(output, done, output.Length - done);
                if (n <= 0)
                    throw new InvalidDataException($"compressed data ends after {done} of {output.Length} bytes");
                done += n;
            }
        }
    }

    /// <summary>
    /// "rtime" (fs/jffs2/compr_rtime.c): pairs of (literal byte, repeat count); the repeat copies
    /// count bytes from just after the previous occurrence of that literal byte.
    /// </summary>
    private static void Rtime(ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<int> positions = stackalloc int[256];
        positions.Clear();
        var inPos = 0;
        var outPos = 0;
        while (outPos < output.Length)
        {
            if (inPos + 2 > input.Length)
                throw new InvalidDataException($"rtime data ends at {inPos} with {outPos} of {output.Length} bytes produced");
            var value = input[inPos++];
            var repeat = input[inPos++];
            output[outPos++] = value;
            var back = positions[value];
            positions[value] = outPos;
            if (repeat > output.Length - outPos)
                throw new InvalidDataException($"rtime repeat of {repeat} passes dsize {output.Length}");
            for (var i = 0; i < repeat; i++)
                output[outPos++] = output[back++];
        }
    }
}
