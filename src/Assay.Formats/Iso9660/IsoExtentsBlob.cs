using Assay.Core.Content;

namespace Assay.Formats.Iso9660;

/// <summary>
/// A multi-extent file (ECMA-119 6.5.1, file flag bit 7): the contents of consecutive extents,
/// each a bounds-checked slice of the image, read as one.
/// </summary>
internal sealed class IsoExtentsBlob : IBlob
{
    private readonly IBlob[] _parts;
    private readonly long[] _starts;

    public IsoExtentsBlob(IReadOnlyList<IBlob> parts)
    {
        _parts = [.. parts];
        _starts = new long[_parts.Length];
        long total = 0;
        for (var i = 0; i < _parts.Length; i++)
        {
            _starts[i] = total;
            total = checked(total + _parts[i].Length);
        }
        Length = total;
    }

    public long Length { get; }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length)
            return 0;
        var done = 0;
        var i = Array.BinarySearch(_starts, position);
        if (i < 0)
            i = ~i - 1;
        while (done < buffer.Length && i < _parts.Length)
        {
            var inPart = position + done - _starts[i];
            if (inPart >= _parts[i].Length)
            {
                i++;
                continue;
            }
            var n = _parts[i].Read(inPart, buffer[done..]);
            if (n <= 0)
                break;
            done += n;
        }
        return done;
    }

    public void Dispose()
    {
    }
}
