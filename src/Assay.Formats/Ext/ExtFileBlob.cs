using Assay.Core.Content;

namespace Assay.Formats.Ext;

/// <summary>
/// A file's content as a view of the filesystem: each read maps logical blocks to physical blocks
/// through the file's runs (no copy). Blocks outside every run (holes, unwritten extents, the tail
/// past the last block) read as zeros.
/// </summary>
internal sealed class ExtFileBlob : IBlob
{
    private readonly IBlob _filesystem;
    private readonly ExtRun[] _runs;
    private readonly int _blockSize;

    /// <param name="runs">Sorted, non-overlapping runs, every physical block already checked to lie inside <paramref name="filesystem"/>.</param>
    public ExtFileBlob(IBlob filesystem, ExtRun[] runs, int blockSize, long length)
    {
        _filesystem = filesystem;
        _runs = runs;
        _blockSize = blockSize;
        Length = length;
    }

    public long Length { get; }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length)
            return 0;
        var total = (int)Math.Min(buffer.Length, Length - position);
        var done = 0;
        while (done < total)
        {
            var pos = position + done;
            var block = (ulong)(pos / _blockSize);
            var i = FindRun(block);
            int n;
            if (i >= 0 && block < _runs[i].Logical + _runs[i].Count)
            {
                var run = _runs[i];
                var runEnd = (long)(run.Logical + run.Count) * _blockSize;
                n = (int)Math.Min(total - done, runEnd - pos);
                var physical = ((long)run.Physical * _blockSize) + (pos - ((long)run.Logical * _blockSize));
                var got = _filesystem.Read(physical, buffer.Slice(done, n));
                if (got <= 0)
                    break;
                n = got;
            }
            else
            {
                var next = i + 1 < _runs.Length ? (long)_runs[i + 1].Logical * _blockSize : Length;
                n = (int)Math.Min(total - done, next - pos);
                buffer.Slice(done, n).Clear();
            }
            done += n;
        }
        return done;
    }

    /// <summary>Index of the last run starting at or before <paramref name="block"/>, or -1.</summary>
    private int FindRun(ulong block)
    {
        int lo = 0, hi = _runs.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_runs[mid].Logical <= block)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    public void Dispose()
    {
    }
}
