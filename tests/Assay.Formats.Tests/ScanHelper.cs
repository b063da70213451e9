using Assay.Core.Content;
using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.Formats.Tests;

/// <summary>Runs the real pipeline with the built-in handlers over a fixture or bytes.</summary>
internal static class ScanHelper
{
    public static Evaluation Scan(string fixture, ScanLimits? limits = null, string? extractTo = null, int? parallelism = null, bool streaming = true)
    {
        using var input = ScanInput.Open(Fixture.Path(fixture));
        return ScanPipeline.Run(Options(limits, extractTo, parallelism, streaming), input);
    }

    /// <summary>Scans in a session of its own and gives back its in-memory spool budget too, to look at after the scan.</summary>
    public static (Evaluation Evaluation, MemoryBudget Budget) ScanWithBudget(string fixture, ScanLimits limits, int? parallelism = null)
    {
        using var input = ScanInput.Open(Fixture.Path(fixture));
        using var session = new ScanSession(Options(limits, null, parallelism, streaming: true));
        return (ScanPipeline.Run(session, input, []), session.MemoryBudget);
    }

    public static Evaluation ScanBytes(byte[] bytes, string name, ScanLimits? limits = null, int? parallelism = null, bool streaming = true)
    {
        using var input = ScanInput.FromBlob(new MemoryBlob(bytes), name);
        return ScanPipeline.Run(Options(limits, null, parallelism, streaming), input);
    }

    private static ScanOptions Options(ScanLimits? limits, string? extractTo, int? parallelism, bool streaming) => new()
    {
        Handlers = BuiltinHandlers.Registry,
        Limits = limits ?? new ScanLimits(),
        Extraction = extractTo is null ? null : new ExtractionRoot(extractTo),
        Parallelism = parallelism ?? Environment.ProcessorCount,
        Streaming = streaming,
    };

    /// <summary>Entries below the first container boundary of <paramref name="prefix"/>, as relative paths.</summary>
    public static Dictionary<string, FileRecord> Below(Evaluation e, string prefix) =>
        e.Files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && !f.Path[prefix.Length..].Contains("!/", StringComparison.Ordinal))
            .ToDictionary(f => f.Path[prefix.Length..], StringComparer.Ordinal);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
