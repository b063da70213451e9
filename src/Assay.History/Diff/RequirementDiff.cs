using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// The TS 33.117 table (<c>ts33117</c> summary) of both releases: a requirement that went from
/// <c>pass</c> to <c>fail</c> regressed, the reverse improved. <c>not-testable</c> never changes
/// (it depends on the rule catalog, not the image); a requirement only one side has is left out.
/// </summary>
internal static class RequirementDiff
{
    private const string Pass = "pass";
    private const string Fail = "fail";

    public static RequirementChanges Compare(Evaluation old, Evaluation @new)
    {
        var before = SummaryTables.Requirements(old).GroupBy(r => r.Section, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var worse = new List<RequirementChange>();
        var better = new List<RequirementChange>();
        foreach (var now in SummaryTables.Requirements(@new))
        {
            if (!before.TryGetValue(now.Section, out var was) || was.Status == now.Status)
                continue;
            var change = new RequirementChange(now.Section, now.Title, was.Status, now.Status);
            if (was.Status == Pass && now.Status == Fail)
                worse.Add(change);
            else if (was.Status == Fail && now.Status == Pass)
                better.Add(change);
        }
        return new RequirementChanges
        {
            Regressions = [.. worse.OrderBy(c => c.Section, SectionOrder.Instance)],
            Improvements = [.. better.OrderBy(c => c.Section, SectionOrder.Instance)],
        };
    }

    /// <summary>Clause numbers in numeric order (4.2.10 after 4.2.9).</summary>
    private sealed class SectionOrder : IComparer<string>
    {
        public static readonly SectionOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('.');
            var b = (y ?? "").Split('.');
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                var c = int.TryParse(a[i], out var p) && int.TryParse(b[i], out var q) ? p.CompareTo(q) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0)
                    return c;
            }
            return a.Length.CompareTo(b.Length);
        }
    }
}
