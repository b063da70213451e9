using System.Security.Cryptography;

namespace Assay.Core.Pipeline;

/// <summary>
/// The decompressed content of a container that is unpacked as it streams: replays the head the
/// pipeline read to identify it, then reads on; hashes every byte (the container's SHA-256), counts
/// them, and keeps the last <see cref="KeptBytes"/> read, so that bytes a handler read past the end
/// of its archive can be given back to the carver. A failure of the source (the decompressor, a
/// limit) is wrapped in <see cref="SourceFailedException"/> so it is told apart from the handler's own.
/// </summary>
internal sealed class StreamedContent : Stream
{
    /// <summary>Bytes kept behind the read position.</summary>
    public const int KeptBytes = 64 << 10;

    private readonly byte[] _head;
    private readonly Stream _source;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _kept = new byte[KeptBytes];
    private long _position;

    public StreamedContent(byte[] head, Stream source)
    {
        _head = head;
        _source = source;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0)
            return 0;
        int n;
        if (_position < _head.Length)
        {
            n = Math.Min(buffer.Length, _head.Length - (int)_position);
            _head.AsSpan((int)_position, n).CopyTo(buffer);
        }
        else
        {
            try
            {
                n = _source.Read(buffer);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new SourceFailedException(e);
            }
            if (n <= 0)
                return 0;
        }
        Keep(buffer[..n]);
        _hash.AppendData(buffer[..n]);
        _position += n;
        return n;
    }

    /// <summary>The bytes from <paramref name="from"/> to the current position, if still kept.</summary>
    public byte[]? KeptSince(long from)
    {
        var count = _position - from;
        if (from < 0 || count < 0 || count > KeptBytes)
            return null;
        var result = new byte[count];
        for (long i = 0; i < count; i++)
            result[i] = _kept[(from + i) % KeptBytes];
        return result;
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes (hashed and counted); returns how many there were.</summary>
    public long Skip(long count)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long done = 0;
            while (done < count)
            {
                var n = Read(buffer.AsSpan(0, (int)Math.Min(1 << 16, count - done)));
                if (n <= 0)
                    break;
                done += n;
            }
            return done;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads to the end of the content, hashing and counting; returns the bytes drained.</summary>
    public long Drain()
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long total = 0;
            int n;
            while ((n = Read(buffer.AsSpan(0, 1 << 20))) > 0)
                total += n;
            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The SHA-256 of everything read; call once, at the end.</summary>
    public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= KeptBytes)
        {
            // only the last KeptBytes matter; place them where their positions map to
            var start = _position + bytes.Length - KeptBytes;
            for (var i = 0; i < KeptBytes; i++)
                _kept[(start + i) % KeptBytes] = bytes[bytes.Length - KeptBytes + i];
            return;
        }
        var at = (int)(_position % KeptBytes);
        var first = Math.Min(bytes.Length, KeptBytes - at);
        bytes[..first].CopyTo(_kept.AsSpan(at));
        bytes[first..].CopyTo(_kept);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The stream a streamed container is read from failed (its decompressor, or a limit on it): not the container's handler's fault.</summary>
internal sealed class SourceFailedException(Exception inner) : Exception(inner.Message, inner);
