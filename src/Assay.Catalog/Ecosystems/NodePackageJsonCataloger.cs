using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Ecosystems;

/// <summary>
/// npm packages from <c>package.json</c> files (https://docs.npmjs.com/cli/configuring-npm/package-json):
/// installed ones under <c>node_modules/</c> and the manifest of a delivered package tarball.
/// <c>pkg:npm/%40scope/name@version</c>; <c>license</c> as a string or the old
/// <c>{"type": ...}</c> object.
/// <para>Limitations: files over 4 MiB are skipped; manifests without both name and version
/// (workspace roots, test fixtures) are ignored.</para>
/// </summary>
public sealed class NodePackageJsonCataloger : IInspector
{
    public const string CatalogerId = "npm-package-json";
    public const int MaxBytes = 4 << 20;

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) =>
        file.Kind == NodeKind.File && file.Size is > 0 and <= MaxBytes && Core.Pipeline.VirtualPath.Name(file.Path) == "package.json";

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(file.ReadBytes(MaxBytes), new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = $"package.json is not valid JSON ({e.Message}); it was skipped" });
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return;
            var name = Str(root, "name");
            var version = Str(root, "version");
            if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(version) || name.Length > 214)
                return;
            string? license = Str(root, "license");
            if (license is null && root.TryGetProperty("license", out var l) && l.ValueKind == JsonValueKind.Object)
                license = Str(l, "type");
            string? author = Str(root, "author");
            if (author is null && root.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.Object)
                author = Str(a, "name");
            string? ns = null;
            var shortName = name;
            if (name.StartsWith('@') && name.IndexOf('/') is var slash and > 1)
            {
                ns = name[..slash];
                shortName = name[(slash + 1)..];
            }
            sink.Add(new Component
            {
                Name = name,
                Version = version,
                Location = file.Path,
                Type = "npm",
                Purl = PackageUrl.Create("npm", ns, shortName, version),
                Linkage = "package",
                Supplier = author,
                Licenses = license is null ? [] : [license],
                Evidence = [new Evidence { Source = Id, Path = file.Path, Text = $"\"name\": \"{name}\", \"version\": \"{version}\"" }],
            });
        }
    }

    private static string? Str(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
