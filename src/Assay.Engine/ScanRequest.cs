using Assay.Core.Pipeline;

namespace Assay.Engine;

/// <summary>What one scan is asked to do: the same request from <c>assay scan</c>, <c>assay sbom</c>, the service or a test.</summary>
public sealed record ScanRequest(string InputPath)
{
    public ScanLimits Limits { get; init; } = new();

    /// <summary>
    /// What the evaluation names as its input (<c>input.path</c>); null: the full path of
    /// <see cref="InputPath"/>. The service scans a link in a private per-attempt folder and names the
    /// delivery as uploaded, so a re-run after a fault gives the same evaluation.
    /// </summary>
    public string? DisplayPath { get; init; }

    /// <summary>Folder to write the unpacked tree into (through <see cref="Core.Extraction.ExtractionRoot"/>); null: nothing is written.</summary>
    public string? ExtractDirectory { get; init; }

    /// <summary>Threads working at once (<c>--jobs</c>); default all cores.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Vulnerability database to match against; null: the default one if it exists.</summary>
    public string? DatabasePath { get; init; }

    public bool SkipVulnerabilities { get; init; }

    /// <summary>Which of the engine's inspectors run (default both groups).</summary>
    public InspectorGroups Groups { get; init; } = InspectorGroups.Catalogers | InspectorGroups.Analyzers;

    /// <summary>
    /// Inspectors to run instead of the engine's own (fresh instances for this scan), for harnesses
    /// that time or filter them; null: the engine's <see cref="Groups"/>.
    /// </summary>
    public IReadOnlyList<Core.Plugins.IInspector>? Inspectors { get; init; }

    /// <summary>OpenVEX or CycloneDX VEX document with triage states for the vulnerabilities.</summary>
    public string? VexPath { get; init; }

    /// <summary>
    /// Folder of the content-addressed result cache (<see cref="Cache.SqliteScanCache"/>); null: no
    /// cache. The CLI passes the user's cache folder unless told <c>--no-cache</c>. Not used while
    /// extracting. The evaluation is the same with and without it.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Bound of the cache's stored values.</summary>
    public long CacheMaxBytes { get; init; } = Cache.SqliteScanCache.DefaultMaxBytes;

    /// <summary>
    /// False: unpack and hash only, without catalogers, analyzers and the evaluation-wide steps
    /// (a build comparison needs the tree, not its findings); <see cref="ExtraInspectors"/> still run.
    /// </summary>
    public bool Analysis { get; init; } = true;

    /// <summary>Inspectors run beside the catalogers and analyzers, fresh instances for this scan (e.g. the build-facts recorder of <c>assay verify-build</c>).</summary>
    public IReadOnlyList<Core.Plugins.IInspector> ExtraInspectors { get; init; } = [];

    /// <summary>Told of each container's entries in stored order; null: nobody asks. A scan with an observer does not use the cache (a replayed subtree lists no entries).</summary>
    public Core.Plugins.IEntryObserver? EntryObserver { get; init; }
}

/// <summary>The engine's groups of inspectors.</summary>
[Flags]
public enum InspectorGroups
{
    None = 0,

    /// <summary>Components: package databases, binary signatures, build info.</summary>
    Catalogers = 1,

    /// <summary>Findings: hardening, unsafe functions, secrets, configuration.</summary>
    Analyzers = 2,
}
