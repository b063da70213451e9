using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats.Jffs2;

/// <summary>
/// The content of one regular file from its fragment list (each fragment a window of one inode
/// node's data, newest version on top); gaps read as zeros. A node whose data is damaged becomes an
/// error entry and zeros, so the rest of the file is kept.
/// </summary>
internal sealed class Jffs2FileStream(IBlob chunk, IReadOnlyList<Jffs2InodeNode> nodes, IReadOnlyList<Jffs2Fragment> fragments, long size, IUnpackContext context, string path) : Stream
{
    private long _position;
    private int _next;
    private int _cachedNode = -1;
    private byte[] _cached = [];

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => size;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= size || buffer.IsEmpty)
            return 0;
        context.CancellationToken.ThrowIfCancellationRequested();
        while (_next < fragments.Count && fragments[_next].End <= _position)
            _next++;
        var limit = (int)Math.Min(buffer.Length, size - _position);
        int n;
        if (_next >= fragments.Count || fragments[_next].Start > _position)
        {
            var gapEnd = _next < fragments.Count ? fragments[_next].Start : size;
            n = (int)Math.Min(limit, gapEnd - _position);
            buffer[..n].Clear();
        }
        else
        {
            var f = fragments[_next];
            n = (int)Math.Min(limit, f.End - _position);
            var data = NodeData(f.Node);
            var from = f.Skip + (_position - f.Start);
            var available = (int)Math.Clamp(data.Length - from, 0, n);
            if (available > 0)
                data.AsSpan((int)from, available).CopyTo(buffer);
            buffer[available..n].Clear();
        }

        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private byte[] NodeData(int index)
    {
        if (index == _cachedNode)
            return _cached;
        _cachedNode = index;
        var node = nodes[index];
        try
        {
            _cached = Jffs2Data.Decode(chunk, node);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            _cached = [];
            context.AddError($"jffs2 at 0x{node.Position:x}: inode {node.Inum} version {node.Version} data (bytes {node.DataOffset}..{(long)node.DataOffset + node.DataSize}, compressor {node.Compressor}): {e.Message}; that range reads as zeros", node.Position, path);
        }

        return _cached;
    }
}

/// <summary>Bytes <see cref="Start"/>..<see cref="End"/> of a file come from node <see cref="Node"/>'s data, starting <see cref="Skip"/> bytes into it.</summary>
internal readonly record struct Jffs2Fragment(long Start, long End, int Node, long Skip)
{
    /// <summary>
    /// Lays the data ranges of <paramref name="nodes"/> over each other in version order (the newest
    /// version wins where ranges overlap), then cuts the list at <paramref name="size"/>.
    /// </summary>
    public static List<Jffs2Fragment> Build(IReadOnlyList<Jffs2InodeNode> nodes, long size)
    {
        var list = new List<Jffs2Fragment>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var n = nodes[i];
            if (n.DataSize == 0)
                continue;
            Insert(list, new Jffs2Fragment(n.DataOffset, (long)n.DataOffset + n.DataSize, i, 0));
        }

        while (list.Count > 0 && list[^1].Start >= size)
            list.RemoveAt(list.Count - 1);
        if (list.Count > 0 && list[^1].End > size)
            list[^1] = list[^1] with { End = size };
        return list;
    }

    private static void Insert(List<Jffs2Fragment> list, Jffs2Fragment f)
    {
        if (list.Count == 0 || list[^1].End <= f.Start)
        {
            list.Add(f);
            return;
        }

        // first fragment ending after f starts (ends are increasing: fragments never overlap)
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (list[mid].End <= f.Start)
                lo = mid + 1;
            else
                hi = mid;
        }

        var replacement = new List<Jffs2Fragment>(3);
        var j = lo;
        Jffs2Fragment? tail = null;
        while (j < list.Count && list[j].Start < f.End)
        {
            var g = list[j];
            if (g.Start < f.Start)
                replacement.Add(g with { End = f.Start });
            if (g.End > f.End)
                tail = g with { Start = f.End, Skip = g.Skip + (f.End - g.Start) };
            j++;
        }

        replacement.Add(f);
        if (tail is { } t)
            replacement.Add(t);
        list.RemoveRange(lo, j - lo);
        list.InsertRange(lo, replacement);
    }
}
