using Assay.Core.Formats;

namespace Assay.Core.Pipeline;

/// <summary>
/// The bytes a decompressor produces, counted as they pass: every byte against the scan's
/// <see cref="ScanBudget"/>, the running total against <see cref="ScanLimits.MaxFileBytes"/> and
/// against the compression ratio of <see cref="ScanLimits.MaxRatio"/>, so a bomb stops within
/// the first megabytes past the limit, whether the content is spooled or unpacked as it streams.
/// </summary>
public sealed class MeteredStream(Stream inner, ScanLimits limits, ScanBudget budget, long? packedSize, CancellationToken cancellationToken) : Stream
{
    /// <summary>Bytes read so far.</summary>
    public long Total { get; private set; }

    /// <summary>True once the inner stream returned 0.</summary>
    public bool Ended { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Total;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var n = inner.Read(buffer);
        if (n <= 0)
        {
            Ended = buffer.Length > 0;
            return 0;
        }
        Total += n;
        budget.AddBytes(n);
        if (Total > limits.MaxFileBytes)
            throw new LimitExceededException("maxFileBytes", $"one decompressed file passed {limits.MaxFileBytes:N0} bytes; raise --max-file-bytes if that is expected");
        if (packedSize is > 0 && Total > limits.RatioFloorBytes && Total / packedSize.Value > limits.MaxRatio)
            throw new LimitExceededException("maxRatio",
                $"compression ratio passed {limits.MaxRatio}:1 ({Total:N0} bytes out of {packedSize.Value:N0}); this looks like a decompression bomb. Raise --max-ratio if it is genuine");
        return n;
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the stream gives; returns the count (less only at the end).</summary>
    public int ReadFull(Span<byte> buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = Read(buffer[filled..]);
            if (n <= 0)
                break;
            filled += n;
        }
        return filled;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
