using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// A sparse file rebuilt from a map of (offset, length) data regions stored back to back: bytes
/// outside the regions read as zeros. The map is validated: regions in order, not overlapping,
/// inside the real size, and together no more than the stored bytes.
/// </summary>
internal sealed class SparseStream : Stream
{
    private readonly IBlob _data;
    private readonly long _dataStart;
    private readonly (long Offset, long Length, long Stored)[] _regions;
    private long _position;

    public SparseStream(IBlob data, long dataStart, long storedSize, IReadOnlyList<(long Offset, long Length)> map, long realSize, string formatId)
    {
        _data = data;
        _dataStart = dataStart;
        Length = realSize;
        var regions = new List<(long, long, long)>();
        long stored = 0, last = 0;
        foreach (var (offset, length) in map)
        {
            if (offset < last || length < 0 || offset > realSize || length > realSize - offset)
                throw new FormatException(formatId, dataStart, $"sparse map region ({offset}, {length}) is out of order or outside the real size {realSize}");
            regions.Add((offset, length, stored));
            stored = checked(stored + length);
            last = offset + length;
        }
        if (stored > storedSize || dataStart + stored > data.Length)
            throw new FormatException(formatId, dataStart, $"sparse map describes {stored} stored bytes but only {storedSize} are in the archive");
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
        foreach (var (offset, length, stored) in _regions)
        {
            var start = Math.Max(offset, _position);
            var end = Math.Min(offset + length, _position + want);
            if (start >= end)
                continue;
            _data.ReadExactly(_dataStart + stored + (start - offset), target.Slice((int)(start - _position), (int)(end - start)));
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
