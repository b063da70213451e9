namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// OpenSSL release numbering. Up to 1.1.1 a release is <c>MAJOR.MINOR.FIX</c> plus a letter
/// patch level (<c>1.0.1</c>, <c>1.0.1a</c> .. <c>1.0.1z</c>, then <c>1.0.1za</c> ..); letter
/// levels sort by length first, then alphabetically, so <c>1.1.1z &lt; 1.1.1za &lt; 1.1.1zb</c>.
/// From 3.0 the numbering is <c>MAJOR.MINOR.PATCH</c>. Pre-releases (<c>-dev</c>, <c>-alpha N</c>,
/// <c>-beta N</c>, <c>-pre N</c>) sort before their release: <c>3.0.0-alpha17 &lt; 3.0.0-beta1 &lt; 3.0.0</c>.
/// Missing numeric parts count as zero (<c>3.0 = 3.0.0</c>). Git tag spellings
/// (<c>OpenSSL_1_0_1f</c>) are read too.
/// Reference: https://www.openssl.org/policies/releasestrat.html and the release tags.
/// </summary>
public sealed class OpenSslVersionScheme : IVersionScheme
{
    public static OpenSslVersionScheme Instance { get; } = new();

    public string Id => "openssl";

    public string Description => "OpenSSL: numeric parts, letter patch level (z < za), pre-releases before release";

    public IReadOnlyList<string> Limitations { get; } =
    [
        "other suffixes after '-' (e.g. -fips, distribution revisions) are ignored",
    ];

    public int Compare(string left, string right)
    {
        var a = Key.Parse(left);
        var b = Key.Parse(right);
        var c = VersionKeys.ComparePadded(a.Numbers, b.Numbers);
        if (c != 0) return c;
        c = a.Letters.Length.CompareTo(b.Letters.Length);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Letters, b.Letters);
        if (c != 0) return Math.Sign(c);
        c = a.PreRank.CompareTo(b.PreRank);
        if (c != 0) return c;
        c = VersionText.CompareDigits(a.PreNumber, b.PreNumber);
        if (c != 0) return c;
        return GenericVersionScheme.Instance.Compare(a.Rest, b.Rest);
    }

    private readonly record struct Key(string[] Numbers, string Letters, int PreRank, string PreNumber, string Rest)
    {
        public static Key Parse(string version)
        {
            var s = version.Trim().ToLowerInvariant();
            if (s.StartsWith("openssl", StringComparison.Ordinal))
                s = s[7..].TrimStart('-', '_', ' ');
            if (!s.Contains('.') && s.Contains('_'))
                s = s.Replace('_', '.');
            var dash = s.IndexOf('-', StringComparison.Ordinal);
            var main = dash < 0 ? s : s[..dash];
            var suffix = dash < 0 ? "" : s[(dash + 1)..];

            var numbers = VersionKeys.LeadingNumbers(main, out var pos);
            var start = pos;
            while (pos < main.Length && main[pos] is >= 'a' and <= 'z') pos++;
            var letters = main[start..pos];
            var rest = main[pos..];

            var (rank, preNumber) = VersionKeys.PreRelease(suffix, ["dev", "alpha", "beta", "pre"]);
            return new Key(numbers, letters, rank, preNumber, rest);
        }
    }
}
