using Assay.Core.Content;
using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.Formats.Tests;

/// <summary>Runs the real pipeline with the built-in handlers over a fixture or bytes.</summary>
internal static class ScanHelper
{
    public static Evaluation Scan(string fixture, ScanLimits? limits = null, string? extractTo = null) =>
        new Scanner(Options(limits, extractTo)).Scan(Fixture.Path(fixture));

    public static Evaluation ScanBytes(byte[] bytes, string name, ScanLimits? limits = null) =>
        new Scanner(Options(limits, null)).Scan(new MemoryBlob(bytes), name, name);

    private static ScanOptions Options(ScanLimits? limits, string? extractTo) => new()
    {
        Handlers = BuiltinHandlers.Registry,
        Limits = limits ?? new ScanLimits(),
        Extraction = extractTo is null ? null : new ExtractionRoot(extractTo),
    };

    /// <summary>Entries below the first container boundary of <paramref name="prefix"/>, as relative paths.</summary>
    public static Dictionary<string, FileRecord> Below(Evaluation e, string prefix) =>
        e.Files.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal) && !f.Path[prefix.Length..].Contains("!/", StringComparison.Ordinal))
            .ToDictionary(f => f.Path[prefix.Length..], StringComparer.Ordinal);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
