using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Sbom;

/// <summary>
/// Reads the components of a CycloneDX JSON SBOM made by any tool (CycloneDX 1.2 .. 1.6:
/// <c>components[]</c> with <c>name</c>, <c>version</c>, <c>purl</c>, <c>cpe</c>, nested
/// <c>components</c>), as Assay components to match. The name is lower-cased, the location is
/// the <c>bom-ref</c> (or the name), the type comes from the purl type when it is a package
/// database type (deb, rpm, apk ...). <c>metadata.component</c> is read too.
/// Limitations: XML SBOMs are not read; nesting deeper than 64 levels is ignored.
/// </summary>
public static class CycloneDxComponentReader
{
    private const int MaxDepth = 64;

    /// <summary>Largest SBOM read.</summary>
    public const long MaxBytes = 512L << 20;

    /// <summary>True when the JSON root is a CycloneDX BOM.</summary>
    public static bool IsCycloneDx(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("bomFormat", out var f) && f.ValueKind == JsonValueKind.String && f.ValueEquals("CycloneDX");

    /// <summary>The components of the BOM, sorted by name, version and location.</summary>
    /// <exception cref="InvalidDataException">The document is not a CycloneDX BOM.</exception>
    public static IReadOnlyList<Component> Read(JsonElement root, string path)
    {
        if (!IsCycloneDx(root))
            throw new InvalidDataException($"'{path}' is not a CycloneDX JSON SBOM (no \"bomFormat\": \"CycloneDX\")");
        try
        {
            return ReadComponents(root);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json: a string that is not valid UTF-8.
            throw new InvalidDataException($"'{path}': unreadable value: {e.Message}", e);
        }
    }

    private static List<Component> ReadComponents(JsonElement root)
    {
        var result = new List<Component>();
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("component", out var main) && main.ValueKind == JsonValueKind.Object)
            Add(main, result, 0);
        if (root.TryGetProperty("components", out var components) && components.ValueKind == JsonValueKind.Array)
            foreach (var c in components.EnumerateArray())
                Add(c, result, 0);
        return [.. result
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Version, StringComparer.Ordinal)
            .ThenBy(c => c.Location, StringComparer.Ordinal)];
    }

    private static void Add(JsonElement c, List<Component> result, int depth)
    {
        if (depth > MaxDepth || c.ValueKind != JsonValueKind.Object)
            return;
        var name = Str(c, "name");
        var version = Str(c, "version") ?? "";
        var purl = Str(c, "purl");
        if (name is not null)
        {
            var type = PackageUrl.TryParse(purl)?.Type is { } t && t is "deb" or "rpm" or "apk" or "alpm" ? t : "binary";
            result.Add(new Component
            {
                Name = name.ToLowerInvariant(),
                Version = version,
                Location = Str(c, "bom-ref") ?? name,
                Type = type,
                Purl = purl,
                Cpe = Str(c, "cpe"),
                Supplier = c.TryGetProperty("supplier", out var s) ? Str(s, "name") : null,
            });
        }
        if (c.TryGetProperty("components", out var nested) && nested.ValueKind == JsonValueKind.Array)
            foreach (var n in nested.EnumerateArray())
                Add(n, result, depth + 1);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
