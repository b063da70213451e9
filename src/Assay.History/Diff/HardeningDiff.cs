using System.Globalization;
using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// Hardening of every binary present in both releases (matched as files are,
/// <see cref="ReleaseMatch"/>), property by property, each one ordered from weak to strong: PIE, NX,
/// RELRO (none &lt; partial &lt; full), stack canary, FORTIFY_SOURCE, CET/BTI (count of the
/// control-flow features), W+X segments, text relocations, RPATH/RUNPATH present, and the number
/// of distinct unsafe C functions called. Unknown values (a canary in a stripped static binary)
/// compare with nothing. A new binary's weaknesses are new findings, not regressions.
/// </summary>
internal static class HardeningDiff
{
    public static HardeningChanges Compare(Evaluation old, Evaluation @new, ReleaseMatch match)
    {
        var before = SummaryTables.Hardening(old).GroupBy(r => match.OldIdentity(r.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var after = SummaryTables.Hardening(@new).GroupBy(r => match.NewIdentity(r.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var unsafeBefore = SummaryTables.Unsafe(old)?.GroupBy(r => match.OldIdentity(r.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Functions, StringComparer.Ordinal);
        var unsafeAfter = SummaryTables.Unsafe(@new)?.GroupBy(r => match.NewIdentity(r.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Functions, StringComparer.Ordinal);

        var worse = new List<HardeningChange>();
        var better = new List<HardeningChange>();
        foreach (var (id, n) in after)
        {
            if (!before.TryGetValue(id, out var o))
                continue;
            var path = match.NewTree.InTreePath(n.Path);
            Compare(path, "pie", Flag(o.Pie), Flag(n.Pie), Rank(o.Pie), Rank(n.Pie));
            Compare(path, "nx", Flag(o.Nx), Flag(n.Nx), Rank(o.Nx), Rank(n.Nx));
            Compare(path, "relro", o.Relro, n.Relro, RelroRank(o.Relro), RelroRank(n.Relro));
            Compare(path, "canary", Flag(o.Canary), Flag(n.Canary), Rank(o.Canary), Rank(n.Canary));
            Compare(path, "fortify", o.Fortify, n.Fortify, FortifyRank(o.Fortify), FortifyRank(n.Fortify));
            Compare(path, "cet", o.ControlFlow ?? "n/a", n.ControlFlow ?? "n/a", ControlFlowRank(o.ControlFlow), ControlFlowRank(n.ControlFlow));
            Compare(path, "wx", Flag(o.Wx), Flag(n.Wx), Rank(!o.Wx), Rank(!n.Wx));
            Compare(path, "textrel", Flag(o.TextRel), Flag(n.TextRel), Rank(!o.TextRel), Rank(!n.TextRel));
            Compare(path, "rpath", Paths(o.Rpath), Paths(n.Rpath), Rank(o.Rpath.Count == 0), Rank(n.Rpath.Count == 0));
            if (unsafeBefore is not null && unsafeAfter is not null && n.Type is "exec" or "dyn")
            {
                var was = unsafeBefore.GetValueOrDefault(id) ?? [];
                var now = unsafeAfter.GetValueOrDefault(id) ?? [];
                if (now.Count > was.Count)
                    worse.Add(Unsafe(path, was, now, now.Except(was, StringComparer.Ordinal)));
                else if (now.Count < was.Count)
                    better.Add(Unsafe(path, was, now, was.Except(now, StringComparer.Ordinal)));
            }
        }
        return new HardeningChanges
        {
            Regressions = [.. worse.OrderBy(c => c.Path, StringComparer.Ordinal).ThenBy(c => c.Property, StringComparer.Ordinal)],
            Improvements = [.. better.OrderBy(c => c.Path, StringComparer.Ordinal).ThenBy(c => c.Property, StringComparer.Ordinal)],
        };

        void Compare(string path, string property, string from, string to, int? fromRank, int? toRank)
        {
            if (fromRank is not { } a || toRank is not { } b || a == b)
                return;
            (b < a ? worse : better).Add(new HardeningChange(path, property, from, to));
        }
    }

    private static HardeningChange Unsafe(string path, IReadOnlyList<string> was, IReadOnlyList<string> now, IEnumerable<string> functions) =>
        new(path, "unsafe-calls", was.Count.ToString(CultureInfo.InvariantCulture), now.Count.ToString(CultureInfo.InvariantCulture))
        {
            Functions = [.. functions.Order(StringComparer.Ordinal)],
        };

    private static string Flag(bool? value) => value switch { true => "yes", false => "no", null => "unknown" };

    private static int? Rank(bool? good) => good switch { true => 1, false => 0, null => null };

    private static int? RelroRank(string relro) => relro switch { "none" => 0, "partial" => 1, "full" => 2, _ => null };

    private static int? FortifyRank(string fortify) => fortify switch { "unfortified" => 0, "fortified" => 1, _ => null };

    /// <summary>How many control-flow features the notes declare (<c>ibt+shstk</c> = 2); null where the architecture has none.</summary>
    private static int? ControlFlowRank(string? controlFlow) => controlFlow switch
    {
        null => null,
        "none" => 0,
        _ => controlFlow.Split('+').Length,
    };

    private static string Paths(IReadOnlyList<string> paths) => paths.Count == 0 ? "none" : string.Join(":", paths);
}
