using System.Text.Json;
using Assay.Core.Model;

namespace Assay.Vulnerabilities.Sbom;

/// <summary>
/// Reads the packages of an SPDX 2.x JSON document made by any tool (SPDX 2.2/2.3:
/// <c>packages[]</c> with <c>SPDXID</c>, <c>name</c>, <c>versionInfo</c>, <c>supplier</c>,
/// <c>externalRefs[]</c> of type <c>purl</c> and <c>cpe23Type</c>/<c>cpe22Type</c>), as Assay
/// components to match. The name is lower-cased, the location is the <c>SPDXID</c>, the type comes
/// from the purl type when it is a package database type (deb, rpm, apk ...).
/// Limitations: tag-value, RDF and SPDX 3.0 documents are not read; a package without a version and
/// without a purl or CPE carrying one cannot be matched and is read with an empty version.
/// </summary>
public static class SpdxComponentReader
{
    /// <summary>Most packages read from one document.</summary>
    public const int MaxPackages = 1_000_000;

    /// <summary>True when the JSON root is an SPDX 2.x document (<c>"spdxVersion": "SPDX-2.0"</c> .. <c>"SPDX-2.3"</c>; compared as UTF-8, so invalid text is not an error here).</summary>
    public static bool IsSpdx(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("spdxVersion", out var v) && v.ValueKind == JsonValueKind.String
        && (v.ValueEquals("SPDX-2.2") || v.ValueEquals("SPDX-2.3") || v.ValueEquals("SPDX-2.1") || v.ValueEquals("SPDX-2.0"));

    /// <summary>The packages of the document, sorted by name, version and location.</summary>
    /// <exception cref="InvalidDataException">The document is not SPDX 2.x JSON, or holds too many packages.</exception>
    public static IReadOnlyList<Component> Read(JsonElement root, string path)
    {
        if (!IsSpdx(root))
            throw new InvalidDataException($"'{path}' is not an SPDX 2.x JSON document (no \"spdxVersion\": \"SPDX-2.x\")");
        if (!root.TryGetProperty("packages", out var packages) || packages.ValueKind != JsonValueKind.Array)
            return [];
        if (packages.GetArrayLength() > MaxPackages)
            throw new InvalidDataException($"'{path}' lists {packages.GetArrayLength():N0} packages, more than the limit of {MaxPackages:N0}");
        var result = new List<Component>();
        try
        {
            foreach (var p in packages.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Object || Str(p, "name") is not { Length: > 0 } name)
                    continue;
                string? purl = null, cpe = null;
                if (p.TryGetProperty("externalRefs", out var refs) && refs.ValueKind == JsonValueKind.Array)
                    foreach (var r in refs.EnumerateArray())
                    {
                        var type = Str(r, "referenceType");
                        var locator = Str(r, "referenceLocator");
                        if (locator is null)
                            continue;
                        if (type == "purl")
                            purl ??= locator;
                        else if (type is "cpe23Type" or "cpe22Type")
                            cpe ??= locator;
                    }
                var packageType = Assay.Core.Identifiers.PackageUrl.TryParse(purl)?.Type is { } t && t is "deb" or "rpm" or "apk" or "alpm" ? t : "binary";
                var supplier = Str(p, "supplier") is { } s && s != "NOASSERTION" ? s.Replace("Organization: ", "", StringComparison.Ordinal).Replace("Person: ", "", StringComparison.Ordinal) : null;
                var version = Str(p, "versionInfo") ?? Assay.Core.Identifiers.PackageUrl.TryParse(purl)?.Version ?? "";
                result.Add(new Component
                {
                    Name = name.ToLowerInvariant(),
                    Version = version,
                    Location = Str(p, "SPDXID") ?? name,
                    Type = packageType,
                    Purl = purl,
                    Cpe = cpe,
                    Supplier = supplier,
                });
            }
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json: a string that is not valid UTF-8.
            throw new InvalidDataException($"'{path}': unreadable value: {e.Message}", e);
        }
        return [.. result
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Version, StringComparer.Ordinal)
            .ThenBy(c => c.Location, StringComparer.Ordinal)];
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
