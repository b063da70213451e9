using System.Globalization;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// Semantic versions and the constraint syntax of Masterminds/semver that Helm's
/// <c>semverCompare</c> uses: comparisons (<c>= != &gt; &lt; &gt;= &lt;=</c>), tilde and caret
/// ranges, x wildcards, comma or space for AND, <c>||</c> for OR. Prereleases order below their
/// release (<c>1.19.0-0 &lt; 1.19.0</c>), which is why charts write <c>&gt;=1.19-0</c>.
/// </summary>
internal static class SemverConstraint
{
    public sealed record Version(long Major, long Minor, long Patch, string Pre) : IComparable<Version>
    {
        public int CompareTo(Version? other)
        {
            if (other is null)
                return 1;
            var c = Major.CompareTo(other.Major);
            if (c == 0)
                c = Minor.CompareTo(other.Minor);
            if (c == 0)
                c = Patch.CompareTo(other.Patch);
            if (c != 0)
                return c;
            if (Pre.Length == 0 || other.Pre.Length == 0)
                return (Pre.Length == 0 ? 1 : 0) - (other.Pre.Length == 0 ? 1 : 0);
            return ComparePre(Pre, other.Pre);
        }

        private static int ComparePre(string a, string b)
        {
            var x = a.Split('.');
            var y = b.Split('.');
            for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                var xn = long.TryParse(x[i], NumberStyles.None, CultureInfo.InvariantCulture, out var xv);
                var yn = long.TryParse(y[i], NumberStyles.None, CultureInfo.InvariantCulture, out var yv);
                var c = xn && yn ? xv.CompareTo(yv) : xn ? -1 : yn ? 1 : string.CompareOrdinal(x[i], y[i]);
                if (c != 0)
                    return c;
            }
            return x.Length.CompareTo(y.Length);
        }
    }

    /// <summary><c>v1.30.2-gke.1+build</c> → 1.30.2-gke.1; missing minor/patch are 0; null when not a version.</summary>
    public static Version? Parse(string text) => ParseParts(text, out _);

    private static Version? ParseParts(string text, out int given)
    {
        given = 0;
        var t = text.Trim().TrimStart('v', 'V');
        var plus = t.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
            t = t[..plus];
        var dash = t.IndexOf('-', StringComparison.Ordinal);
        var pre = dash >= 0 ? t[(dash + 1)..] : "";
        var core = (dash >= 0 ? t[..dash] : t).Split('.');
        if (core.Length is 0 or > 3)
            return null;
        var numbers = new long[3];
        for (var i = 0; i < core.Length; i++)
        {
            if (core[i] is "x" or "X" or "*")
                break;
            if (!long.TryParse(core[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                return null;
            given = i + 1;
        }
        return new Version(numbers[0], numbers[1], numbers[2], pre);
    }

    /// <summary>Whether <paramref name="version"/> meets <paramref name="constraint"/>; false when either does not parse.</summary>
    public static bool Satisfies(string constraint, string version)
    {
        var v = Parse(version);
        if (v is null)
            return false;
        foreach (var alternative in constraint.Split("||"))
        {
            var terms = alternative.Replace(",", " ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "> = 1.2" with spaces after the operator: join operator-only terms with the next one
            var joined = new List<string>();
            foreach (var term in terms)
            {
                if (joined.Count > 0 && joined[^1].All(c => c is '<' or '>' or '=' or '!' or '~' or '^'))
                    joined[^1] += term;
                else
                    joined.Add(term);
            }
            if (joined.Count > 0 && joined.All(t => Term(t, v)))
                return true;
        }
        return false;
    }

    private static bool Term(string term, Version v)
    {
        var op = new string([.. term.TakeWhile(c => c is '<' or '>' or '=' or '!' or '~' or '^')]);
        var c = ParseParts(term[op.Length..], out var given);
        if (c is null)
            return false;
        // A constraint without a prerelease does not match prerelease versions (Masterminds rule),
        // unless it is itself a prerelease bound.
        if (v.Pre.Length > 0 && c.Pre.Length == 0)
            return false;
        switch (op)
        {
            case "" or "=" or "==":
                return given == 3 ? v.CompareTo(c) == 0 : WithinWildcard(v, c, given);
            case "!=": return v.CompareTo(c) != 0;
            case ">": return v.CompareTo(c) > 0;
            case "<": return v.CompareTo(c) < 0;
            case ">=" or "=>": return v.CompareTo(c) >= 0;
            case "<=" or "=<": return v.CompareTo(c) <= 0;
            case "~" or "~>":
                return v.CompareTo(c) >= 0 && (given <= 1 ? v.Major == c.Major : v.Major == c.Major && v.Minor == c.Minor);
            case "^":
                return v.CompareTo(c) >= 0 && (c.Major > 0 || given == 1 ? v.Major == c.Major : c.Minor > 0 || given == 2 ? v.Major == 0 && v.Minor == c.Minor : v.Minor == 0 && v.Patch == c.Patch);
            default:
                return false;
        }
    }

    private static bool WithinWildcard(Version v, Version c, int given) => given switch
    {
        0 => true,
        1 => v.Major == c.Major,
        _ => v.Major == c.Major && v.Minor == c.Minor,
    };
}
