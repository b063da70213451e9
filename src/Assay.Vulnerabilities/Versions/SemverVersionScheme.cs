namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// Semantic Versioning 2.0.0 precedence (https://semver.org/#spec-item-11): numeric core compared
/// numerically, a pre-release (<c>-alpha.1</c>) before its release, pre-release identifiers
/// compared one by one (numeric ones numerically and before alphanumeric ones, a shorter list
/// first), build metadata (<c>+build</c>) ignored. Read leniently as real feeds need: a leading
/// <c>v</c> is dropped, missing core parts count as zero (<c>1.2 = 1.2.0</c>), more than three
/// core parts are compared too, and text glued to the core (<c>1.2.3a</c>) is compared with the
/// generic scheme after everything else.
/// </summary>
public sealed class SemverVersionScheme : IVersionScheme
{
    public static SemverVersionScheme Instance { get; } = new();

    public string Id => "semver";

    public string Description => "Semantic Versioning 2.0.0 precedence, read leniently (v prefix, 1.2 = 1.2.0)";

    public IReadOnlyList<string> Limitations { get; } = ["build metadata is ignored, so 1.0.0+a equals 1.0.0+b"];

    public int Compare(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        var c = VersionKeys.ComparePadded(a.Core, b.Core);
        if (c != 0) return c;
        c = GenericVersionScheme.Instance.Compare(a.Glued, b.Glued);
        if (c != 0) return c;
        if (a.Pre is null || b.Pre is null)
            return a.Pre is null ? (b.Pre is null ? 0 : 1) : -1;
        var n = Math.Min(a.Pre.Length, b.Pre.Length);
        for (var i = 0; i < n; i++)
        {
            c = CompareIdentifier(a.Pre[i], b.Pre[i]);
            if (c != 0) return c;
        }
        return a.Pre.Length.CompareTo(b.Pre.Length);
    }

    private static int CompareIdentifier(string x, string y)
    {
        var xn = x.Length > 0 && x.All(VersionText.IsAsciiDigit);
        var yn = y.Length > 0 && y.All(VersionText.IsAsciiDigit);
        if (xn && yn) return VersionText.CompareDigits(x, y);
        if (xn != yn) return xn ? -1 : 1;
        return Math.Sign(string.CompareOrdinal(x, y));
    }

    private static (string[] Core, string Glued, string[]? Pre) Parse(string version)
    {
        var s = version.Trim();
        if (s.StartsWith('v') || s.StartsWith('V'))
            s = s[1..];
        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
            s = s[..plus];
        var core = VersionKeys.LeadingNumbers(s, out var end);
        var tail = s[end..];
        var dash = tail.IndexOf('-', StringComparison.Ordinal);
        var glued = dash < 0 ? tail : tail[..dash];
        string[]? pre = dash < 0 ? null : tail[(dash + 1)..].Split('.');
        return (core, glued, pre);
    }
}
