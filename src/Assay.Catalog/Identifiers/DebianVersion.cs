namespace Assay.Catalog.Identifiers;

/// <summary>
/// Debian version strings, <c>[epoch:]upstream[-revision]</c> (deb-version(7)): the upstream part
/// is what a project calls its release, so <c>1:1.2.13.dfsg-1</c> is zlib <c>1.2.13.dfsg</c> and
/// <c>3.0.20-1~deb12u2</c> is OpenSSL <c>3.0.20</c>. Also used for opkg, apk (<c>-rN</c>) and rpm
/// (<c>version-release</c>) strings, which follow the same shape.
/// </summary>
public static class DebianVersion
{
    /// <summary>The upstream part: the epoch and the last <c>-revision</c> dropped.</summary>
    public static string Upstream(string version)
    {
        var v = version;
        var colon = v.IndexOf(':');
        if (colon >= 0 && colon < v.Length - 1 && v[..colon].All(char.IsAsciiDigit))
            v = v[(colon + 1)..];
        var dash = v.LastIndexOf('-');
        if (dash > 0)
            v = v[..dash];
        return v;
    }

    /// <summary>
    /// The upstream part with Debian repack suffixes dropped (<c>1.2.13.dfsg</c> → <c>1.2.13</c>,
    /// <c>2.5.13+dfsg</c> → <c>2.5.13</c>), for matching against binary versions and CPEs.
    /// </summary>
    public static string Release(string version)
    {
        var v = Upstream(version);
        foreach (var marker in new[] { "+dfsg", ".dfsg", "~dfsg", "+ds", ".ds", "+really", "+repack", "~repack" })
        {
            var i = v.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i > 0)
                v = v[..i];
        }
        return v;
    }
}
