namespace Assay.Catalog.Identifiers;

/// <summary>
/// A version order good enough to pick the oldest of a component's copies: digit runs compare
/// as numbers, other runs as ordinal text, a version that runs out first is older
/// (<c>0.9.8</c> &lt; <c>1.0.2k</c> &lt; <c>1.1.1d</c> &lt; <c>1.1.1t</c> &lt; <c>3.0.2</c>). Not a
/// replacement for the per-ecosystem schemes of the vulnerability matcher.
/// </summary>
public sealed class VersionOrder : IComparer<string>
{
    public static VersionOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var si = i;
                var sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                    i++;
                while (j < y.Length && char.IsAsciiDigit(y[j]))
                    j++;
                var a = x[si..i].TrimStart('0');
                var b = y[sj..j].TrimStart('0');
                var c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                if (c != 0)
                    return c;
            }
            else
            {
                var c = x[i].CompareTo(y[j]);
                if (c != 0)
                    return c;
                i++;
                j++;
            }
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
