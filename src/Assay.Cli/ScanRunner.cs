using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.Cli;

/// <summary>What one `assay scan` (or `assay sbom`) is asked to do.</summary>
internal sealed record ScanRequest(string InputPath)
{
    public ScanLimits Limits { get; init; } = new();
    public string? ExtractDirectory { get; init; }
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Vulnerability database to match against; null: the default one if it exists.</summary>
    public string? DatabasePath { get; init; }

    public bool SkipVulnerabilities { get; init; }
    public string? VexPath { get; init; }
    public bool ShowProgress { get; init; } = true;
}

/// <summary>
/// The scan pipeline as the commands run it: unpack + inspect (Assay.Core.Pipeline.Scanner), then
/// the evaluation-wide steps. One place, so `scan` and `sbom` give the same evaluation.
/// </summary>
internal static class ScanRunner
{
    public static Evaluation Run(ScanRequest request, CancellationToken cancellationToken = default)
    {
        var options = new ScanOptions
        {
            Handlers = BuiltinHandlers.Registry,
            Limits = request.Limits,
            Inspectors = CreateInspectors(),
            Extraction = request.ExtractDirectory is null ? null : new ExtractionRoot(request.ExtractDirectory),
            Parallelism = request.Parallelism,
            ToolName = "assay",
            ToolVersion = ToolVersion,
        };
        var scanner = new Scanner(options);
        var evaluation = request.ShowProgress
            ? ProgressDisplay.Run(scanner.Progress, request.InputPath, () => scanner.Scan(request.InputPath, cancellationToken))
            : scanner.Scan(request.InputPath, cancellationToken);
        return Enrich(evaluation, request);
    }

    /// <summary>Catalogers and analyzers, new instances per scan.</summary>
    private static List<Core.Plugins.IInspector> CreateInspectors() => [];

    private static Evaluation Enrich(Evaluation evaluation, ScanRequest request) => evaluation;

    public static string ToolVersion { get; } =
        typeof(ScanRunner).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
