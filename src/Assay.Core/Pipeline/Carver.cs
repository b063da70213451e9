using System.Buffers;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Core.Pipeline;

/// <summary>A chunk the carver recognised inside a blob.</summary>
public sealed record CarvedChunk(IFormatHandler Handler, FormatMatch Match)
{
    public long Offset => Match.Offset;
}

/// <summary>
/// Finds formats embedded at any offset of a blob nobody recognised (a raw flash dump: bootloader
/// + kernel + rootfs with padding), like binwalk, but every hit is validated by the handler's
/// <see cref="IFormatHandler.TryMatch"/> and a chunk of known length is skipped over, so nothing
/// inside a recognised chunk is reported twice.
/// </summary>
public sealed class Carver
{
    private const int WindowBytes = 4 << 20;

    /// <summary>Validation attempts per blob; a blob stuffed with fake magics cannot make the scan quadratic.</summary>
    public const int MaxCandidates = 200_000;

    private readonly (IFormatHandler Handler, MagicSignature Magic)[] _magics;
    private readonly int _overlap;

    public Carver(HandlerRegistry registry)
    {
        _magics = [.. registry.All.SelectMany(h => h.Magics.Where(m => m.Bytes.Length >= 2).Select(m => (h, m)))];
        _overlap = _magics.Length == 0 ? 0 : _magics.Max(m => m.Magic.Bytes.Length + m.Magic.Offset);
    }

    /// <summary>
    /// Chunks found in <paramref name="blob"/> from <paramref name="start"/> on, in offset order, not
    /// overlapping one another except that a chunk of unknown length ends where the next begins.
    /// </summary>
    /// <param name="bug">Told of a handler that failed while validating a candidate for a reason other than malformed input (our bug); the carving goes on.</param>
    public IReadOnlyList<CarvedChunk> Find(IBlob blob, long start, CancellationToken cancellationToken, out bool truncated, Action<IFormatHandler, long, Exception>? bug = null)
    {
        truncated = false;
        var chunks = new List<CarvedChunk>();
        if (_magics.Length == 0)
            return chunks;
        var buffer = ArrayPool<byte>.Shared.Rent(WindowBytes + _overlap);
        var attempts = 0;
        long nextFree = start;
        try
        {
            for (long windowStart = start; windowStart < blob.Length; windowStart += WindowBytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var want = (int)Math.Min(WindowBytes + _overlap, blob.Length - windowStart);
                var span = buffer.AsSpan(0, want);
                if (!blob.TryReadExactly(windowStart, span))
                    break;
                var candidates = new SortedSet<(long Offset, int Index)>();
                for (var i = 0; i < _magics.Length && candidates.Count + attempts <= MaxCandidates; i++)
                {
                    var (_, magic) = _magics[i];
                    var pattern = magic.Bytes.AsSpan();
                    var from = 0;
                    while (from < span.Length)
                    {
                        var hit = span[from..].IndexOf(pattern);
                        if (hit < 0)
                            break;
                        var at = from + hit;
                        from = at + 1;
                        // Hits in the overlap belong to the next window (unless this is the last one).
                        if (at >= WindowBytes && windowStart + WindowBytes < blob.Length)
                            break;
                        var chunkStart = windowStart + at - magic.Offset;
                        if (chunkStart >= start && chunkStart >= nextFree)
                            candidates.Add((chunkStart, i));
                        if (candidates.Count + attempts > MaxCandidates)
                            break;
                    }
                }
                foreach (var (offset, index) in candidates)
                {
                    if (offset < nextFree)
                        continue;
                    if (++attempts > MaxCandidates)
                    {
                        truncated = true;
                        return chunks;
                    }
                    var handler = _magics[index].Handler;
                    FormatMatch? match;
                    try
                    {
                        match = handler.TryMatch(blob, offset);
                    }
                    catch (Exception e) when (FailureClassifier.IsInputFailure(e))
                    {
                        match = null;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        bug?.Invoke(handler, offset, e);
                        match = null;
                    }
                    if (match is null || match.Offset != offset)
                        continue;
                    if (match.Length is { } length && (length <= 0 || length > blob.Length - offset))
                        match = match with { Length = null };
                    chunks.Add(new CarvedChunk(handler, match));
                    // A chunk of unknown length may still contain the next real chunk: keep looking right after its header.
                    nextFree = match.Length is { } known ? offset + known : offset + 1;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return chunks;
    }

    /// <summary>Shannon entropy of a region in bits per byte (0..8), read in bounded pieces.</summary>
    public static double Entropy(IBlob blob, long offset, long length)
    {
        if (length <= 0)
            return 0;
        Span<long> counts = stackalloc long[256];
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long done = 0;
            while (done < length)
            {
                var n = blob.Read(offset + done, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done)));
                if (n <= 0)
                    break;
                foreach (var b in buffer.AsSpan(0, n))
                    counts[b]++;
                done += n;
            }
            double entropy = 0;
            foreach (var c in counts)
            {
                if (c == 0)
                    continue;
                var p = (double)c / done;
                entropy -= p * Math.Log2(p);
            }
            return entropy;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when every byte of the region is <paramref name="fill"/> (erased flash 0xff, or zeros).</summary>
    public static bool IsFill(IBlob blob, long offset, long length, out byte fill)
    {
        fill = 0;
        if (length <= 0)
            return false;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            Span<byte> first = stackalloc byte[1];
            if (blob.Read(offset, first) != 1)
                return false;
            fill = first[0];
            long done = 0;
            while (done < length)
            {
                var n = blob.Read(offset + done, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done)));
                if (n <= 0)
                    return false;
                if (buffer.AsSpan(0, n).IndexOfAnyExcept(fill) >= 0)
                    return false;
                done += n;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
