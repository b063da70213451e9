using Assay.Analyzers;
using Assay.Catalog;
using Assay.Core.Extraction;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Core.Plugins;
using Assay.Engine.Steps;
using Assay.Formats;

namespace Assay.Engine;

/// <summary>
/// The scan as every caller runs it, and the composition root of its stages: which handlers,
/// catalogers, analyzers and evaluation steps run, in which order. <c>assay scan</c>,
/// <c>assay sbom</c>, the service and the evaluation harnesses all go through <see cref="Prepare"/>,
/// so they give the same evaluation.
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

    /// <summary>The catalogers, new instances for one scan.</summary>
    public static IReadOnlyList<IInspector> CreateCatalogers() => Catalogers.CreateAll();

    /// <summary>The analyzers, new instances for one scan.</summary>
    public static IReadOnlyList<IInspector> CreateAnalyzers() => AnalyzerRegistry.CreateAll();

    /// <summary>Catalogers and analyzers, new instances per scan.</summary>
    public static IReadOnlyList<IInspector> CreateInspectors() => CreateInspectors(InspectorGroups.Catalogers | InspectorGroups.Analyzers);

    /// <summary>The inspectors of <paramref name="groups"/>, new instances per scan.</summary>
    public static IReadOnlyList<IInspector> CreateInspectors(InspectorGroups groups) =>
    [
        .. groups.HasFlag(InspectorGroups.Catalogers) ? CreateCatalogers() : [],
        .. groups.HasFlag(InspectorGroups.Analyzers) ? CreateAnalyzers() : [],
    ];

    /// <summary>The evaluation-wide steps, in the order they run, for a request.</summary>
    public static IReadOnlyList<IEvaluationStep> Steps(ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Analysis)
            return [];
        List<IEvaluationStep> steps = [new FingerprintStep(), new ConsolidateStep(), new Ts33117Step()];
        if (!request.SkipVulnerabilities)
            steps.Add(new VulnerabilityStep(request.DatabasePath, request.VexPath));
        return steps;
    }
}

/// <summary>One scan: created by <see cref="ScanEngine.Prepare"/>, run once.</summary>
public sealed class ScanJob
{
    private readonly ScanRequest _request;
    private readonly List<string> _notices = [];
    private int _used;

    internal ScanJob(ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
    }

    /// <summary>Live counters of the scan (files, bytes, containers, current path, stage).</summary>
    public ScanProgress Progress { get; } = new();

    /// <summary>What the caller should tell the user that is not part of the evaluation (no vulnerability database, ...).</summary>
    public IReadOnlyList<string> Notices => _notices;

    /// <summary>Runs every stage and returns the complete evaluation. Throws <see cref="IOException"/> when the input cannot be read.</summary>
    public Evaluation Run(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
            throw new InvalidOperationException("a ScanJob runs once; prepare another");
        if (_request.Analysis)
            SharedData.Preload(vulnerabilities: !_request.SkipVulnerabilities);
        using var input = ScanInput.Open(_request.InputPath, _request.DisplayPath);
        using var cache = OpenCache(_request, _notices);
        using var session = new ScanSession(Options(_request, InspectorsOf(_request), cache), Progress, cancellationToken);
        try
        {
            return ScanPipeline.Run(session, input, ScanEngine.Steps(_request));
        }
        finally
        {
            _notices.AddRange(session.Notices);
            if (cache is not null)
                CloseCache(cache, _notices);
        }
    }

    /// <summary>The inspectors a request runs: its own list, or the groups it asks for, then the extra ones; new instances.</summary>
    internal static IReadOnlyList<IInspector> InspectorsOf(ScanRequest request)
    {
        IReadOnlyList<IInspector> own = request.Inspectors ?? (request.Analysis ? ScanEngine.CreateInspectors(request.Groups) : []);
        return [.. own, .. request.ExtraInspectors];
    }

    /// <summary>The cache of a request, or null (none asked, extracting, or it cannot be opened: then a notice says why).</summary>
    internal static Cache.SqliteScanCache? OpenCache(ScanRequest request, ICollection<string>? notices)
    {
        if (request.CacheDirectory is not { } directory || request.ExtractDirectory is not null || request.EntryObserver is not null)
            return null;
        try
        {
            var cache = Cache.SqliteScanCache.Open(directory, request.CacheMaxBytes);
            if (cache.OpenNotice is { } notice)
                notices?.Add(notice);
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            notices?.Add($"the scan cache in {directory} cannot be used ({e.Message}); scanning without it (pass --cache DIR for another folder, or --no-cache)");
            return null;
        }
    }

    /// <summary>Writes what the scan added to the cache; a failure costs the next scan time, not this one its result.</summary>
    internal static void CloseCache(Cache.SqliteScanCache cache, ICollection<string>? notices)
    {
        try
        {
            cache.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            notices?.Add($"the scan cache {cache.Path} could not be written ({e.Message}); the next scan will not be faster");
        }
        if (cache.Damaged > 0)
            notices?.Add($"{cache.Damaged} damaged entries of the scan cache {cache.Path} were dropped and recomputed");
    }

    /// <summary>The session options of a request.</summary>
    internal static ScanOptions Options(ScanRequest request, IReadOnlyList<IInspector> inspectors, IScanCache? cache) => new()
    {
        Cache = cache,
        CacheFingerprint = cache is null ? null : Cache.EngineFingerprint.Value,
        Handlers = BuiltinHandlers.Registry,
        Limits = request.Limits,
        Inspectors = inspectors,
        EntryObserver = request.EntryObserver,
        Extraction = request.ExtractDirectory is null ? null : new ExtractionRoot(request.ExtractDirectory),
        Parallelism = request.Parallelism,
        ToolName = "assay",
        ToolVersion = ScanEngine.ToolVersion,
    };
}
