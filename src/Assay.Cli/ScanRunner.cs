using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Analyzers;
using Assay.Catalog;
using Assay.Formats;
using Assay.Vulnerabilities;

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
    private static List<Core.Plugins.IInspector> CreateInspectors() => [.. Catalogers.CreateAll(), .. AnalyzerRegistry.CreateAll()];

    /// <summary>The evaluation-wide steps: one component per (name, version, location), the TS 33.117 table, known vulnerabilities.</summary>
    private static Evaluation Enrich(Evaluation evaluation, ScanRequest request)
    {
        evaluation = ComponentConsolidator.Consolidate(evaluation);
        evaluation = Ts33117Table.Apply(evaluation);
        if (request.SkipVulnerabilities)
            return evaluation;
        var path = request.DatabasePath ?? VulnerabilityDatabase.DefaultPath;
        if (!File.Exists(path))
        {
            if (request.DatabasePath is not null)
                throw new FileNotFoundException($"vulnerability database '{path}' does not exist; create it with 'assay db import FEEDS... --db {path}'", path);
            Console.Error.WriteLine($"assay: no vulnerability database at {path}: components are not matched (run 'assay db import' once, or pass --no-vulns)");
            return evaluation;
        }
        using var db = VulnerabilityDatabase.Open(path);
        return VulnerabilityEnricher.Apply(evaluation, db, request.VexPath);
    }

    public static string ToolVersion { get; } =
        typeof(ScanRunner).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
