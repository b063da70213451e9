using System.Buffers;
using Assay.Core.Pipeline;

namespace Assay.Core.Content;

/// <summary>
/// Turns a stream (usually a decompressor) into a random-access blob: in pooled memory up to
/// <see cref="ScanLimits.MemorySpoolBytes"/> while the scan's <see cref="MemoryBudget"/> has room,
/// else in a private scratch file (what was already in memory is moved there). The limits are
/// enforced by the <see cref="MeteredStream"/> the bytes come through, so a bomb stops early.
/// Hashing is left to whoever processes the blob (another core).
/// </summary>
/// <param name="budget">In-memory content the whole scan may hold at once; null for no bound but the per-spool one.</param>
public sealed class Spooler(ScanLimits limits, string scratchDirectory, MemoryBudget? budget = null)
{
    private const int ChunkSize = 1 << 20;
    private static long s_scratchCounter;

    /// <summary>Reads <paramref name="prefix"/> and then <paramref name="source"/> to its end into one blob.</summary>
    public IBlob Spool(ReadOnlySpan<byte> prefix, Stream source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        PooledBlob? memory = new(budget);
        FileStream? scratch = null;
        string? scratchPath = null;
        long total = 0;
        try
        {
            Write(prefix);
            int n;
            while ((n = ReadSome(source, buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Write(buffer.AsSpan(0, n));
            }
            if (memory is not null)
                return memory.Seal();
            scratch!.Flush();
            var handle = File.OpenHandle(scratchPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            scratch.Dispose();
            scratch = null;
            return FileBlob.AdoptScratch(handle, total, scratchPath!);
        }
        catch
        {
            memory?.Dispose();
            scratch?.Dispose();
            if (scratchPath is not null)
                TryDelete(scratchPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        void Write(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 0)
                return;
            total += bytes.Length;
            if (memory is not null)
            {
                if (total <= limits.MemorySpoolBytes && memory.TryAppend(bytes))
                    return;
                // Too large for memory, or the scan's budget is spent: what is in memory moves to a
                // scratch file (giving its budget back), and the rest follows it there.
                scratchPath = NewScratchPath();
                scratch = new FileStream(scratchPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.None);
                var copy = ArrayPool<byte>.Shared.Rent(PooledBlob.SegmentBytes);
                try
                {
                    for (long at = 0; at < memory.Length; at += PooledBlob.SegmentBytes)
                    {
                        var got = memory.Read(at, copy.AsSpan(0, PooledBlob.SegmentBytes));
                        scratch.Write(copy, 0, got);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(copy);
                }
                memory.Dispose();
                memory = null;
            }
            scratch!.Write(bytes);
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end into one blob.</summary>
    public IBlob Spool(Stream source, CancellationToken cancellationToken) => Spool([], source, cancellationToken);

    private string NewScratchPath()
    {
        if (!OperatingSystem.IsWindows())
            Directory.CreateDirectory(scratchDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        else
            Directory.CreateDirectory(scratchDirectory);
        return Path.Combine(scratchDirectory, $"spool-{Environment.ProcessId}-{Interlocked.Increment(ref s_scratchCounter)}.bin");
    }

    private static int ReadSome(Stream source, byte[] buffer)
    {
        // Fill the buffer as far as the stream gives, so writing works on large chunks.
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = source.Read(buffer, filled, buffer.Length - filled);
            if (n <= 0)
                break;
            filled += n;
        }
        return filled;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // left for the scratch folder cleanup
        }
    }
}
