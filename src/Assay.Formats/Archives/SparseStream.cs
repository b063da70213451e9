using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// A sparse file rebuilt from a map of (offset, length) data regions stored back to back: bytes
/// outside the regions read as zeros. The stored bytes are read in order from a stream (a slice of
/// the archive, or the archive as it streams out of a decompressor). The map is validated: regions
/// in order, not overlapping, inside the real size, and together no more than the stored bytes.
/// </summary>
internal sealed class SparseStream : Stream
{
    private readonly Stream _data;
    private readonly (long Offset, long Length)[] _regions;
    private readonly string _formatId;
    private readonly long _at;
    private long _position;

    /// <param name="data">The stored bytes, read in order.</param>
    /// <param name="storedSize">How many stored bytes there are.</param>
    /// <param name="at">Offset of the entry in its archive (for messages).</param>
    public SparseStream(Stream data, long storedSize, IReadOnlyList<(long Offset, long Length)> map, long realSize, string formatId, long at)
    {
        _data = data;
        _formatId = formatId;
        _at = at;
        Length = realSize;
        long stored = 0, last = 0;
        var regions = new List<(long, long)>();
        foreach (var (offset, length) in map)
        {
            if (offset < last || length < 0 || offset > realSize || length > realSize - offset)
                throw new FormatException(formatId, at, $"sparse map region ({offset}, {length}) is out of order or outside the real size {realSize}");
            regions.Add((offset, length));
            stored = checked(stored + length);
            last = offset + length;
        }
        if (stored > storedSize)
            throw new FormatException(formatId, at, $"sparse map describes {stored} stored bytes but only {storedSize} are in the archive");
        _regions = [.. regions];
    }

    public override long Length { get; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= Length || buffer.Length == 0)
            return 0;
        var want = (int)Math.Min(buffer.Length, Length - _position);
        var target = buffer[..want];
        target.Clear();
        // regions are in order and this stream is read in order, so the stored bytes are too
        foreach (var (offset, length) in _regions)
        {
            var start = Math.Max(offset, _position);
            var end = Math.Min(offset + length, _position + want);
            if (start >= end)
                continue;
            var slice = target.Slice((int)(start - _position), (int)(end - start));
            if (_data.ReadAtLeast(slice, slice.Length, throwOnEndOfStream: false) < slice.Length)
                throw new FormatException(_formatId, _at, "the stored data of the sparse file ends early; the archive is truncated");
        }
        _position += want;
        return want;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
