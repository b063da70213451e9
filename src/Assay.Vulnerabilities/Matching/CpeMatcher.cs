using System.Text;
using Assay.Vulnerabilities.Storage;
using Assay.Vulnerabilities.Versions;

namespace Assay.Vulnerabilities.Matching;

/// <summary>
/// Decides whether one NVD <c>cpeMatch</c> entry applies to a product version (NVD CPE
/// applicability, https://nvd.nist.gov/vuln/vulnerability-detail-pages "Configurations"):
/// <list type="bullet">
/// <item>part must be <c>a</c> or <c>o</c> (hardware entries never name a software component);</item>
/// <item>with any of versionStart/End Including/Excluding, the version must satisfy every bound given
/// (compared with the product's <see cref="IVersionScheme"/>);</item>
/// <item>without bounds, version <c>*</c> matches any version, <c>-</c> (not applicable) matches none,
/// anything else must equal the version (ASCII case-insensitive, no normalization: <c>1.0</c> is not <c>1.0.0</c>);</item>
/// <item>an update qualifier (<c>p1</c>, <c>rc1</c>, <c>beta</c>) must be the component's update, or be glued to
/// its version (<c>7.1p1</c>, <c>9.9.4-P1</c> for entry version <c>7.1</c>/<c>9.9.4</c> with update <c>p1</c>/<c>P1</c>).</item>
/// </list>
/// Whether the entry is <c>vulnerable</c>, and the AND/OR structure around it, is the caller's concern.
/// </summary>
public static class CpeMatcher
{
    private static readonly string[] UpdateSeparators = ["", ".", "-", "_", " "];

    internal static bool Matches(CpeMatchRow row, string version, string? update, IVersionScheme scheme)
    {
        if (row.Part is not ("a" or "o"))
            return false;
        var qualified = row.Update is not ("*" or "-" or "");
        if (row.HasRange)
        {
            if (qualified && !string.Equals(row.Update, update, StringComparison.OrdinalIgnoreCase))
                return false;
            return InRange(row, version, scheme);
        }
        if (row.Version == "*")
            return !qualified || string.Equals(row.Update, update, StringComparison.OrdinalIgnoreCase);
        if (row.Version is "-" or "")
            return false;
        if (!qualified)
            return string.Equals(row.Version, version, StringComparison.OrdinalIgnoreCase);
        if (string.Equals(row.Version, version, StringComparison.OrdinalIgnoreCase))
            return string.Equals(row.Update, update, StringComparison.OrdinalIgnoreCase);
        foreach (var separator in UpdateSeparators)
            if (version.Length == row.Version.Length + separator.Length + row.Update.Length
                && version.StartsWith(row.Version, StringComparison.OrdinalIgnoreCase)
                && version.AsSpan(row.Version.Length).StartsWith(separator, StringComparison.Ordinal)
                && version.EndsWith(row.Update, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    internal static bool InRange(CpeMatchRow row, string version, IVersionScheme scheme) =>
        (row.StartIncluding is null || scheme.Compare(version, row.StartIncluding) >= 0)
        && (row.StartExcluding is null || scheme.Compare(version, row.StartExcluding) > 0)
        && (row.EndIncluding is null || scheme.Compare(version, row.EndIncluding) <= 0)
        && (row.EndExcluding is null || scheme.Compare(version, row.EndExcluding) < 0);

    /// <summary>The criterion and its bounds, as shown in <c>Vulnerability.MatchedBy</c>.</summary>
    internal static string Describe(CpeMatchRow row)
    {
        var sb = new StringBuilder(row.Criteria);
        if (row.StartIncluding is not null) sb.Append(" versionStartIncluding ").Append(row.StartIncluding);
        if (row.StartExcluding is not null) sb.Append(" versionStartExcluding ").Append(row.StartExcluding);
        if (row.EndIncluding is not null) sb.Append(" versionEndIncluding ").Append(row.EndIncluding);
        if (row.EndExcluding is not null) sb.Append(" versionEndExcluding ").Append(row.EndExcluding);
        return sb.ToString();
    }
}
