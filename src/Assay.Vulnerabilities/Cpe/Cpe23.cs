using System.Text;

namespace Assay.Vulnerabilities.Cpe;

/// <summary>
/// A CPE 2.3 formatted string (NISTIR 7695 §6.2):
/// <c>cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other</c>.
/// Fields are split on <c>:</c> not preceded by a backslash; backslash escapes are removed.
/// <c>*</c> is ANY, <c>-</c> is NA. Vendor and product are kept lower-case.
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
    public static Cpe23 Parse(string text) =>
        TryParse(text) ?? throw new FormatException(
            $"'{(text.Length > 120 ? text[..120] + "..." : text)}' is not a CPE 2.3 name; expected cpe:2.3:part:vendor:product:version:... with part a, o or h");

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

    /// <summary>Formats a CPE 2.3 name for an application with this vendor, product and version (other fields ANY).</summary>
    public static string Format(string part, string vendor, string product, string version) =>
        Format(part, vendor, product, version, "*");

    /// <summary>Formats a CPE 2.3 name with these fields and every later field ANY.</summary>
    public static string Format(string part, string vendor, string product, string version, string update) =>
        $"cpe:2.3:{part}:{Escape(vendor)}:{Escape(product)}:{Escape(version)}:{Escape(update)}:*:*:*:*:*:*";

    private static string Escape(string value)
    {
        if (value is "*" or "-")
            return value;
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
