using System.Text.Json.Serialization;
using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// What changed from one release's evaluation to the next (<see cref="ReleaseDiff.Compare"/>).
/// Serialized as the diff document (<c>assay diff -f json</c>); its shape is a contract:
/// <c>{components:{added,removed,changed}, vulnerabilities:{introduced,resolved,open},
/// findings:{new,fixed,unchanged}, files:{added,removed,changed}, hardening:{regressions,improvements}}</c>
/// plus the inputs and the TS 33.117 table's changes. Every path is an in-tree path
/// (<see cref="DeliveryTree.InTreePath"/>) of the release it is found in (the new one for what
/// both have). Lists are sorted.
/// </summary>
public sealed record ReleaseDiffResult
{
    /// <summary>Identifier of the document shape.</summary>
    public const string SchemaId = "https://assay.dev/schemas/release-diff/1.0";

    public string Schema { get; init; } = SchemaId;
    public required DiffInput Old { get; init; }
    public required DiffInput New { get; init; }
    public required ComponentChanges Components { get; init; }
    public required VulnerabilityChanges Vulnerabilities { get; init; }
    public required FindingChanges Findings { get; init; }
    public required FileChanges Files { get; init; }
    public required HardeningChanges Hardening { get; init; }
    public required RequirementChanges Ts33117 { get; init; }
}

/// <summary>One side of the diff: the scanned input and the scan.</summary>
public sealed record DiffInput(string Path, long Size, string Sha256, string ToolVersion)
{
    /// <summary>Findings, components and files of this side, for the terminal summary.</summary>
    public int Findings { get; init; }
    public int Components { get; init; }
    public int Files { get; init; }

    /// <summary>Scan errors of this side: a side with errors may be incomplete, so what looks removed may only be unread.</summary>
    public int Errors { get; init; }
}

/// <summary>Components by name: added and removed versions, and versions that changed at the same place.</summary>
public sealed record ComponentChanges
{
    public IReadOnlyList<ComponentVersion> Added { get; init; } = [];
    public IReadOnlyList<ComponentVersion> Removed { get; init; } = [];
    public IReadOnlyList<ComponentChange> Changed { get; init; } = [];
}

/// <summary>A component version present on one side only, with its copies (locations).</summary>
public sealed record ComponentVersion(string Name, string Version)
{
    public int Copies { get; init; } = 1;
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>A component whose version changed at the same places (copies).</summary>
public sealed record ComponentChange(string Name, string From, string To)
{
    public int Copies { get; init; } = 1;
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>Known vulnerabilities per component: only in the new release, only in the old one, in both.</summary>
public sealed record VulnerabilityChanges
{
    public IReadOnlyList<VulnerabilityChange> Introduced { get; init; } = [];
    public IReadOnlyList<VulnerabilityChange> Resolved { get; init; } = [];
    public IReadOnlyList<VulnerabilityChange> Open { get; init; } = [];
}

/// <summary>One advisory on one component (all its copies together).</summary>
public sealed record VulnerabilityChange(string Id, string Component, Severity Severity)
{
    /// <summary>Versions of the component that carry it, on the side it is reported for (the new one for open).</summary>
    public IReadOnlyList<string> Versions { get; init; } = [];
    public double? CvssV31Score { get; init; }

    /// <summary>VEX state on the new side (old side for resolved); <c>not_affected</c> and <c>fixed</c> do not gate.</summary>
    public string? VexState { get; init; }
    public int Copies { get; init; } = 1;

    /// <summary>True when a VEX statement says it does not apply: it is listed but does not count for <c>--fail-on-new</c>.</summary>
    [JsonIgnore]
    public bool Suppressed => VexState is "not_affected" or "fixed";
}

/// <summary>Findings matched by fingerprint.</summary>
public sealed record FindingChanges
{
    public IReadOnlyList<FindingRef> New { get; init; } = [];
    public IReadOnlyList<FindingRef> Fixed { get; init; } = [];

