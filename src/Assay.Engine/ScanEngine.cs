using Assay.Analyzers;
using Assay.Catalog;
using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;
using Assay.Vulnerabilities;

namespace Assay.Engine;

/// <summary>
/// The scan as every caller runs it: unpack and inspect (<see cref="Scanner"/>), then the
/// evaluation-wide steps (one component per name, version and location; the TS 33.117 table;
/// known vulnerabilities and VEX). <c>assay scan</c>, <c>assay sbom</c>, the service and the
/// evaluation harnesses all go through <see cref="Prepare"/>, so they give the same evaluation.
/// </summary>
public static class ScanEngine
{
    /// <summary>Version written into every evaluation as the tool version.</summary>
    public static string ToolVersion { get; } =
        typeof(ScanEngine).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    /// <summary>A scan ready to run; its <see cref="ScanJob.Progress"/> can be watched while it runs.</summary>
    public static ScanJob Prepare(ScanRequest request) => new(request);

    /// <summary>Prepares and runs a scan in one call.</summary>
    public static Evaluation Run(ScanRequest request, CancellationToken cancellationToken = default) =>
        Prepare(request).Run(cancellationToken);

    /// <summary>Catalogers and analyzers, new instances per scan.</summary>
    internal static List<Core.Plugins.IInspector> CreateInspectors() => [.. Catalogers.CreateAll(), .. AnalyzerRegistry.CreateAll()];
}

/// <summary>One scan: created by <see cref="ScanEngine.Prepare"/>, run once.</summary>
public sealed class ScanJob
{
    private readonly ScanRequest _request;
    private readonly Scanner _scanner;
    private readonly List<string> _notices = [];

    internal ScanJob(ScanRequest request)
    {
        _request = request;
        _scanner = new Scanner(new ScanOptions
        {
            Handlers = BuiltinHandlers.Registry,
            Limits = request.Limits,
            Inspectors = request.Analysis ? [.. ScanEngine.CreateInspectors(), .. request.ExtraInspectors] : [.. request.ExtraInspectors],
            EntryObserver = request.EntryObserver,
            Extraction = request.ExtractDirectory is null ? null : new ExtractionRoot(request.ExtractDirectory),
            Parallelism = request.Parallelism,
            ToolName = "assay",
            ToolVersion = ScanEngine.ToolVersion,
        });
    }

    /// <summary>Live counters of the unpacking (files, bytes, containers, current path).</summary>
    public ScanProgress Progress => _scanner.Progress;

    /// <summary>What the caller should tell the user that is not part of the evaluation (no vulnerability database, ...).</summary>
    public IReadOnlyList<string> Notices => _notices;

    public Evaluation Run(CancellationToken cancellationToken = default)
    {
        var evaluation = _scanner.Scan(_request.InputPath, cancellationToken);
        return _request.Analysis ? Enrich(evaluation) : evaluation;
    }

    /// <summary>The evaluation-wide steps: finding fingerprints, one component per (name, version, location), the TS 33.117 table, known vulnerabilities.</summary>
    private Evaluation Enrich(Evaluation evaluation)
    {
        evaluation = FindingFingerprints.Assign(evaluation);
        evaluation = ComponentConsolidator.Consolidate(evaluation);
        evaluation = Ts33117Table.Apply(evaluation);
        if (_request.SkipVulnerabilities)
            return evaluation;
        var path = _request.DatabasePath ?? VulnerabilityDatabase.DefaultPath;
        if (!File.Exists(path))
        {
            if (_request.DatabasePath is not null)
                throw new FileNotFoundException($"vulnerability database '{path}' does not exist; create it with 'assay db update --db {path}' (or 'assay db import FEEDS... --db {path}')", path);
            if (!BundledSnapshot.IsAvailable)
            {
                _notices.Add($"no vulnerability database at {path}: components are not matched (run 'assay db update' once, or pass --no-vulns)");
                return evaluation;
            }
            path = BundledSnapshot.EnsureDatabase();
            _notices.Add($"no vulnerability database at {VulnerabilityDatabase.DefaultPath}: matched against the small snapshot bundled with Assay " +
                "(real NVD and CISA KEV records of the sample delivery's components only); run 'assay db update' for complete, current data");
        }
        using var db = VulnerabilityDatabase.Open(path);
        return VulnerabilityEnricher.Apply(evaluation, db, _request.VexPath);
    }
}
