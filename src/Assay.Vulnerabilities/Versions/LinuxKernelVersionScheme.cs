namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// Linux kernel releases: <c>MAJOR.MINOR[.STABLE[.EXTRA]]</c> (<c>2.6.32.27</c>, <c>4.8.2</c>,
/// <c>6.6.54</c>); <c>-rcN</c> release candidates sort before their release
/// (<c>6.6-rc7 &lt; 6.6 = 6.6.0 &lt; 6.6.1</c>). A local version or distribution build suffix
/// (<c>-generic</c>, <c>-21-amd64</c>, <c>.el7.x86_64</c>, <c>+</c>) is ignored, since it says nothing
/// about the upstream base. Prefixes <c>linux-</c> and <c>v</c> are dropped.
/// Reference: https://www.kernel.org/category/releases.html.
/// </summary>
public sealed class LinuxKernelVersionScheme : IVersionScheme
{
    public static LinuxKernelVersionScheme Instance { get; } = new();

    public string Id => "linux-kernel";

    public string Description => "Linux kernel: numeric parts, -rcN before release, local/distribution suffixes ignored";

    public IReadOnlyList<string> Limitations { get; } =
    [
        "distribution kernels (3.10.0-1160.el7) compare as their upstream base: back-ported fixes are not seen",
    ];

    public int Compare(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        var c = VersionKeys.ComparePadded(a.Numbers, b.Numbers);
        if (c != 0) return c;
        c = a.Rank.CompareTo(b.Rank);
        if (c != 0) return c;
        return VersionText.CompareDigits(a.Rc, b.Rc);
    }

    private static (string[] Numbers, int Rank, string Rc) Parse(string version)
    {
        var s = version.Trim().ToLowerInvariant();
        if (s.StartsWith("linux", StringComparison.Ordinal))
            s = s[5..].TrimStart('-', '_', ' ');
        s = s.TrimStart('v');
        var numbers = VersionKeys.LeadingNumbers(s, out var end);
        var (rank, rc) = VersionKeys.PreRelease(s[end..], ["rc"]);
        return (numbers, rank, rc);
    }
}
