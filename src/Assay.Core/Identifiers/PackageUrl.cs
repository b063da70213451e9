using System.Text;

namespace Assay.Core.Identifiers;

/// <summary>
/// Package URLs, <c>pkg:type/namespace/name@version?qualifiers#subpath</c>
/// (https://github.com/package-url/purl-spec), written and read in one place: the catalogers write
/// them, the vulnerability matcher and VEX read them back. Written percent-encoded as the
/// specification asks (PURL-SPECIFICATION.rst, "Character encoding"): every byte outside
/// <c>A-Z a-z 0-9 . - _ ~</c> is <c>%XX</c>, so <c>1:1.35.0-4+deb12u1</c> becomes
/// <c>1%3A1.35.0-4%2Bdeb12u1</c>; qualifiers sorted by key. Read back into its parts (qualifiers
/// and subpath dropped: nothing reads them yet).
/// </summary>
public sealed record PackageUrl(string Type, string? Namespace, string Name, string? Version)
{
    /// <summary>Upper bound on the length of a purl read from a document.</summary>
    public const int MaxLength = 4096;

    /// <summary>Builds a purl. <paramref name="namespace"/> may hold several segments separated by '/'.</summary>
    public static string Create(string type, string? @namespace, string name, string? version, IEnumerable<KeyValuePair<string, string>>? qualifiers = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(name);
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
        ArgumentNullException.ThrowIfNull(value);
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

    /// <summary>The parts of a purl; null when <paramref name="purl"/> is not one (type and name are required).</summary>
    public static PackageUrl? TryParse(string? purl)
    {
        if (purl is null || purl.Length > MaxLength || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
            return null;
        var s = purl[4..].TrimStart('/');
        var hash = s.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
            s = s[..hash];
        var question = s.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
            s = s[..question];
        string? version = null;
        var at = s.LastIndexOf('@');
        if (at >= 0)
        {
            version = Uri.UnescapeDataString(s[(at + 1)..]);
            s = s[..at];
        }
        var parts = s.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
            return null;
        var type = parts[0].ToLowerInvariant();
        var name = Uri.UnescapeDataString(parts[^1]);
        var ns = parts.Length > 2 ? Uri.UnescapeDataString(string.Join('/', parts[1..^1])) : null;
        return new PackageUrl(type, ns, name, string.IsNullOrEmpty(version) ? null : version);
    }
}
