using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats.Containers;

/// <summary>
/// A <c>docker save</c> archive (also <c>podman save</c>, <c>skopeo copy … docker-archive:</c>):
/// <c>manifest.json</c> lists each image's config and its layer tars in order. Laid out like an
/// OCI image: <c>config.json</c> plus <c>rootfs/</c> with the layers applied and whiteouts
/// honoured, each file attributed to its layer (by DiffID).
/// </summary>
/// <remarks>
/// manifest.json (moby image/spec "Combined Image JSON + Filesystem Changeset Format", v1.2):
/// <c>[{"Config":"&lt;hex&gt;.json","RepoTags":["debian:12"],"Layers":["&lt;id&gt;/layer.tar",…]}]</c>;
/// the layer folders also hold <c>VERSION</c> and <c>json</c> (v1 compatibility), and a
/// <c>repositories</c> file maps names to the top layer. Docker 25 writes an OCI layout plus this
/// manifest.json: <see cref="OciArchiveHandler"/> takes those first.
/// </remarks>
internal sealed class DockerArchiveHandler : IFormatHandler<List<TarMember>>
{
    private const string ManifestFile = "manifest.json";

    public string Id => "docker-archive";
    public string Description => "docker save archive (manifest.json, layer tars)";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("ustar", 257)];
    public IReadOnlyList<string> References { get; } =
    [
        "moby image spec v1.2, \"Combined Image JSON + Filesystem Changeset Format\" (docker save)",
        "OCI Image Format Specification v1.1: config.md (rootfs.diff_ids), layer.md (whiteouts)",
    ];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "layers of the old format carry no digest of their own: they are checked against the config's DiffIDs only",
        "within one layer a path stored twice keeps its first entry (tar extraction keeps the last)",
    ];

    public FormatMatch<List<TarMember>>? TryMatch(IBlob blob, long offset)
    {
        var read = TarMembers.TryRead(blob, offset, IsArchiveName);
        if (read is not { } r)
            return null;
        var archive = new ImageArchive(Id, blob, r.Members);
        if (archive.Find(ManifestFile) is not { } manifest)
            return null;
        int images, layers;
        try
        {
            using var doc = archive.ReadJson(manifest, ManifestFile);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                return null;
            var entries = doc.RootElement.EnumerateArray().Where(e => e.String("Config") is not null).ToList();
            if (entries.Count == 0)
                return null;
            images = entries.Count;
            layers = entries.Sum(e => e.Array("Layers").Count());
        }
        catch (Core.Formats.FormatException)
        {
            return null;
        }
        return new FormatMatch<List<TarMember>>(offset, r.End - offset, $"docker save archive, {images} image{(images == 1 ? "" : "s")}, {layers} layers", r.Members);
    }

    public void Unpack(IBlob chunk, FormatMatch<List<TarMember>> match, IUnpackContext context)
    {
        var members = match.State;
        var archive = new ImageArchive(Id, chunk, match.Offset == 0 ? members : [.. members.Select(m => m with { DataOffset = m.DataOffset - match.Offset })]);
        var images = new List<ImagePlan>();
        using (var doc = archive.ReadJson(archive.Find(ManifestFile)!, ManifestFile))
        {
            foreach (var entry in doc.RootElement.EnumerateArray())
            {
                if (Plan(archive, entry, context) is { } image)
                    images.Add(image);
            }
        }
        // manifest.json is part of the tree: its RepoTags name the images that charts refer to.
        context.AddFile(new EntryMeta(ManifestFile), archive.Slice(archive.Find(ManifestFile)!));
        foreach (var image in ImageArchive.AssignFolders(images))
            new LayerStack(Id, archive, context).Emit(image);
    }

    /// <summary>Top-level names of a docker save archive: the manifest, the repositories map, 64-hex layer folders and config files, and Docker 25's OCI parts.</summary>
    internal static bool IsArchiveName(string top) =>
        top is ManifestFile or "repositories" or "oci-layout" or "index.json" or "blobs"
        || IsHex64(top) || (top.Length == 69 && (top.EndsWith(".json", StringComparison.Ordinal) && IsHex64(top[..^5])))
        || (top.Length == 68 && top.EndsWith(".tar", StringComparison.Ordinal) && IsHex64(top[..^4]));

    private ImagePlan? Plan(ImageArchive archive, JsonElement entry, IUnpackContext context)
    {
        var configPath = entry.String("Config");
        if (configPath is null || archive.Find(configPath) is not { } config)
        {
            context.AddError($"manifest.json names config '{configPath ?? "(none)"}' which the archive does not hold; image skipped", null, ManifestFile);
            return null;
        }
        var diffIds = OciArchiveHandler.ReadDiffIds(archive, config);
        var layers = new List<LayerPlan>();
        var i = 0;
        foreach (var path in entry.Strings("Layers"))
        {
            var diffId = i < diffIds.Count ? diffIds[i] : null;
            i++;
            if (archive.Find(path) is not { } layer)
            {
                context.AddError($"manifest.json names layer '{path}' which the archive does not hold; the tree lacks its files", null, ManifestFile);
                continue;
            }
            layers.Add(new LayerPlan(layer, DigestOfPath(layer.Name), diffId, null));
        }
        if (diffIds.Count != i)
            context.AddError($"manifest.json lists {i} layers but the image config has {diffIds.Count} DiffIDs; the image is inconsistent", config.DataOffset, config.Name);
        var refName = entry.Strings("RepoTags").FirstOrDefault();
        return new ImagePlan(refName, OciArchiveHandler.ReadConfigPlatform(archive, config), config, DigestOfPath(config.Name), layers);
    }

    /// <summary><c>blobs/sha256/HEX</c> and <c>HEX.json</c> are named by their SHA-256; a v1 layer folder id is not a digest of anything stored.</summary>
    private static string? DigestOfPath(string name)
    {
        if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && IsHex64(name[13..]))
            return "sha256:" + name[13..];
        // skopeo names configs HEX.json and layer tars HEX.tar after their SHA-256
        if (name.Length is 68 or 69 && !name.Contains('/', StringComparison.Ordinal) && IsHex64(name[..64]) && name[64..] is ".json" or ".tar")
            return "sha256:" + name[..64];
        return null;
    }

    private static bool IsHex64(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigitLower);
}
