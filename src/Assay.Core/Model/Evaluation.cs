namespace Assay.Core.Model;

/// <summary>
/// The canonical, versioned result of a scan. Every report (console, JSON, CycloneDX, SPDX, SARIF,
/// HTML) is written from this document. Lists are sorted so that the same input gives the same
/// bytes, apart from the timestamp fields.
/// </summary>
public sealed record Evaluation
{
    /// <summary>Identifier of the document schema; see <c>docs/evaluation.schema.json</c>.</summary>
    public const string SchemaId = "https://assay.dev/schemas/evaluation/1.0";

    public string Schema { get; init; } = SchemaId;
    public required ToolInfo Tool { get; init; }
    public required InputInfo Input { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public IReadOnlyDictionary<string, long> Limits { get; init; } = new SortedDictionary<string, long>();
    public IReadOnlyList<FileRecord> Files { get; init; } = [];
    public IReadOnlyList<ChunkRecord> Chunks { get; init; } = [];
    public IReadOnlyList<Component> Components { get; init; } = [];
    public IReadOnlyList<Finding> Findings { get; init; } = [];
    public IReadOnlyList<Vulnerability> Vulnerabilities { get; init; } = [];

    /// <summary>
    /// NVD entries of the components that apply only together with a platform (an AND configuration
    /// with an operating system or hardware node) that is not among the components: listed apart,
    /// each with <see cref="Vulnerability.AppliesOnlyOn"/>, and never counted by <c>--fail-on</c>.
    /// </summary>
    public IReadOnlyList<Vulnerability> PlatformConditional { get; init; } = [];
    public IReadOnlyList<ScanError> Errors { get; init; } = [];

    /// <summary>
    /// How many files each rule examined (rule id -> count), whether or not it fired: the difference
    /// between "checked and passed" and "nothing to check" in the TS 33.117 table.
    /// </summary>
    public IReadOnlyDictionary<string, long> RuleChecks { get; init; } = new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Whether the input was fully understood; derived from the files, chunks and errors (never stored apart from them).</summary>
    public Completeness Completeness => Completeness.Assess(this);

    /// <summary>The summary tables (components, hardening, TS 33.117, unsafe functions), one typed section each.</summary>
    public EvaluationSummaries Summaries { get; init; } = EvaluationSummaries.None;
}

public sealed record ToolInfo(string Name, string Version);

public sealed record InputInfo(string Path, long Size, string Sha256);
