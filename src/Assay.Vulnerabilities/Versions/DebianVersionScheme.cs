using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// Debian package versions <c>[epoch:]upstream[-revision]</c>, compared as dpkg does
/// (deb-version(7), dpkg <c>lib/dpkg/version.c</c> <c>verrevcmp</c>): epoch numerically, then
/// upstream and revision by alternating non-digit and digit parts, where in non-digit parts
/// <c>~</c> sorts before everything (even the end), letters before non-letters, and digit parts
/// compare numerically. So <c>1.0~rc1 &lt; 1.0 &lt; 1.0+deb12u1</c> and
/// <c>3.0.11-1~deb12u1 &lt; 3.0.11-1~deb12u2 &lt; 3.0.11-1</c>. Also used for Ubuntu and opkg.
/// </summary>
public sealed class DebianVersionScheme : IVersionScheme
{
    public static DebianVersionScheme Instance { get; } = new();

    public string Id => "debian";

    public string Description => "Debian/dpkg: epoch:upstream-revision, ~ before anything";

    public IReadOnlyList<string> Limitations { get; } = ["a non-numeric epoch is treated as part of the upstream version"];

    public int Compare(string left, string right)
    {
        var a = DebianVersion.Split(left);
        var b = DebianVersion.Split(right);
        var c = VersionText.CompareDigits(a.Epoch, b.Epoch);
        if (c != 0) return c;
        c = VerRevCmp(a.Upstream, b.Upstream);
        if (c != 0) return c;
        return VerRevCmp(a.Revision, b.Revision);
    }

    private static int Order(char c) =>
        VersionText.IsAsciiDigit(c) ? 0
        : VersionText.IsAsciiLetter(c) ? c
        : c == '~' ? -1
        : c + 256;

    private static int VerRevCmp(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !VersionText.IsAsciiDigit(a[i])) || (j < b.Length && !VersionText.IsAsciiDigit(b[j])))
            {
                var ac = i < a.Length ? Order(a[i]) : 0;
                var bc = j < b.Length ? Order(b[j]) : 0;
                if (ac != bc)
                    return ac < bc ? -1 : 1;
                i++;
                j++;
            }
            var si = i;
            while (i < a.Length && VersionText.IsAsciiDigit(a[i])) i++;
            var sj = j;
            while (j < b.Length && VersionText.IsAsciiDigit(b[j])) j++;
            firstDiff = VersionText.CompareDigits(a.AsSpan(si, i - si), b.AsSpan(sj, j - sj));
            if (firstDiff != 0)
                return firstDiff;
        }
        return 0;
    }
}
