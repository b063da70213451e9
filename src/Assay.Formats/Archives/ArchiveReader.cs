using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Sequential access to an archive whose headers and contents follow one another (tar, cpio), so
/// one walk serves both forms: over a blob (<see cref="IFormatHandler.Unpack"/>: random access, a
/// file's content is a slice of the archive, no copy) and over a stream
/// (<see cref="IStreamingFormatHandler.UnpackStream"/>: the archive comes out of a decompressor and
/// each file's content is handed over as a bounded stream, read by the pipeline before the walk
/// goes on).
/// </summary>
internal abstract class ArchiveReader
{
    /// <summary>Bytes consumed from the start of the archive.</summary>
    public long Position { get; protected set; }

    /// <summary>The archive's length when known (blob form), else null.</summary>
    public abstract long? Length { get; }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes and advances; false (nothing consumed) when fewer are left.</summary>
    public abstract bool TryRead(Span<byte> buffer);

    /// <summary>Skips up to <paramref name="count"/> bytes; returns how many were there.</summary>
    public abstract long Skip(long count);

    /// <summary>Hands the next <paramref name="size"/> bytes over as a regular file and advances past them.</summary>
    public abstract void AddFile(IUnpackContext context, EntryMeta meta, long size);

    /// <summary>The next <paramref name="size"/> bytes as a stream read in order; the reader advances as it is read (call <see cref="EndRegion"/> after).</summary>
    public abstract Stream OpenRegion(long size);

    /// <summary>Skips what the consumer of <see cref="OpenRegion"/> did not read.</summary>
    public abstract void EndRegion(Stream region);

    /// <summary>Reads the next <paramref name="size"/> bytes (at most <paramref name="max"/>) into memory.</summary>
    public byte[] ReadBytes(long size, int max, string formatId)
    {
        if (size < 0 || size > max)
            throw new FormatException(formatId, Position, $"a field of {size} bytes is larger than the {max} allowed; refusing");
        var bytes = new byte[size];
        if (!TryRead(bytes))
            throw new FormatException(formatId, Position, $"{size} bytes expected here but the archive ends; it is truncated");
        return bytes;
    }

    /// <summary>Reads a blob's chunk with random access underneath.</summary>
    public sealed class OverBlob(IBlob chunk) : ArchiveReader
    {
        public override long? Length => chunk.Length;

        public override bool TryRead(Span<byte> buffer)
        {
            if (!chunk.TryReadExactly(Position, buffer))
                return false;
            Position += buffer.Length;
            return true;
        }

        public override long Skip(long count)
        {
            var n = Math.Clamp(chunk.Length - Position, 0, count);
            Position += n;
            return n;
        }

        public override void AddFile(IUnpackContext context, EntryMeta meta, long size)
        {
            context.AddFile(meta, chunk.Slice(Position, size));
            Position += size;
        }

        /// <summary>A file whose content is at <paramref name="offset"/>, without moving (hard links sharing one region).</summary>
        public void AddFileAt(IUnpackContext context, EntryMeta meta, long offset, long size) => context.AddFile(meta, chunk.Slice(offset, size));

        public override Stream OpenRegion(long size)
        {
            var region = chunk.Slice(Position, size).OpenStream();
            Position += size;
            return region;
        }

        public override void EndRegion(Stream region) => region.Dispose();
    }

    /// <summary>Reads a stream once, in order.</summary>
    public sealed class OverStream(Stream content, string formatId) : ArchiveReader
    {
        public override long? Length => null;

        public override bool TryRead(Span<byte> buffer)
        {
            var n = content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            Position += n;
            if (n == buffer.Length)
                return true;
            if (n > 0)
                throw new FormatException(formatId, Position - n, $"the archive ends {n} bytes into a {buffer.Length}-byte block; it is truncated");
            return false;
        }

        public override long Skip(long count)
        {
            var region = new BoundedStream(content, count, formatId, Position, failShort: false);
            var n = region.Drain();
            Position += n;
            return n;
        }

        public override void AddFile(IUnpackContext context, EntryMeta meta, long size)
        {
            var region = new BoundedStream(content, size, formatId, Position, failShort: true);
            try
            {
                context.AddFile(meta, region, null);
            }
            finally
            {
                // the pipeline reads to the end; if it stopped early (a limit), skip the rest
                region.Drain();
                Position += region.Consumed;
            }
        }

        public override Stream OpenRegion(long size) => new BoundedStream(content, size, formatId, Position, failShort: true);

        public override void EndRegion(Stream region)
        {
            var bounded = (BoundedStream)region;
            bounded.Drain();
            Position += bounded.Consumed;
        }
    }

    /// <summary>The next <c>size</c> bytes of a stream; a stream that ends first is a truncated archive.</summary>
    private sealed class BoundedStream(Stream inner, long size, string formatId, long start, bool failShort) : Stream
    {
        public long Consumed { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;

        public override long Position
        {
            get => Consumed;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var want = (int)Math.Min(buffer.Length, size - Consumed);
            if (want <= 0)
                return 0;
            var n = inner.Read(buffer[..want]);
            if (n <= 0)
            {
                if (failShort)
                    throw new FormatException(formatId, start + Consumed, $"an entry of {size} bytes is cut off after {Consumed}; the archive is truncated");
                return 0;
            }
            Consumed += n;
            return n;
        }

        /// <summary>Reads and drops what is left; returns the count.</summary>
        public long Drain()
        {
            var before = Consumed;
            Span<byte> buffer = stackalloc byte[8192];
            try
            {
                while (Read(buffer) > 0)
                {
                }
            }
            catch (FormatException) when (!failShort)
            {
            }
            return Consumed - before;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
