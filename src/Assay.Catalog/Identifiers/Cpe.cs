using System.Text;

namespace Assay.Catalog.Identifiers;

/// <summary>
/// CPE 2.3 formatted strings (NISTIR 7695, §6.2 "Formatted string binding"):
/// <c>cpe:2.3:a:vendor:product:version:*:*:*:*:*:*:*</c>. In an attribute value every character
/// other than letters, digits and <c>_</c> is quoted with a backslash, except <c>-</c> and <c>.</c>
/// which NVD writes bare; so <c>3.0.7+quic</c> is bound as <c>3.0.7\+quic</c>. Values are lower-case.
/// </summary>
public static class Cpe
{
    /// <summary>An application CPE for vendor, product and version (as NVD spells vendor and product).</summary>
    public static string Application(string vendor, string product, string version) =>
        $"cpe:2.3:a:{Quote(vendor)}:{Quote(product)}:{Quote(version)}:*:*:*:*:*:*:*";

    /// <summary>An operating-system CPE (the Linux kernel is <c>o:linux:linux_kernel</c> in NVD).</summary>
    public static string OperatingSystem(string vendor, string product, string version) =>
        $"cpe:2.3:o:{Quote(vendor)}:{Quote(product)}:{Quote(version)}:*:*:*:*:*:*:*";

    /// <summary>Quotes one attribute value; empty becomes <c>*</c> (ANY).</summary>
    public static string Quote(string value)
    {
        if (value.Length == 0)
            return "*";
        var sb = new StringBuilder(value.Length + 4);
        foreach (var ch in value.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.')
                sb.Append(ch);
            else if (ch > 0x20 && ch < 0x7f)
                sb.Append('\\').Append(ch);
            else
                sb.Append('_');
        }
        return sb.ToString();
    }

    /// <summary>
    /// A CPE 2.3 for <paramref name="version"/> from a product-level CPE written as a CPE 2.2 URI
    /// (<c>cpe:/a:openssl:openssl</c>, OpenWrt's <c>PKG_CPE_ID</c>) or a 2.3 string whose version
    /// is ANY (<c>cpe:2.3:a:openssl:openssl:*:...</c>, Yocto's <c>CVE_PRODUCT</c> style); null when
    /// the text is neither or its part is not a, o or h.
    /// </summary>
    public static string? WithVersion(string? productCpe, string version)
    {
        if (string.IsNullOrWhiteSpace(productCpe) || productCpe.Length > 256)
            return null;
        var text = productCpe.Trim();
        string[] parts;
        if (text.StartsWith("cpe:/", StringComparison.OrdinalIgnoreCase))
            parts = text[5..].Split(':');
        else if (text.StartsWith("cpe:2.3:", StringComparison.OrdinalIgnoreCase))
            parts = text[8..].Split(':');
        else
            return null;
        if (parts.Length < 3 || parts[1].Length == 0 || parts[2].Length == 0 || parts[1] == "*" || parts[2] == "*")
            return null;
        var vendor = Uri.UnescapeDataString(parts[1]).Replace("\\", "", StringComparison.Ordinal);
        var product = Uri.UnescapeDataString(parts[2]).Replace("\\", "", StringComparison.Ordinal);
        return parts[0].ToLowerInvariant() switch
        {
            "a" => Application(vendor, product, version),
            "o" => OperatingSystem(vendor, product, version),
            _ => null,
        };
    }
}
