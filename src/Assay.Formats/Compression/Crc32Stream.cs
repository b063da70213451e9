using System.IO.Hashing;

namespace Assay.Formats;

/// <summary>Passes a stream through while computing the CRC32 and length of what was read.</summary>
internal sealed class Crc32Stream(Stream inner) : Stream
{
    private readonly Crc32 _crc = new();

    public long Length64 { get; private set; }
    public bool ReachedEnd { get; private set; }
    public uint Crc => _crc.GetCurrentHashAsUInt32();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => Length64;
    public override long Position { get => Length64; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        if (n <= 0)
        {
            ReachedEnd = buffer.Length > 0;
            return 0;
        }
        _crc.Append(buffer[..n]);
        Length64 += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
