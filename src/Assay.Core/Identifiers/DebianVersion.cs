namespace Assay.Core.Identifiers;

/// <summary>
/// Debian version strings, <c>[epoch:]upstream[-revision]</c> (deb-version(7)), split in one place.
/// The upstream part is what a project calls its release, so <c>1:1.2.13.dfsg-1</c> is zlib
/// <c>1.2.13.dfsg</c> and <c>3.0.20-1~deb12u2</c> is OpenSSL <c>3.0.20</c>. Also used for opkg,
/// apk (<c>-rN</c>) and rpm (<c>version-release</c>) strings, which follow the same shape. The
/// order of versions is the vulnerability matcher's Debian version scheme.
/// </summary>
public static class DebianVersion
{
    /// <summary>
    /// Splits into epoch (its digits, "0" when absent), upstream version and revision ("" when
    /// absent): the epoch is what precedes the first ':' when that is all digits, the revision what
    /// follows the last '-'.
    /// </summary>
    public static (string Epoch, string Upstream, string Revision) Split(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var s = version.Trim();
        var epoch = "0";
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && s.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            epoch = s[..colon];
            s = s[(colon + 1)..];
        }
        var dash = s.LastIndexOf('-');
        return dash < 0 ? (epoch, s, "") : (epoch, s[..dash], s[(dash + 1)..]);
    }

    /// <summary>The upstream part: the epoch and the last <c>-revision</c> dropped.</summary>
    public static string Upstream(string version)
    {
        var upstream = Split(version).Upstream;
        // "-1" is no version with an empty upstream part; keep what was written.
        return upstream.Length == 0 ? version : upstream;
    }

    /// <summary>
    /// The upstream part with Debian repack suffixes dropped (<c>1.2.13.dfsg</c> → <c>1.2.13</c>,
    /// <c>2.5.13+dfsg</c> → <c>2.5.13</c>), for matching against binary versions and CPEs.
    /// </summary>
    public static string Release(string version)
    {
        var v = Upstream(version);
        foreach (var marker in RepackMarkers)
        {
            var i = v.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i > 0)
                v = v[..i];
        }
        return v;
    }

    private static readonly string[] RepackMarkers = ["+dfsg", ".dfsg", "~dfsg", "+ds", ".ds", "+really", "+repack", "~repack"];
}
