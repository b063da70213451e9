using System.Buffers;
using System.Security.Cryptography;
using Assay.Core.Formats;
using Assay.Core.Pipeline;

namespace Assay.Core.Content;

/// <summary>
/// Turns a stream (usually a decompressor) into a random-access blob: in memory up to
/// <see cref="ScanLimits.MemorySpoolBytes"/>, then in a private scratch file. Hashes the bytes
/// (SHA-256) on the way and enforces the byte, size and ratio limits as the bytes arrive, so a
/// bomb stops early.
/// </summary>
public sealed class Spooler(ScanLimits limits, ScanBudget budget, string scratchDirectory)
{
    private const int ChunkSize = 1 << 20;
    private static long s_scratchCounter;

    /// <summary>Reads <paramref name="source"/> to its end.</summary>
    /// <param name="packedSize">Compressed size of the stream, for the ratio check (null: not checked).</param>
    public (IBlob Blob, string Sha256) Spool(Stream source, long? packedSize, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        MemoryStream? memory = new();
        FileStream? scratch = null;
        string? scratchPath = null;
        long total = 0;
        try
        {
            int n;
            while ((n = ReadSome(source, buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                total += n;
                budget.AddBytes(n);
                Check(total, packedSize);
                hash.AppendData(buffer, 0, n);
                if (memory is not null && memory.Length + n > limits.MemorySpoolBytes)
                {
                    if (!OperatingSystem.IsWindows())
                        Directory.CreateDirectory(scratchDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    else
                        Directory.CreateDirectory(scratchDirectory);
                    scratchPath = Path.Combine(scratchDirectory, $"spool-{Environment.ProcessId}-{Interlocked.Increment(ref s_scratchCounter)}.bin");
                    scratch = new FileStream(scratchPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1 << 16, FileOptions.None);
                    memory.Position = 0;
                    memory.CopyTo(scratch);
                    memory = null;
                }
                if (memory is not null)
                    memory.Write(buffer, 0, n);
                else
                    scratch!.Write(buffer, 0, n);
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (memory is not null)
                return (new MemoryBlob(memory.GetBuffer().AsMemory(0, (int)memory.Length)), sha);
            scratch!.Flush();
            var handle = File.OpenHandle(scratchPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            scratch.Dispose();
            scratch = null;
            return (FileBlob.AdoptScratch(handle, total, scratchPath!), sha);
        }
        catch
        {
            scratch?.Dispose();
            if (scratchPath is not null)
                TryDelete(scratchPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int ReadSome(Stream source, byte[] buffer)
    {
        // Fill the buffer as far as the stream gives, so hashing and writing work on large chunks.
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

    private void Check(long total, long? packedSize)
    {
        if (total > limits.MaxFileBytes)
            throw new LimitExceededException("maxFileBytes", $"one decompressed file passed {limits.MaxFileBytes:N0} bytes; raise --max-file-bytes if that is expected");
        if (packedSize is > 0 && total > limits.RatioFloorBytes && total / packedSize.Value > limits.MaxRatio)
            throw new LimitExceededException("maxRatio",
                $"compression ratio passed {limits.MaxRatio}:1 ({total:N0} bytes out of {packedSize.Value:N0}); this looks like a decompression bomb. Raise --max-ratio if it is genuine");
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
