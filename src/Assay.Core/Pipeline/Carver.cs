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

    /// <summary>
    /// Output a length probe (<see cref="IStreamLengthProbe"/>) may decode for one carved stream; past
    /// it the stream runs to the next recognised chunk, as when its length cannot be told.
    /// </summary>
    public const long MaxProbeOutput = 4L << 30;

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
                    if (match.Length is null && handler is IStreamLengthProbe probe)
                        match = match with { Length = Measure(probe, blob, offset, cancellationToken) };
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

    /// <summary>The probe's answer when it is a length inside the blob; a probe failing on bad data means "unknown".</summary>
    private static long? Measure(IStreamLengthProbe probe, IBlob blob, long offset, CancellationToken cancellationToken)
    {
        try
        {
            return probe.MeasureLength(blob, offset, MaxProbeOutput, cancellationToken) is { } n && n > 0 && n <= blob.Length - offset ? n : null;
        }
        catch (Exception e) when (e is Formats.FormatException or EndOfStreamException or InvalidDataException or ArgumentException or OverflowException or IOException)
        {
            return null;
        }
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

    /// <summary>A fill run shorter than this is part of the data around it, not padding of its own.</summary>
    public const int MinFillRun = 512;

    /// <summary>Entropy is classified per window of this many bytes when a gap is split.</summary>
    public const int EntropyWindow = 4096;

    /// <summary>
    /// Bits per byte from which a <see cref="EntropyWindow"/> counts as high entropy. Random bytes
    /// give ~7.95 over 4 KiB (the estimate falls short of 8 by ~255/(2·4096·ln 2)), deflate/xz
    /// output ~7.9, ARM/x86 code 5.5–6.8, text 4–5.
    /// </summary>
    public const double HighEntropy = 7.5;

    /// <summary>A run of windows of one entropy class shorter than this joins the region before it.</summary>
    public const int MinEntropyRun = 4 * EntropyWindow;

    /// <summary>Regions one gap is split into at most; the rest of the gap is one region.</summary>
    public const int MaxGapRegions = 4096;

    private const int FillProbe = MinFillRun / 2;

    /// <summary>
    /// Splits a gap between recognised chunks into what a flash dump holds there: runs of one byte
    /// value of at least <see cref="MinFillRun"/> bytes (erased flash 0xff, zero fill), exact to the
    /// byte, and between them data regions told apart by entropy (high: encrypted or an unknown
    /// compressor; low: code, tables, text), on <see cref="EntropyWindow"/> boundaries. Each region
    /// comes with its own entropy. Reads the gap twice, in bounded pieces.
    /// </summary>
    public static IReadOnlyList<GapRegion> SplitGap(IBlob blob, long offset, long length, CancellationToken cancellationToken = default)
    {
        var regions = new List<GapRegion>();
        if (length <= 0)
            return regions;
        if (IsFill(blob, offset, length, out var only))
        {
            regions.Add(new GapRegion(offset, length, GapKind.Fill, only, 0));
            return regions;
        }
        long cursor = offset;
        var end = offset + length;
        foreach (var (runStart, runLength, fill) in FillRuns(blob, offset, length, cancellationToken))
        {
            if (regions.Count >= MaxGapRegions - 2)
                break;
            if (runStart > cursor)
                SplitByEntropy(blob, cursor, runStart - cursor, regions, cancellationToken);
            regions.Add(new GapRegion(runStart, runLength, GapKind.Fill, fill, 0));
            cursor = runStart + runLength;
        }
        if (cursor < end)
            SplitByEntropy(blob, cursor, end - cursor, regions, cancellationToken);
        return regions;
    }

    /// <summary>
    /// Runs of one byte value of at least <see cref="MinFillRun"/> bytes. Such a run always covers a
    /// whole aligned probe block of <see cref="FillProbe"/> bytes, so only those are tested, and a
    /// constant one is widened byte by byte on both sides.
    /// </summary>
    private static IEnumerable<(long Offset, long Length, byte Fill)> FillRuns(IBlob blob, long offset, long length, CancellationToken cancellationToken)
    {
        var end = offset + length;
        var buffer = new byte[1 << 16];
        var probe = new byte[FillProbe];
        long next = offset;
        // Probe blocks are aligned to the gap start; the first whole one after `next`.
        for (long at = offset; at + FillProbe <= end; at += FillProbe)
        {
            if (at < next)
                continue;
            cancellationToken.ThrowIfCancellationRequested();
            if (!blob.TryReadExactly(at, probe))
                yield break;
            var fill = probe[0];
            if (probe.AsSpan().IndexOfAnyExcept(fill) >= 0)
                continue;
            var start = Math.Max(next, WidenBack(blob, at, next, fill, buffer));
            var stop = WidenForward(blob, at + FillProbe, end, fill, buffer);
            if (stop - start >= MinFillRun)
            {
                yield return (start, stop - start, fill);
                next = stop;
            }
        }
    }

    private static long WidenBack(IBlob blob, long from, long limit, byte fill, byte[] buffer)
    {
        var start = from;
        while (start > limit)
        {
            var n = (int)Math.Min(buffer.Length, start - limit);
            var span = buffer.AsSpan(0, n);
            if (!blob.TryReadExactly(start - n, span))
                return start;
            var other = span.LastIndexOfAnyExcept(fill);
            if (other >= 0)
                return start - n + other + 1;
            start -= n;
        }
        return start;
    }

    private static long WidenForward(IBlob blob, long from, long end, byte fill, byte[] buffer)
    {
        var stop = from;
        while (stop < end)
        {
            var n = (int)Math.Min(buffer.Length, end - stop);
            var span = buffer.AsSpan(0, n);
            if (!blob.TryReadExactly(stop, span))
                return stop;
            var other = span.IndexOfAnyExcept(fill);
            if (other >= 0)
                return stop + other;
            stop += n;
        }
        return stop;
    }

    /// <summary>Data between fill runs: windows classed high or low entropy, short runs absorbed, each region measured whole.</summary>
    private static void SplitByEntropy(IBlob blob, long offset, long length, List<GapRegion> regions, CancellationToken cancellationToken)
    {
        if (length < 2 * MinEntropyRun || regions.Count >= MaxGapRegions - 1)
        {
            AddData(blob, offset, length, regions);
            return;
        }
        var runs = new List<(long Offset, long Length, bool High)>();
        var window = new byte[EntropyWindow];
        Span<int> counts = stackalloc int[256];
        for (long at = offset; at < offset + length; at += EntropyWindow)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = (int)Math.Min(EntropyWindow, offset + length - at);
            if (!blob.TryReadExactly(at, window.AsSpan(0, n)))
                break;
            counts.Clear();
            foreach (var b in window.AsSpan(0, n))
                counts[b]++;
            // A short last window cannot reach the threshold; it belongs to the run before it.
            var high = n == EntropyWindow ? EntropyOf(counts, n) >= HighEntropy : runs.Count > 0 && runs[^1].High;
            if (runs.Count > 0 && runs[^1].High == high)
                runs[^1] = runs[^1] with { Length = runs[^1].Length + n };
            else
                runs.Add((at, n, high));
        }
        // Absorb short runs into the one before (or after, at the start), then merge equal neighbours.
        var merged = new List<(long Offset, long Length, bool High)>();
        foreach (var run in runs)
        {
            if (merged.Count > 0 && (run.Length < MinEntropyRun || merged[^1].High == run.High))
                merged[^1] = merged[^1] with { Length = merged[^1].Length + run.Length };
            else if (merged.Count == 1 && merged[0].Length < MinEntropyRun)
                merged[0] = (merged[0].Offset, merged[0].Length + run.Length, run.High);
            else
                merged.Add(run);
        }
        for (var i = 0; i < merged.Count; i++)
        {
            if (regions.Count >= MaxGapRegions - 1)
            {
                AddData(blob, merged[i].Offset, offset + length - merged[i].Offset, regions);
                return;
            }
            AddData(blob, merged[i].Offset, merged[i].Length, regions);
        }
    }

    private static void AddData(IBlob blob, long offset, long length, List<GapRegion> regions)
    {
        var entropy = Entropy(blob, offset, length);
        regions.Add(new GapRegion(offset, length, entropy >= HighEntropy ? GapKind.HighEntropy : GapKind.Data, 0, entropy));
    }

    private static double EntropyOf(ReadOnlySpan<int> counts, int total)
    {
        double entropy = 0;
        foreach (var c in counts)
        {
            if (c == 0)
                continue;
            var p = (double)c / total;
            entropy -= p * Math.Log2(p);
        }
        return entropy;
    }
}

