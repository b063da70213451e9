namespace Assay.Core.Content;

/// <summary>
/// Random-access, read-only content of a node. Reads are positional and thread-safe, so one blob can
/// be read by several workers at once. Slices of a blob cost nothing; content behind a decompressor
/// is spooled into a blob (memory or a private scratch file) within the scan limits.
/// </summary>
public interface IBlob : IDisposable
{
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="position"/>; returns 0 at the end.</summary>
    int Read(long position, Span<byte> buffer);
}

/// <summary>Helpers over <see cref="IBlob"/>.</summary>
public static class BlobExtensions
{
    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes or returns false if the blob ends first.</summary>
    public static bool TryReadExactly(this IBlob blob, long position, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = blob.Read(position + done, buffer[done..]);
            if (n <= 0)
                return false;
            done += n;
        }
        return true;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes or throws <see cref="EndOfStreamException"/>.</summary>
    public static void ReadExactly(this IBlob blob, long position, Span<byte> buffer)
    {
        if (!blob.TryReadExactly(position, buffer))
            throw new EndOfStreamException($"read of {buffer.Length} bytes at 0x{position:x} passes the end of the content (0x{blob.Length:x})");
    }

    /// <summary>Reads up to <paramref name="count"/> bytes at <paramref name="position"/> into a new array (shorter at the end).</summary>
    public static byte[] ReadBytes(this IBlob blob, long position, int count)
    {
        if (position < 0 || position >= blob.Length || count <= 0)
            return [];
        var n = (int)Math.Min(count, blob.Length - position);
        var bytes = new byte[n];
        blob.ReadExactly(position, bytes);
        return bytes;
    }

    /// <summary>A view of <paramref name="length"/> bytes at <paramref name="offset"/>, bounds-checked.</summary>
    public static IBlob Slice(this IBlob blob, long offset, long length) => new SliceBlob(blob, offset, length);

    /// <summary>A read-only seekable stream over the blob (each call an independent stream).</summary>
    public static Stream OpenStream(this IBlob blob) => new BlobStream(blob);
}
