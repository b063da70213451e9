using System.Text;
using Assay.Network.Text;

namespace Assay.Network.Inventory;

/// <summary>
/// Reads a large element CSV on several cores. The file is cut into byte ranges at line breaks (a
/// record never spans lines, and a line break byte never occurs inside a UTF-8 sequence), each range
/// is parsed by the same row code as the sequential reader into its own chunk builder, and the chunks
/// are merged in file order (<see cref="InventoryBuilder.MergeInto"/>). The result is exactly the
/// sequential reader's inventory. This is the fast path for valid input only: on any error, a UTF-16
/// or UTF-32 byte-order mark, or a line too long to find its end, it gives up and the caller reads
/// the file sequentially, which reports every problem at its line.
/// </summary>
internal static class InventoryCsvParallel
{
    /// <summary>Files smaller than this are read sequentially: the threads would cost more than they save.</summary>
    public const long DefaultMinBytes = 4L << 20;

    /// <summary>Chunks per worker: more, smaller chunks even out a worker slowed by the rest of the machine.</summary>
    private const int ChunksPerWorker = 4;

    /// <summary>Bytes a row takes on average, to size the chunk builders (generated rows are about 105).</summary>
    private const int BytesPerRowGuess = 80;

    /// <summary>
    /// Reads <paramref name="path"/> into the empty <paramref name="builder"/> on <paramref name="workers"/>
    /// threads. Returns false, with <paramref name="builder"/> untouched, when the file should be read
    /// sequentially (small, not plain UTF-8, or not valid).
    /// </summary>
    public static bool TryRead(string path, InventoryBuilder builder, int workers, long minBytes = DefaultMinBytes)
    {
        if (workers < 2)
            return false;
        using var file = InputFiles.OpenBounded(path, InputFiles.MaxInventoryBytes);
        var length = file.Length;
        if (length < minBytes)
            return false;
        var handle = file.SafeFileHandle;

        // Byte-order mark: UTF-8 is skipped; UTF-16 and UTF-32 cannot be cut at 0x0A bytes.
        Span<byte> head = stackalloc byte[4];
        var got = RandomAccess.Read(handle, head, 0);
        if (got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
            return false;
        if (got >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF)
            return false;
        long start = got >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;

        // The header, on its own, with the sequential reader's rules (and errors, should it be bad).
        var headerEnd = NextLineStart(handle, start, length);
        if (headerEnd < 0)
            return false;
        var probe = new InventoryBuilder("header");
        int[]? map;
        using (var headerReader = new CsvLineReader(new StreamReader(new FileRangeStream(handle, start, headerEnd), Encoding.UTF8, false)))
        {
            if (!headerReader.TryReadLine(out var header))
                return false;
            map = InventoryCsvReader.MapHeader(headerReader, header, probe, sitesGiven: false);
        }
        if (map is null)
            return false;

        // Chunk boundaries at line starts.
        var chunks = Math.Max(1, (int)Math.Min(workers * ChunksPerWorker, (length - headerEnd) / (1 << 20) + 1));
        var bounds = new long[chunks + 1];
        bounds[0] = headerEnd;
        bounds[chunks] = length;
        for (var k = 1; k < chunks; k++)
        {
            var nominal = headerEnd + (length - headerEnd) * k / chunks;
            var b = nominal <= bounds[k - 1] ? bounds[k - 1] : NextLineStart(handle, nominal - 1, length);
            if (b < 0)
                return false;
            bounds[k] = Math.Max(b, bounds[k - 1]);
        }

        var parts = new InventoryBuilder[chunks];
        var failed = 0;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
        {
            if (Volatile.Read(ref failed) != 0)
                return;
            var part = InventoryBuilder.ForChunk(builder.CurrentFile, (int)Math.Min(InventoryBuilder.MaxElements, (bounds[k + 1] - bounds[k]) / BytesPerRowGuess + 16));
            try
            {
                using var reader = new CsvLineReader(new StreamReader(new FileRangeStream(handle, bounds[k], bounds[k + 1]), Encoding.UTF8, false, 1 << 16));
                InventoryCsvReader.ReadRows(reader, map, part);
            }
            catch (FormatException)
            {
                Volatile.Write(ref failed, 1);
                return;
            }
            if (part.ErrorCount > 0)
                Volatile.Write(ref failed, 1);
            parts[k] = part;
        });
        if (failed != 0)
            return false;
        builder.HasTechnology = probe.HasTechnology;
        builder.HasInstalled = probe.HasInstalled;
        builder.HasManages = probe.HasManages;
        builder.HasCells = probe.HasCells;
        return builder.MergeInto(parts, workers);
    }

    /// <summary>
    /// The offset just after the first line break at or after <paramref name="from"/> (or the end of the
    /// file); -1 when no line break comes within the longest line the reader accepts.
    /// </summary>
    private static long NextLineStart(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long length)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var limit = Math.Min(length, from + CsvLineReader.MaxLineLength * 4L + 4);
        for (var pos = from; pos < limit;)
        {
            var n = RandomAccess.Read(handle, buffer[..(int)Math.Min(buffer.Length, limit - pos)], pos);
            if (n <= 0)
                break;
            var nl = buffer[..n].IndexOf((byte)'\n');
            if (nl >= 0)
                return pos + nl + 1;
            pos += n;
        }
        return limit >= length ? length : -1;
    }
}
