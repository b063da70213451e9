using System.Text.Json;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// The container images a delivery holds, by name and by digest, read from the image archives'
/// own index (<c>index.json</c> of an OCI layout: <c>org.opencontainers.image.ref.name</c>,
/// <c>io.containerd.image.name</c>, descriptor digests) and <c>manifest.json</c> of a docker save
/// archive (<c>RepoTags</c>, the config digest that is the image id).
/// </summary>
/// <remarks>
/// An OCI ref name that is only a tag (<c>1.0</c>, as umoci writes) names no repository: such an
/// image is matched by digest only.
/// </remarks>
internal sealed class DeliveredImages
{
    private readonly List<(ImageReference Reference, string Where)> _names = [];
    private readonly Dictionary<string, string> _digests = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _names.Count + _digests.Count;

    /// <summary>Reads an image archive's index document; <paramref name="where"/> is the archive's path for the summary.</summary>
    public void AddIndex(string where, string fileName, byte[] json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (fileName == "manifest.json" && root.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    if (entry.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var tag in tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String))
                            AddName(tag.GetString()!, where);
                    }
                    if (entry.TryGetProperty("Config", out var config) && config.ValueKind == JsonValueKind.String)
                    {
                        var c = config.GetString()!;
                        var hex = c.StartsWith("blobs/sha256/", StringComparison.Ordinal) ? c[13..] : c.EndsWith(".json", StringComparison.Ordinal) ? c[..^5] : null;
                        if (hex is { Length: 64 })
                            _digests.TryAdd("sha256:" + hex, where);
                    }
                }
            }
            else if (fileName == "index.json" && root.ValueKind == JsonValueKind.Object && root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in manifests.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    if (m.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String)
                        _digests.TryAdd(d.GetString()!, where);
                    if (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var key in new[] { "io.containerd.image.name", "org.opencontainers.image.ref.name" })
                        {
                            if (a.TryGetProperty(key, out var n) && n.ValueKind == JsonValueKind.String)
                                AddName(n.GetString()!, where);
                        }
                    }
                }
            }
        }
    }

    private void AddName(string name, string where)
    {
        // A bare tag ("1.0") parses as repository "library/1.0": not a name.
        if (!name.Contains(':', StringComparison.Ordinal) && !name.Contains('/', StringComparison.Ordinal))
            return;
        if (ImageReference.Parse(name) is { } r)
            _names.Add((r, where));
    }

    /// <summary>
    /// Where the delivery holds the image a workload names, or null. A digest must match exactly;
    /// a name matches on repository path and tag, whatever the registry (charts often point at the
    /// operator's mirror of the vendor's registry).
    /// </summary>
    public string? Find(ImageReference reference)
    {
        if (reference.Digest is { } digest)
            return _digests.GetValueOrDefault(digest);
        foreach (var (name, where) in _names)
        {
            if (name.EffectiveTag == reference.EffectiveTag && (name.Repository == reference.Repository || name.ShortRepository == reference.ShortRepository
                || name.Repository.EndsWith("/" + reference.ShortRepository, StringComparison.Ordinal) || reference.Repository.EndsWith("/" + name.ShortRepository, StringComparison.Ordinal)))
                return where;
        }
        return null;
    }
}
