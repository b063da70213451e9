using System.IO.Compression;
using Assay.Core.Content;

namespace Assay.Formats.Disks;

/// <summary>
/// The guest view of a sparse virtual disk (qcow2 clusters, VMDK grains, VHD blocks): fixed-size
/// grains, each unallocated (zeros), stored plainly in the image, or compressed. Nothing is
/// copied or spooled; a read maps each grain it touches, and compressed grains are inflated into
/// a small cache. Reads are positional and thread-safe, as <see cref="IBlob"/> requires.
/// </summary>
internal abstract class GrainBlob : IBlob
{
    private const int CacheEntries = 8;

    private readonly object _cacheLock = new();
    private readonly (long Grain, byte[] Data)[] _cache = new (long, byte[])[CacheEntries];
    private int _cacheNext;

    protected GrainBlob(string formatId, IBlob image, long length, int grainSize)
    {
        FormatId = formatId;
        Image = image;
        Length = length;
        GrainSize = grainSize;
        for (var i = 0; i < CacheEntries; i++)
            _cache[i] = (-1, []);
    }

    public long Length { get; }

    protected string FormatId { get; }

    /// <summary>The image file (host view).</summary>
    protected IBlob Image { get; }

    protected int GrainSize { get; }

    /// <summary>Where one grain's bytes are.</summary>
    protected readonly record struct Grain(GrainKind Kind, long Offset, int StoredLength);

    protected enum GrainKind
    {
        Zero,
        Plain,
        Compressed,
    }

    /// <summary>
    /// Maps a grain number to its bytes in the image. Never throws: an entry that points outside
    /// the image reads as zeros here, and the handler's table check (run once while unpacking)
    /// reports it against the node, since a read has nowhere to report to.
    /// </summary>
    protected abstract Grain Locate(long grain);

    /// <summary>Inflates a compressed grain into <paramref name="destination"/>; a grain that does not inflate reads as zeros (the table check reports damage it can see).</summary>
    protected abstract void Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, long grain);

    /// <summary>Compressed grains that did not inflate so far (reported by the handler after the scan of the disk's content, where it can).</summary>
    public int DamagedGrains => _damaged;

    private int _damaged;

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length)
            return 0;
        var total = (int)Math.Min(buffer.Length, Length - position);
        var done = 0;
        while (done < total)
        {
            var at = position + done;
            var grain = at / GrainSize;
            var within = (int)(at % GrainSize);
            var n = Math.Min(GrainSize - within, total - done);
            var target = buffer.Slice(done, n);
            var where = Locate(grain);
            switch (where.Kind)
            {
                case GrainKind.Zero:
                    target.Clear();
                    break;
                case GrainKind.Plain:
                    {
                        var got = 0;
                        while (got < n)
                        {
                            var r = Image.Read(where.Offset + within + got, target[got..]);
                            if (r <= 0)
                                break;
                            got += r;
                        }
                        target[got..].Clear(); // a grain past the image end (truncated file) reads as zeros
                        break;
                    }
                case GrainKind.Compressed:
                    Decompressed(grain, where).AsSpan(within, n).CopyTo(target);
                    break;
            }
            done += n;
        }
        return total;
    }

    private byte[] Decompressed(long grain, Grain where)
    {
        lock (_cacheLock)
        {
            foreach (var (g, data) in _cache)
            {
                if (g == grain)
                    return data;
            }
        }
        var stored = Image.ReadBytes(where.Offset, where.StoredLength);
        var output = new byte[GrainSize];
        Inflate(stored, output, grain);
        lock (_cacheLock)
        {
            _cache[_cacheNext] = (grain, output);
            _cacheNext = (_cacheNext + 1) % CacheEntries;
        }
        return output;
    }

    /// <summary>Inflates a deflate (<paramref name="zlib"/>: with the RFC 1950 wrapper) stream; short output is zero-filled, a broken stream gives zeros and counts as damaged.</summary>
    protected void InflateDeflate(ReadOnlySpan<byte> stored, Span<byte> destination, bool zlib, long grain)
    {
        using var input = new MemoryStream(stored.ToArray());
        using Stream inflater = zlib ? new ZLibStream(input, CompressionMode.Decompress) : new DeflateStream(input, CompressionMode.Decompress);
        var done = 0;
        try
        {
            while (done < destination.Length)
            {
                var n = inflater.Read(destination[done..]);
                if (n <= 0)
                    break;
                done += n;
            }
        }
        catch (InvalidDataException)
        {
            MarkDamaged(destination);
            return;
        }
        destination[done..].Clear();
    }

    /// <summary>A grain that could not be decoded: zeros, counted.</summary>
    protected void MarkDamaged(Span<byte> destination)
    {
        destination.Clear();
        Interlocked.Increment(ref _damaged);
    }

    public void Dispose()
    {
    }
}
