using Microsoft.Win32.SafeHandles;

namespace Assay.Network.Text;

/// <summary>
/// A read-only stream over bytes <c>[start, end)</c> of an open file, read with positional reads so that
/// several of them can read one handle at once (one per chunk of a file parsed on several cores).
/// </summary>
internal sealed class FileRangeStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly long _start;
    private readonly long _end;
    private long _position;

    public FileRangeStream(SafeFileHandle handle, long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        _handle = handle;
        _start = start;
        _end = end;
        _position = start;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _end - _start;

    public override long Position
    {
        get => _position - _start;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = _end - _position;
        if (left <= 0 || buffer.IsEmpty)
            return 0;
        var n = RandomAccess.Read(_handle, buffer[..(int)Math.Min(buffer.Length, left)], _position);
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
