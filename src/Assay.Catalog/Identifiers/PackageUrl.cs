using System.Text;

namespace Assay.Catalog.Identifiers;

/// <summary>
/// Package URLs (<c>pkg:type/namespace/name@version?qualifiers</c>), percent-encoded as the purl
/// specification asks (PURL-SPECIFICATION.rst, "Character encoding"): every byte outside
/// <c>A-Z a-z 0-9 . - _ ~</c> is written <c>%XX</c>, so <c>1:1.35.0-4+deb12u1</c> becomes
/// <c>1%3A1.35.0-4%2Bdeb12u1</c>. Qualifiers are sorted by key.
/// </summary>
public static class PackageUrl
{
    /// <summary>Builds a purl. <paramref name="namespace"/> may hold several segments separated by '/'.</summary>
    public static string Create(string type, string? @namespace, string name, string? version, IEnumerable<KeyValuePair<string, string>>? qualifiers = null)
    {
        var sb = new StringBuilder("pkg:");
        sb.Append(type.ToLowerInvariant()).Append('/');
        if (!string.IsNullOrEmpty(@namespace))
        {
            foreach (var segment in @namespace.Split('/', StringSplitOptions.RemoveEmptyEntries))
                sb.Append(Encode(segment)).Append('/');
        }
        sb.Append(Encode(name));
        if (!string.IsNullOrEmpty(version))
            sb.Append('@').Append(Encode(version));
        if (qualifiers is not null)
        {
            var sorted = qualifiers.Where(q => !string.IsNullOrEmpty(q.Value)).OrderBy(q => q.Key, StringComparer.Ordinal).ToList();
            for (var i = 0; i < sorted.Count; i++)
                sb.Append(i == 0 ? '?' : '&').Append(sorted[i].Key.ToLowerInvariant()).Append('=').Append(Encode(sorted[i].Value));
        }
        return sb.ToString();
    }

    /// <summary>Percent-encodes one purl component (UTF-8 bytes).</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '~')
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
