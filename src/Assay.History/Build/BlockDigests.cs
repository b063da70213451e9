using System.Buffers;
using System.IO.Hashing;
using Assay.Core.Content;

namespace Assay.History.Build;

/// <summary>
/// A file's bytes as a list of small block digests, so two builds' files can be compared for
/// <em>where</em> they differ after each scan has let go of its bytes. Blocks are
/// <see cref="MinBlock"/> bytes (coarser for files so large that more than <see cref="MaxBlocks"/>
/// would be needed); each digest is the low 32 bits of XXH3-64. A difference found here is
/// localisation only: whether two files are equal is decided by their SHA-256.
/// </summary>
internal sealed class BlockDigests
{
    public const int MinBlock = 256;
    public const int MaxBlocks = 1 << 20;
    private const int ReadChunk = 1 << 20;

    private BlockDigests(int blockSize, long length, uint[] digests)
    {
        BlockSize = blockSize;
        Length = length;
        Digests = digests;
    }

    public int BlockSize { get; }
    public long Length { get; }
    public uint[] Digests { get; }

    /// <summary>The block size for a file of <paramref name="length"/> bytes: a power of two, at least <see cref="MinBlock"/>.</summary>
    public static int BlockSizeFor(long length)
    {
        long size = MinBlock;
        while (length / size > MaxBlocks)
            size <<= 1;
        return (int)size;
    }

    /// <summary>Digests of the first <paramref name="length"/> bytes of <paramref name="blob"/>.</summary>
    public static BlockDigests Compute(IBlob blob, long length, CancellationToken cancellationToken = default)
    {
        var block = BlockSizeFor(length);
        var count = (int)((length + block - 1) / block);
        var digests = new uint[count];
        var chunk = Math.Max(block, ReadChunk / block * block);
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            long position = 0;
            var index = 0;
            while (position < length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(chunk, length - position);
                var got = 0;
                while (got < want)
                {
                    var n = blob.Read(position + got, buffer.AsSpan(got, want - got));
                    if (n <= 0)
                        throw new EndOfStreamException($"content ends at {position + got} of {length} bytes while it was digested");
                    got += n;
                }
                for (var at = 0; at < want; at += block)
                    digests[index++] = (uint)XxHash3.HashToUInt64(buffer.AsSpan(at, Math.Min(block, want - at)));
                position += want;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new BlockDigests(block, length, digests);
    }

    /// <summary>
    /// The ranges of <paramref name="rebuilt"/> (offset, length) whose blocks differ from
    /// <paramref name="delivered"/>, adjacent blocks merged; bytes past the shorter file count as
    /// differing. Files digested with other block sizes are one range: the whole longer file.
    /// </summary>
    public static IReadOnlyList<(long Offset, long Length)> DifferingRanges(BlockDigests delivered, BlockDigests rebuilt)
    {
        var longest = Math.Max(delivered.Length, rebuilt.Length);
        if (delivered.BlockSize != rebuilt.BlockSize)
            return longest == 0 ? [] : [(0, longest)];
        var block = delivered.BlockSize;
        var ranges = new List<(long Offset, long Length)>();
        var blocks = Math.Max(delivered.Digests.Length, rebuilt.Digests.Length);
        long? start = null;
        for (var i = 0; i <= blocks; i++)
        {
            var differs = i < blocks && (i >= delivered.Digests.Length || i >= rebuilt.Digests.Length || delivered.Digests[i] != rebuilt.Digests[i]
                || BlockLength(delivered, i) != BlockLength(rebuilt, i));
            if (differs && start is null)
                start = (long)i * block;
            else if (!differs && start is { } s)
            {
                ranges.Add((s, Math.Min((long)i * block, longest) - s));
                start = null;
            }
        }
        return ranges;
    }

    private static long BlockLength(BlockDigests d, int i) => Math.Min(d.BlockSize, d.Length - (long)i * d.BlockSize);
}
