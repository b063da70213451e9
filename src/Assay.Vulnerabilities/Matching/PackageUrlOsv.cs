using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Matching;

/// <summary>How the OSV schema names the ecosystem and package of a <see cref="PackageUrl"/> (parsed in Core).</summary>
internal static class PackageUrlOsv
{
    /// <summary>The OSV ecosystem of this package type (https://ossf.github.io/osv-schema/#affectedpackage-field), null when OSV has none.</summary>
    public static string? OsvEcosystem(this PackageUrl purl) => purl.Type switch
    {
        "deb" => purl.Namespace?.ToLowerInvariant() switch { "ubuntu" => "Ubuntu", "debian" => "Debian", _ => null },
        "apk" => purl.Namespace?.ToLowerInvariant() switch { "alpine" => "Alpine", _ => null },
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
    public static string OsvName(this PackageUrl purl) => purl.Type switch
    {
        "golang" or "npm" when purl.Namespace is not null => purl.Namespace + "/" + purl.Name,
        "maven" when purl.Namespace is not null => purl.Namespace + ":" + purl.Name,
        "composer" when purl.Namespace is not null => purl.Namespace + "/" + purl.Name,
        _ => purl.Name,
    };
}