/// <summary>What a region of a gap between recognised chunks holds.</summary>
public enum GapKind
{
    /// <summary>One byte value throughout (<see cref="GapRegion.Fill"/>): erased flash 0xff, zero fill.</summary>
    Fill,

    /// <summary>Entropy at or above <see cref="Carver.HighEntropy"/>: encrypted, or compressed by something unrecognised.</summary>
    HighEntropy,

    /// <summary>Anything else: code, tables, text, data of an unknown format.</summary>
    Data,
}

/// <summary>One region of a gap, with its Shannon entropy in bits per byte (0 for a fill).</summary>
public sealed record GapRegion(long Offset, long Length, GapKind Kind, byte Fill, double Entropy)
{
    /// <summary>What the region likely is, for the evaluation's chunk note.</summary>
    public string Note => Kind switch
    {
        GapKind.Fill when Fill == 0xff => "erased flash (0xff)",
        GapKind.Fill when Fill == 0x00 => "zero fill (0x00)",
        GapKind.Fill => $"filled with 0x{Fill:x2}",
        GapKind.HighEntropy => "high entropy: encrypted, or compressed in a format Assay does not know",
        _ when Entropy > 6.5 => "compressed or packed code/data of unknown format",
        _ when Entropy < 1.0 => "mostly constant bytes",
        _ => "unknown data",
    };
}
