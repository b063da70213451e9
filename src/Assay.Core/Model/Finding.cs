namespace Assay.Core.Model;

/// <summary>Severity of a finding or vulnerability, ordered so that comparison means "at least as bad".</summary>
public enum Severity
{
    None = 0,
    Info = 1,
    Low = 2,
    Medium = 3,
    High = 4,
    Critical = 5,
}

/// <summary>A security finding of an analyzer (not a known vulnerability).</summary>
public sealed record Finding
{
    /// <summary>Stable rule id, e.g. <c>ASSAY-ELF-NX</c>.</summary>
    public required string RuleId { get; init; }

    /// <summary>Category used for grouping and evaluation: hardening, unsafe-function, secret, password, certificate, configuration, permissions, service, tooling.</summary>
    public required string Category { get; init; }

    public required Severity Severity { get; init; }
    public required string Title { get; init; }

    /// <summary>Virtual path of the file concerned.</summary>
    public required string Path { get; init; }

    public int? Line { get; init; }
    public long? Offset { get; init; }

    /// <summary>What was seen, with secrets masked: never a whole secret.</summary>
    public string? Evidence { get; init; }

    /// <summary>Fingerprint of a secret (SHA-256 of the key or hash, or OpenSSH's <c>SHA256:</c> form), to correlate without disclosure.</summary>
    public string? SecretFingerprint { get; init; }

    /// <summary>
    /// Stable identity of the finding across scans and releases (<see cref="FindingFingerprints"/>):
    /// 32 hex digits from the rule, the in-tree path (<see cref="DeliveryTree"/>) and the evidence
    /// that does not change. Triage and release diffs are keyed on it.
    /// </summary>
    public string? Fingerprint { get; init; }

    public string? Remediation { get; init; }

    /// <summary>Standard references: <c>TS 33.117 §4.3.2.1</c>, CWE ids, URLs.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>TS 33.117 requirement sections this finding fails, e.g. <c>4.2.3.4.1.1</c>.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];
}
