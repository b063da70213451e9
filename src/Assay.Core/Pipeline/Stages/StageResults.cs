using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// What <see cref="IdentifyStage"/> learned about the input: its name, size and SHA-256, its file
/// type and the format it opens as. Serializable: a server stores it and resumes from it.
/// </summary>
public sealed record IdentifyResult
{
    public required InputInfo Input { get; init; }

    /// <summary>The root of every virtual path (the input's file name).</summary>
    public required string RootName { get; init; }

    /// <summary>Format id at offset 0, when one matched.</summary>
    public string? Format { get; init; }

    /// <summary>What was recognised (<c>gzip, original name "rootfs.tar"</c>), or the file type.</summary>
    public string? Description { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>
/// The unpacked tree (<see cref="UnpackStage"/>): every entry, the format tree of chunks and
/// gaps, and what could not be unpacked. Lists in evaluation order.
/// </summary>
public sealed record UnpackResult
{
    public IReadOnlyList<FileRecord> Files { get; init; } = [];
    public IReadOnlyList<ChunkRecord> Chunks { get; init; } = [];
    public IReadOnlyList<ScanError> Errors { get; init; } = [];
}

/// <summary>
/// What a group of inspectors (<see cref="InspectStage"/>: the catalogers, the analyzers) reported
/// about the tree: components, findings, errors and summary sections. Lists in evaluation order.
/// </summary>
public sealed record InspectResult
{
    /// <summary>Ids of the inspectors that ran.</summary>
    public IReadOnlyList<string> Inspectors { get; init; } = [];
    public IReadOnlyList<Component> Components { get; init; } = [];
    public IReadOnlyList<Finding> Findings { get; init; } = [];
    public IReadOnlyList<ScanError> Errors { get; init; } = [];

    /// <summary>Rule id -> files the rule examined, fired or not (<see cref="Evaluation.RuleChecks"/>).</summary>
    public IReadOnlyDictionary<string, long> RuleChecks { get; init; } = new SortedDictionary<string, long>(StringComparer.Ordinal);
    public EvaluationSummaries Summaries { get; init; } = EvaluationSummaries.None;
}