    /// <summary>Same fingerprint, other severity (a rule's severity depends on the evidence, e.g. a WEP key).</summary>
    public IReadOnlyList<FindingRef> Updated { get; init; } = [];
    public int Unchanged { get; init; }

    /// <summary>New and fixed counts per severity (lower-case names, every severity listed).</summary>
    public required IReadOnlyDictionary<string, SeverityCounts> BySeverity { get; init; }

    /// <summary>The unchanged findings themselves (new side), for SARIF's <c>baselineState: unchanged</c>; not in the JSON document.</summary>
    [JsonIgnore]
    public IReadOnlyList<FindingRef> UnchangedFindings { get; init; } = [];
}

/// <summary>New and fixed findings of one severity.</summary>
public sealed record SeverityCounts(int New, int Fixed);

/// <summary>A finding in the diff: the contract's <c>{ruleId, severity, path, fingerprint}</c> and what a reader needs beside it.</summary>
public sealed record FindingRef(string RuleId, Severity Severity, string Path, string Fingerprint)
{
    public required string Title { get; init; }
    public int? Line { get; init; }
    public string? Evidence { get; init; }

    /// <summary>For <see cref="FindingChanges.Updated"/>: the old severity.</summary>
    public Severity? Was { get; init; }

    /// <summary>The finding as the evaluation has it (virtual path, references), for SARIF; not in the JSON document.</summary>
    [JsonIgnore]
    public Finding Finding { get; init; } = null!;
}

/// <summary>Entries of the unpacked trees: added, removed, changed (content, mode, owner, kind, link target; mtime alone is not a change).</summary>
public sealed record FileChanges
{
    public IReadOnlyList<FileEntry> Added { get; init; } = [];
    public IReadOnlyList<FileEntry> Removed { get; init; } = [];
    public IReadOnlyList<FileChange> Changed { get; init; } = [];

    /// <summary>Entries present on both sides with nothing changed.</summary>
    public int Unchanged { get; init; }
}

/// <summary>An entry present on one side only.</summary>
public sealed record FileEntry(string Path)
{
    public required string Kind { get; init; }
    public long? Size { get; init; }

    /// <summary>The format the entry was unpacked as, when it is a container (its own content is listed below it).</summary>
    public string? Container { get; init; }
}

/// <summary>An entry on both sides that changed. <see cref="What"/> lists the aspects: <c>content</c>, <c>mode</c>, <c>owner</c>, <c>kind</c>, <c>target</c>, <c>moved</c>.</summary>
public sealed record FileChange(string Path, string What)
{
    /// <summary>The old in-tree path when it differs (a renamed container, a moved binary).</summary>
    public string? OldPath { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Container { get; init; }
}

/// <summary>Hardening of binaries present on both sides: each property that got worse or better.</summary>
public sealed record HardeningChanges
{
    public IReadOnlyList<HardeningChange> Regressions { get; init; } = [];
    public IReadOnlyList<HardeningChange> Improvements { get; init; } = [];
}

/// <summary>One property of one binary: <c>pie</c>, <c>nx</c>, <c>relro</c>, <c>canary</c>, <c>fortify</c>, <c>cet</c> (CET/BTI), <c>wx</c>, <c>textrel</c>, <c>rpath</c>, <c>unsafe-calls</c>.</summary>
public sealed record HardeningChange(string Path, string Property, string From, string To)
{
    /// <summary>For <c>unsafe-calls</c>: the functions called now and not before (or the reverse for an improvement).</summary>
    public IReadOnlyList<string> Functions { get; init; } = [];
}

/// <summary>TS 33.117 requirements whose status changed (pass ⇄ fail; not-testable ones do not change).</summary>
public sealed record RequirementChanges
{
    public IReadOnlyList<RequirementChange> Regressions { get; init; } = [];
    public IReadOnlyList<RequirementChange> Improvements { get; init; } = [];
}

/// <summary>One requirement: its section, title and status on each side.</summary>
public sealed record RequirementChange(string Section, string Title, string From, string To);
