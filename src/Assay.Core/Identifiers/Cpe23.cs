using System.Text;

namespace Assay.Core.Identifiers;

/// <summary>
/// CPE 2.3 formatted strings (NISTIR 7695 §6.2, "Formatted string binding"),
/// <c>cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other</c>,
/// written and read in one place. Fields split on <c>:</c> not preceded by a backslash; backslash
/// escapes are removed; <c>*</c> is ANY, <c>-</c> is NA; vendor and product are kept lower-case.
/// In a bound value every character other than letters, digits, <c>_</c>, <c>-</c> and <c>.</c> is
/// quoted with a backslash (NVD writes <c>-</c> and <c>.</c> bare), so <c>3.0.7+quic</c> is
/// <c>3.0.7\+quic</c>.
/// </summary>
public sealed record Cpe23(string Part, string Vendor, string Product, string Version, string Update, string TargetSoftware)
{
    private const string Prefix = "cpe:2.3:";
    private const int FieldCount = 13;

    /// <summary>Upper bound on the length of a CPE string read from a feed or a command line.</summary>
    public const int MaxLength = 2048;

    /// <summary><c>vendor:product</c>, the key of the product index.</summary>
    public string Key => Vendor + ":" + Product;

    /// <summary>Parses a CPE 2.3 formatted string; null when it is not one.</summary>
    public static Cpe23? TryParse(string? text)
    {
        if (text is null || text.Length > MaxLength || !text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            return null;
        var fields = Split(text);
        if (fields.Count < 6)
            return null;
        string Field(int i) => i < fields.Count && fields[i].Length > 0 ? fields[i] : "*";
        if (fields.Count > FieldCount)
            return null;
        var part = Field(2).ToLowerInvariant();
        if (part is not ("a" or "o" or "h" or "*"))
            return null;
        return new Cpe23(part, Field(3).ToLowerInvariant(), Field(4).ToLowerInvariant(), Field(5), Field(6), Field(10));
    }

    /// <summary>Parses or throws <see cref="FormatException"/> naming the value and the expected form.</summary>
    public static Cpe23 Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text) ?? throw new FormatException(
            $"'{(text.Length > 120 ? text[..120] + "..." : text)}' is not a CPE 2.3 name; expected cpe:2.3:part:vendor:product:version:... with part a, o or h");
    }

    /// <summary>
    /// Binds fields as they are (a criterion read from a feed): <c>*</c> and <c>-</c> stay ANY and
    /// NA, case is kept, every later field is ANY.
    /// </summary>
    public static string Format(string part, string vendor, string product, string version, string update = "*") =>
        $"cpe:2.3:{part}:{Bind(vendor, literal: false)}:{Bind(product, literal: false)}:{Bind(version, literal: false)}:{Bind(update, literal: false)}:*:*:*:*:*:*";

    /// <summary>
    /// The CPE of a component Assay found: values lower-cased, an empty value ANY, control and
    /// non-ASCII characters replaced by <c>_</c> (a name or version read from a binary is not trusted
    /// to be printable).
    /// </summary>
    public static string ForComponent(char part, string vendor, string product, string version) =>
        $"cpe:2.3:{part}:{Bind(vendor, literal: true)}:{Bind(product, literal: true)}:{Bind(version, literal: true)}:*:*:*:*:*:*:*";

    /// <summary>An application CPE for vendor, product and version (as NVD spells vendor and product).</summary>
    public static string Application(string vendor, string product, string version) => ForComponent('a', vendor, product, version);

    /// <summary>An operating-system CPE (the Linux kernel is <c>o:linux:linux_kernel</c> in NVD).</summary>
    public static string OperatingSystem(string vendor, string product, string version) => ForComponent('o', vendor, product, version);

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

    private static string Bind(string value, bool literal)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!literal && value is "*" or "-")
            return value;
        if (literal && value.Length == 0)
            return "*";
        var sb = new StringBuilder(value.Length + 4);
        foreach (var ch in literal ? value.ToLowerInvariant() : value)
        {
            if (char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.')
                sb.Append(ch);
            else if (!literal || (ch > 0x20 && ch < 0x7f))
                sb.Append('\\').Append(ch);
            else
                sb.Append('_');
        }
        return sb.ToString();
    }

    private static List<string> Split(string text)
    {
        var fields = new List<string>(FieldCount);
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
                continue;
            }
            if (c == ':')
            {
                fields.Add(current.ToString());
                current.Clear();
                if (fields.Count > FieldCount)
                    return fields;
                continue;
            }
            current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
