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
    public IReadOnlyList<ScanError> Errors { get; init; } = [];

    /// <summary>The summary tables (components, hardening, TS 33.117, unsafe functions), one typed section each.</summary>
    public EvaluationSummaries Summaries { get; init; } = EvaluationSummaries.None;
}

public sealed record ToolInfo(string Name, string Version);

public sealed record InputInfo(string Path, long Size, string Sha256);
