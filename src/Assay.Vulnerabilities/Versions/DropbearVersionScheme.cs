namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// Dropbear SSH: <c>YEAR.RELEASE</c> since 2011 (<c>2011.54</c> .. <c>2019.78</c> .. <c>2024.86</c>),
/// <c>0.NN</c> before (<c>0.52</c>), with test releases spelled <c>0.44test3</c> that sort before
/// their release. Prefixes <c>dropbear</c>, <c>dropbear_</c> and <c>v</c> are dropped. Numeric parts
/// compare as numbers (<c>2013.9 &lt; 2013.58</c>); missing parts count as zero.
/// Reference: https://matt.ucc.asn.au/dropbear/CHANGES.
/// </summary>
public sealed class DropbearVersionScheme : IVersionScheme
{
    public static DropbearVersionScheme Instance { get; } = new();

    public string Id => "dropbear";

    public string Description => "Dropbear: YEAR.RELEASE (2019.78), 0.NN before 2011, testN before release";

    public IReadOnlyList<string> Limitations { get; } = ["text after the number other than testN is compared with the generic scheme as a last resort"];

    public int Compare(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        var c = VersionKeys.ComparePadded(a.Numbers, b.Numbers);
        if (c != 0) return c;
        c = a.Rank.CompareTo(b.Rank);
        if (c != 0) return c;
        c = VersionText.CompareDigits(a.PreNumber, b.PreNumber);
        if (c != 0) return c;
        return GenericVersionScheme.Instance.Compare(a.Tail, b.Tail);
    }

    private static (string[] Numbers, int Rank, string PreNumber, string Tail) Parse(string version)
    {
        var s = version.Trim().ToLowerInvariant();
        if (s.StartsWith("dropbear", StringComparison.Ordinal))
            s = s[8..].TrimStart('-', '_', ' ');
        s = s.TrimStart('v');
        var numbers = VersionKeys.LeadingNumbers(s, out var end);
        var suffix = s[end..];
        var (rank, pre) = VersionKeys.PreRelease(suffix, ["test", "rc"]);
        return (numbers, rank, pre, rank == VersionKeys.ReleaseRank ? suffix : "");
    }
}
