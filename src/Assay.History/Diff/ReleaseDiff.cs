using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// The release diff: what changed from one evaluation to the next. A pure function of the two
/// evaluations (fresh from <c>ScanEngine</c> or read back with <see cref="EvaluationDocument.Read(string)"/>);
/// <c>assay diff</c> and the service's compare endpoint both call it.
/// </summary>
public static class ReleaseDiff
{
    /// <summary>Compares <paramref name="old"/> with <paramref name="new"/>.</summary>
    public static ReleaseDiffResult Compare(Evaluation old, Evaluation @new)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(@new);
        old = FindingFingerprints.Assign(old);
        @new = FindingFingerprints.Assign(@new);
        var match = new ReleaseMatch(old, @new);
        return new ReleaseDiffResult
        {
            Old = Input(old),
            New = Input(@new),
            Components = ComponentDiff.Compare(old, @new, match),
            Vulnerabilities = VulnerabilityDiff.Compare(old, @new),
            Findings = FindingDiff.Compare(old, @new, match),
            Files = FileDiff.Compare(match),
            Hardening = HardeningDiff.Compare(old, @new, match),
            Ts33117 = RequirementDiff.Compare(old, @new),
        };
    }

    /// <summary>
    /// What is new and at least <paramref name="threshold"/> severe: new findings, findings whose
    /// severity rose to it, introduced vulnerabilities that no VEX statement sets aside. The count
    /// behind <c>--fail-on-new</c>.
    /// </summary>
    public static int CountNewAtOrAbove(ReleaseDiffResult diff, Severity threshold)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return diff.Findings.New.Count(f => f.Severity >= threshold)
            + diff.Findings.Updated.Count(f => f.Severity >= threshold && f.Was < threshold)
            + diff.Vulnerabilities.Introduced.Count(v => v.Severity >= threshold && !v.Suppressed);
    }

    private static DiffInput Input(Evaluation e) => new(e.Input.Path, e.Input.Size, e.Input.Sha256, e.Tool.Version)
    {
        Findings = e.Findings.Count,
        Components = e.Components.Count,
        Files = e.Files.Count,
        Errors = e.Errors.Count,
    };
}
