using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// Findings matched by fingerprint (<see cref="FindingFingerprints"/>): <c>new</c> only in the new
/// release, <c>fixed</c> only in the old one, <c>updated</c> on both with another severity,
/// <c>unchanged</c> otherwise. A finding on a file that moved (<see cref="ReleaseMatch"/>) is
/// matched once more with the old finding's fingerprint recomputed at the file's new place.
/// </summary>
internal static class FindingDiff
{
    public static FindingChanges Compare(Evaluation old, Evaluation @new, ReleaseMatch match)
    {
        var before = old.Findings.GroupBy(f => f.Fingerprint!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var after = @new.Findings.GroupBy(f => f.Fingerprint!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var pairs = new List<(Finding Old, Finding New)>();
        foreach (var (fp, f) in after)
        {
            if (before.TryGetValue(fp, out var was))
                pairs.Add((was, f));
        }
        var onlyOld = before.Where(b => !after.ContainsKey(b.Key)).Select(b => b.Value).ToList();
        var onlyNew = after.Where(a => !before.ContainsKey(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

        // Findings of moved files: the old finding as it would be fingerprinted where the file is now.
        var fixedOnes = new List<Finding>();
        foreach (var f in onlyOld)
        {
            var relocated = FindingFingerprints.Compute(f.RuleId, match.OldIdentity(f.Path), FindingFingerprints.StableEvidence(f));
            if (relocated != f.Fingerprint && onlyNew.Remove(relocated, out var now))
                pairs.Add((f, now));
            else
                fixedOnes.Add(f);
        }

        var newOnes = onlyNew.Values.ToList();
        var updated = pairs.Where(p => p.Old.Severity != p.New.Severity).ToList();
        var unchanged = pairs.Where(p => p.Old.Severity == p.New.Severity).Select(p => p.New).ToList();
        var bySeverity = new SortedDictionary<string, SeverityCounts>(StringComparer.Ordinal);
        foreach (var severity in Enum.GetValues<Severity>().Where(s => s != Severity.None))
            bySeverity[severity.ToString().ToLowerInvariant()] = new SeverityCounts(newOnes.Count(f => f.Severity == severity), fixedOnes.Count(f => f.Severity == severity));

        return new FindingChanges
        {
            New = Sorted(newOnes.Select(f => Ref(f, match.NewTree))),
            Fixed = Sorted(fixedOnes.Select(f => Ref(f, match.OldTree))),
            Updated = Sorted(updated.Select(p => Ref(p.New, match.NewTree) with { Was = p.Old.Severity })),
            Unchanged = unchanged.Count,
            BySeverity = bySeverity,
            UnchangedFindings = Sorted(unchanged.Select(f => Ref(f, match.NewTree))),
        };
    }

    private static FindingRef Ref(Finding f, DeliveryTree tree) =>
        new(f.RuleId, f.Severity, tree.InTreePath(f.Path), f.Fingerprint!) { Title = f.Title, Line = f.Line, Evidence = f.Evidence, Finding = f };

    private static List<FindingRef> Sorted(IEnumerable<FindingRef> items) =>
        [.. items.OrderByDescending(f => f.Severity).ThenBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line ?? 0).ThenBy(f => f.Fingerprint, StringComparer.Ordinal)];
}
