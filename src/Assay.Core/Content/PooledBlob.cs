using System.Buffers;

namespace Assay.Core.Content;

/// <summary>
/// Content held in memory in pooled segments (<see cref="SegmentBytes"/> each, from
/// <see cref="ArrayPool{T}.Shared"/>), so that the thousands of small files streamed out of an
/// archive do not each allocate and the large ones stay off the large-object heap. The segments go
/// back to the pool on <see cref="Dispose"/>; reads after that return nothing. With a
/// <see cref="MemoryBudget"/>, every segment is taken from it and given back on dispose.
/// </summary>
/// <param name="budget">The scan's budget for in-memory content, or null for none.</param>
public sealed class PooledBlob(MemoryBudget? budget = null) : IBlob
{
    /// <summary>
    /// Bytes per segment: below the runtime's 85,000-byte large-object threshold, so a segment the
    /// pool does not keep is young garbage, collected at once. (At 128 KiB every segment was a
    /// large object, freed only by a full collection: on a 1.1 GB tar.gz hundreds of MB of spent
    /// segments waited for one, and peak RSS grew with the input.)
    /// </summary>
    public const int SegmentBytes = 1 << 16;

    private readonly List<byte[]> _segments = [];
    private long _length;
    private bool _sealed;
    private long _charged;
    private int _disposed;

    public long Length => _length;

    /// <summary>Appends bytes while the blob is being filled; throws when the budget refuses them.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (!TryAppend(bytes))
            throw new InvalidOperationException($"the memory budget ({budget!.Capacity} bytes) has no room for {bytes.Length} bytes more");
    }

    /// <summary>
    /// Appends bytes while the blob is being filled, when the budget has room for the segments they
    /// need; false, with nothing appended, when it has not.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes)
    {
        if (_sealed)
            throw new InvalidOperationException("the blob was sealed; it is read-only now");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (budget is not null && bytes.Length > 0)
        {
            var segments = (_length + bytes.Length + SegmentBytes - 1) / SegmentBytes;
            var more = (segments - _segments.Count) * (long)SegmentBytes;
            if (more > 0)
            {
                if (!budget.TryTake(more))
                    return false;
                _charged += more;
            }
        }
        while (bytes.Length > 0)
        {
            var inLast = (int)(_length % SegmentBytes);
            if (inLast == 0 && _length / SegmentBytes == _segments.Count)
                _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentBytes));
            var n = Math.Min(bytes.Length, SegmentBytes - inLast);
            bytes[..n].CopyTo(_segments[^1].AsSpan(inLast, n));
            _length += n;
            bytes = bytes[n..];
        }
        return true;
    }

    /// <summary>Ends filling: from now on the blob may be read from several threads.</summary>
    public PooledBlob Seal()
    {
        _sealed = true;
        return this;
    }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= _length || Volatile.Read(ref _disposed) != 0)
            return 0;
        var total = (int)Math.Min(buffer.Length, _length - position);
        var done = 0;
        while (done < total)
        {
            var at = position + done;
            var segment = _segments[(int)(at / SegmentBytes)];
            var offset = (int)(at % SegmentBytes);
            var n = Math.Min(total - done, SegmentBytes - offset);
            segment.AsSpan(offset, n).CopyTo(buffer.Slice(done, n));
            done += n;
        }
        return done;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var segment in _segments)
            ArrayPool<byte>.Shared.Return(segment);
        _segments.Clear();
        if (_charged > 0)
            budget?.Give(_charged);
        _charged = 0;
    }
}
