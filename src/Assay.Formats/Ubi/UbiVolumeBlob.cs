using Assay.Core.Content;

namespace Assay.Formats.Ubi;

/// <summary>
/// A UBI volume rebuilt from its LEBs without copying: each LEB is a window of the PEB that holds
/// it, unmapped LEBs read as erased flash (0xFF).
/// </summary>
internal sealed class UbiVolumeBlob : IBlob
{
    private const byte Erased = 0xff;

    private readonly IBlob _parent;
    private readonly long[] _starts;
    private readonly Segment[] _segments;

    /// <param name="parent">The UBI chunk.</param>
    /// <param name="segments">The LEBs in order; <see cref="Segment.ParentOffset"/> -1 is an unmapped (erased) LEB.</param>
    public UbiVolumeBlob(IBlob parent, IReadOnlyList<Segment> segments)
    {
        _parent = parent;
        _segments = [.. segments];
        _starts = new long[_segments.Length];
        long total = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var s = _segments[i];
            if (s.Length < 0 || (s.ParentOffset >= 0 && (s.ParentOffset > parent.Length || s.Length > parent.Length - s.ParentOffset)))
                throw new ArgumentOutOfRangeException(nameof(segments), $"LEB window 0x{s.ParentOffset:x}+0x{s.Length:x} lies outside the UBI chunk of 0x{parent.Length:x} bytes");
            _starts[i] = total;
            total = checked(total + s.Length);
        }

        Length = total;
    }

    public long Length { get; }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length || buffer.IsEmpty)
            return 0;
        var index = Array.BinarySearch(_starts, position);
        if (index < 0)
            index = ~index - 1;
        var done = 0;
        while (done < buffer.Length && index < _segments.Length)
        {
            var segment = _segments[index];
            var within = position + done - _starts[index];
            var n = (int)Math.Min(buffer.Length - done, segment.Length - within);
            if (n > 0)
            {
                var target = buffer.Slice(done, n);
                if (segment.ParentOffset < 0)
                    target.Fill(Erased);
                else if (!_parent.TryReadExactly(segment.ParentOffset + within, target))
                    return done;
                done += n;
            }

            index++;
        }

        return done;
    }

    public void Dispose()
    {
    }

    /// <summary>One LEB of the volume: <see cref="Length"/> bytes at <see cref="ParentOffset"/> of the chunk, or erased when that is -1.</summary>
    internal readonly record struct Segment(long ParentOffset, long Length);
}
