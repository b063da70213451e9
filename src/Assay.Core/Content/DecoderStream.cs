using Assay.Core.Formats;

namespace Assay.Core.Content;

/// <summary>
/// Wraps a third-party decoder (SharpCompress, ZstdSharp, K4os LZ4) so that whatever it throws on
/// corrupt data (its own exception types, and at times <see cref="IndexOutOfRangeException"/>)
/// reaches the pipeline as <see cref="InvalidDataException"/> naming the format and the position,
/// which <see cref="Pipeline.FailureClassifier"/> files as malformed input. Cancellation, limits and
/// our own <see cref="Formats.FormatException"/> pass unchanged. Only for decoders we do not own:
/// a bug in Assay's own decoders must stay visible as one.
/// </summary>
public sealed class DecoderStream(Stream inner, string formatId) : Stream
{
    private long _position;

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
        try
        {
            var n = inner.Read(buffer);
            _position += n;
            return n;
        }
        catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException or Formats.FormatException or InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"{formatId}: corrupt data after {_position:N0} decoded bytes ({e.GetType().Name}: {e.Message})", e);
        }
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
            inner.Dispose();
        base.Dispose(disposing);
    }
}
