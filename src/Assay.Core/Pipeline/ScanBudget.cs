using Assay.Core.Formats;

namespace Assay.Core.Pipeline;

/// <summary>
/// The shared counters that the limits of one scan are checked against: bytes produced by
/// decompressors and entries listed. Thread-safe.
/// </summary>
public sealed class ScanBudget(ScanLimits limits, long inputSize)
{
    private long _bytesProduced;
    private long _files;

    /// <summary>
    /// Bytes all decompressors may produce together: the configured maximum, but no more than
    /// <see cref="ScanLimits.MaxExpansion"/> times the input (at least <see cref="ScanLimits.MinTotalBytes"/>),
    /// so a 42 KB nested zip bomb stops after about a gigabyte, not after 64 GiB.
    /// </summary>
    public long MaxBytes { get; } = Math.Min(limits.MaxTotalBytes, Math.Max(limits.MinTotalBytes, SaturatingMultiply(inputSize, limits.MaxExpansion)));

    public long BytesProduced => Interlocked.Read(ref _bytesProduced);
    public long Files => Interlocked.Read(ref _files);

    public void AddBytes(long count)
    {
        var total = Interlocked.Add(ref _bytesProduced, count);
        if (total > MaxBytes)
            throw new LimitExceededException("maxTotalBytes",
                $"decompressed output passed {MaxBytes:N0} bytes ({limits.MaxExpansion}x the input, at most --max-bytes {limits.MaxTotalBytes:N0}); " +
                "this looks like a decompression bomb. Raise --max-bytes / --max-expansion if the image is genuinely that large");
    }

    /// <summary>
    /// Reserves <paramref name="files"/> entries and <paramref name="bytes"/> at once (a subtree
    /// replayed from the cache); false, and nothing reserved, when that would pass a limit.
    /// </summary>
    public bool TryReserve(long files, long bytes)
    {
        if (Interlocked.Add(ref _files, files) > limits.MaxFiles)
        {
            Interlocked.Add(ref _files, -files);
            return false;
        }
        if (Interlocked.Add(ref _bytesProduced, bytes) > MaxBytes)
        {
            Interlocked.Add(ref _bytesProduced, -bytes);
            Interlocked.Add(ref _files, -files);
            return false;
        }
        return true;
    }

    public void AddFile()
    {
        if (Interlocked.Increment(ref _files) > limits.MaxFiles)
            throw new LimitExceededException("maxFiles", $"more than {limits.MaxFiles:N0} entries; raise --max-files if the image is genuinely that large");
    }

    private static long SaturatingMultiply(long a, long b) => a > 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
