namespace Assay.Vulnerabilities.Matching;

/// <summary>
/// The parts of a package URL (https://github.com/package-url/purl-spec) the matcher uses:
/// <c>pkg:type/namespace/name@version</c>; qualifiers and subpath are dropped.
/// </summary>
internal sealed record PackageUrl(string Type, string? Namespace, string Name, string? Version)
{
    public static PackageUrl? TryParse(string? purl)
    {
        if (purl is null || purl.Length > 4096 || !purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
            return null;
        var s = purl[4..].TrimStart('/');
        var hash = s.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0) s = s[..hash];
        var question = s.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0) s = s[..question];
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

    /// <summary>The OSV ecosystem of this package type (https://ossf.github.io/osv-schema/#affectedpackage-field), null when OSV has none.</summary>
    public string? OsvEcosystem => Type switch
    {
        "deb" => Namespace?.ToLowerInvariant() switch { "ubuntu" => "Ubuntu", "debian" => "Debian", _ => null },
        "apk" => Namespace?.ToLowerInvariant() switch { "alpine" => "Alpine", _ => null },
        "npm" => "npm",
        "pypi" => "PyPI",
        "golang" => "Go",
        "cargo" => "crates.io",
        "maven" => "Maven",
        "gem" => "RubyGems",
        "nuget" => "NuGet",
        "composer" => "Packagist",
        "hex" => "Hex",
        "pub" => "Pub",
        _ => null,
    };

    /// <summary>The package name as OSV spells it in that ecosystem.</summary>
    public string OsvName => Type switch
    {
        "golang" or "npm" when Namespace is not null => Namespace + "/" + Name,
        "maven" when Namespace is not null => Namespace + ":" + Name,
        "composer" when Namespace is not null => Namespace + "/" + Name,
        _ => Name,
    };
}
