using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.Fuzz;

/// <summary>
/// One target per format handler (TryMatch then Unpack on the bytes), plus the whole pipeline.
/// Expected failures ("this format, but broken", limits) are swallowed; anything else escapes and
/// is a crash for the fuzzer.
/// </summary>
internal static class Targets
{
    private static readonly ScanLimits Limits = new()
    {
        MaxFileBytes = 64L << 20,
        MaxTotalBytes = 256L << 20,
        MinTotalBytes = 256L << 20,
        MaxFiles = 100_000,
        HandlerTimeout = TimeSpan.FromSeconds(10),
        MaxDepth = 4,
    };

    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = Build();

    private static Dictionary<string, Action<byte[]>> Build()
    {
        var targets = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal);
        foreach (var handler in BuiltinHandlers.All)
            targets[$"format:{handler.Id}"] = bytes => Handler(handler, bytes);
        targets["scan"] = Scan;
        return targets;
    }

    private static void Handler(IFormatHandler handler, byte[] bytes)
    {
        var blob = new MemoryBlob(bytes);
        FormatMatch? match;
        try
        {
            match = handler.TryMatch(blob, 0);
        }
        catch (Exception e) when (Expected(e))
        {
            return;
        }
        if (match is null)
            return;
        using var cancel = new CancellationTokenSource(Limits.HandlerTimeout);
        var context = new CollectingUnpackContext(Limits, cancel.Token) { MaxContentBytes = Limits.MaxTotalBytes };
        try
        {
            var length = match.Length ?? blob.Length - match.Offset;
            if (match.Offset < 0 || length < 0 || match.Offset + length > blob.Length)
                throw new InvalidOperationException($"{handler.Id}: TryMatch returned an extent outside the input ({match.Offset}+{length} of {blob.Length})");
            handler.Unpack(blob.Slice(match.Offset, length), match, context);
        }
        catch (Exception e) when (Expected(e))
        {
        }
    }

    /// <summary>The whole pipeline: any error must end up as an error entry, never escape.</summary>
    private static void Scan(byte[] bytes)
    {
        using var input = ScanInput.FromBlob(new MemoryBlob(bytes), "fuzz.bin");
        var evaluation = ScanPipeline.Run(new ScanOptions { Handlers = BuiltinHandlers.Registry, Limits = Limits, Parallelism = 1 }, input);
        var bug = evaluation.Errors.FirstOrDefault(e => e.Category == ErrorCategory.Internal);
        if (bug is not null)
            throw new InvalidOperationException($"internal error recorded: {bug.Handler}: {bug.Message}");
    }

    /// <summary>Failures that mean "bad input, reported" (the one classifier of the pipeline), or the time limit: everything else is a bug.</summary>
    private static bool Expected(Exception e) => e is OperationCanceledException || FailureClassifier.IsExpected(e);
}
