using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats.Containers;

/// <summary>
/// An OCI image layout carried in a tar (<c>skopeo copy … oci-archive:</c>, <c>docker save</c>
/// since Docker 25, <c>buildah push oci-archive:</c>): <c>oci-layout</c>, <c>index.json</c> and
/// content-addressed <c>blobs/sha256/…</c>. Every image manifest the index reaches (multi-arch
/// indexes too) is laid out as one tree: <c>config.json</c> plus <c>rootfs/</c> with the layers
/// applied in order, whiteouts honoured and each file attributed to its layer.
/// </summary>
/// <remarks>
/// <c>oci-layout</c> is <c>{"imageLayoutVersion":"1.0.0"}</c>; <c>index.json</c> an image index
/// whose descriptors carry <c>mediaType</c>, <c>digest</c>, <c>size</c>, <c>platform</c> and the
/// <c>org.opencontainers.image.ref.name</c> annotation (image-spec image-layout.md, image-index.md).
/// </remarks>
internal sealed class OciArchiveHandler : IFormatHandler<List<TarMember>>
{
    private const string LayoutFile = "oci-layout";
    private const string IndexFile = "index.json";
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const int MaxIndexDepth = 4;

    internal static readonly HashSet<string> IndexTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    };

    internal static readonly HashSet<string> ManifestTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    };

    internal static readonly HashSet<string> ConfigTypes = new(StringComparer.Ordinal)
    {
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.container.image.v1+json",
    };

    public string Id => "oci-archive";
    public string Description => "OCI image layout in a tar (oci-archive; docker save since Docker 25)";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("ustar", 257)];
    public IReadOnlyList<string> References { get; } =
    [
        "OCI Image Format Specification v1.1: image-layout.md, image-index.md, manifest.md, config.md, layer.md (whiteouts), descriptor.md (digests)",
        "3GPP TS 33.527 (SCAS for virtualised network products): image integrity",
    ];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "an OCI layout must come as a tar; a layout unpacked into loose files of another archive is scanned file by file",
        "nothing is pulled from a registry: layers the layout does not hold (foreign, non-distributable) are reported missing",
        "manifests that are not container images (attestations, signatures, other artifacts) are skipped",
        "within one layer a path stored twice keeps its first entry (tar extraction keeps the last)",
    ];

    public FormatMatch<List<TarMember>>? TryMatch(IBlob blob, long offset)
    {
        var read = TarMembers.TryRead(blob, offset, IsLayoutName);
        if (read is not { } r)
            return null;
        var archive = new ImageArchive(Id, blob, r.Members);
        if (archive.Find(LayoutFile) is not { } layout || archive.Find(IndexFile) is null)
            return null;
        try
        {
            using var doc = archive.ReadJson(layout, LayoutFile);
            if (doc.RootElement.String("imageLayoutVersion") is null)
                return null;
        }
        catch (Core.Formats.FormatException)
        {
            return null;
        }
        var description = "OCI image layout";
        try
        {
            var images = Plan(archive, new CollectingUnpackContext());
            description += images.Count switch
            {
                0 => ", no container images",
                1 => $", 1 image, {images[0].Layers.Count} layers",
                _ => $", {images.Count} images ({string.Join(", ", images.Select(i => i.Platform?.ToString() ?? i.RefName ?? "?"))})",
            };
        }
        catch (Core.Formats.FormatException)
        {
            description += " (index unreadable)";
        }
        return new FormatMatch<List<TarMember>>(offset, r.End - offset, description, r.Members);
    }

    public void Unpack(IBlob chunk, FormatMatch<List<TarMember>> match, IUnpackContext context)
    {
        var members = match.State;
        // Member offsets are relative to the blob TryMatch saw; the chunk starts at the match offset.
        var archive = new ImageArchive(Id, chunk, match.Offset == 0 ? members : [.. members.Select(m => m with { DataOffset = m.DataOffset - match.Offset })]);
        var images = ImageArchive.AssignFolders(Plan(archive, context));
        // The index itself is part of the tree: it names the images (ref names, digests) that charts refer to.
        context.AddFile(new EntryMeta(IndexFile), archive.Slice(archive.Find(IndexFile)!));
        if (images.Count == 0)
            context.AddError("the layout's index names no container image (only other artifacts, or nothing)", 0, IndexFile);
        foreach (var image in images)
            new LayerStack(Id, archive, context).Emit(image);
    }

    /// <summary>Top-level names an OCI layout tar may hold (image-layout.md, plus docker save's extras).</summary>
    internal static bool IsLayoutName(string top) => top is LayoutFile or IndexFile or "blobs" or "manifest.json" or "repositories";

    /// <summary>Every image manifest the index reaches, in index order; problems with one go to <paramref name="context"/>.</summary>
    internal List<ImagePlan> Plan(ImageArchive archive, IUnpackContext context)
    {
        var images = new List<ImagePlan>();
        using var index = archive.ReadJson(archive.Find(IndexFile)!, IndexFile);
        foreach (var descriptor in index.RootElement.Array("manifests"))
            Resolve(archive, descriptor, 0, null, null, images, context);
        return images;
    }

    private void Resolve(ImageArchive archive, JsonElement descriptor, int depth, string? refName, ImagePlatform? platform, List<ImagePlan> images, IUnpackContext context)
    {
        var digest = descriptor.String("digest");
        var mediaType = descriptor.String("mediaType");
        refName = descriptor.Object("annotations")?.String(RefNameAnnotation) ?? refName;
        platform = ReadPlatform(descriptor.Object("platform")) ?? platform;
        if (digest is null)
        {
            context.AddError("an index descriptor has no digest; skipped", null, IndexFile);
            return;
        }
        if (platform is { Os: "unknown" } || descriptor.Object("annotations")?.String("vnd.docker.reference.type") is not null)
            return; // BuildKit attestation manifests: not a runnable image
        if (archive.FindBlob(digest) is not { } member)
        {
            context.AddError($"the index names {digest} ({mediaType ?? "no media type"}) but the layout has no blob for it; nothing is pulled from a registry", null, IndexFile);
            return;
        }
        if (archive.VerifyDigest(member, digest, "manifest") is { } mismatch)
            context.AddError(mismatch, member.DataOffset, member.Name);
        using var doc = archive.ReadJson(member, "manifest");
        var root = doc.RootElement;
        var isIndex = mediaType is not null ? IndexTypes.Contains(mediaType) : root.Array("manifests").Any();
        if (isIndex)
        {
            if (depth >= MaxIndexDepth)
            {
                context.AddError($"image indexes nest deeper than {MaxIndexDepth}; {digest} not followed", member.DataOffset, member.Name);
                return;
            }
            foreach (var child in root.Array("manifests"))
                Resolve(archive, child, depth + 1, refName, null, images, context);
            return;
        }
        if (mediaType is not null && !ManifestTypes.Contains(mediaType) || root.Object("config") is not { } config)
            return;
        var configType = config.String("mediaType");
        if (configType is not null && !ConfigTypes.Contains(configType))
            return;
        var configDigest = config.String("digest");
        if (configDigest is null || archive.FindBlob(configDigest) is not { } configMember)
        {
            context.AddError($"manifest {digest} names config {configDigest ?? "(none)"} which the layout does not hold", member.DataOffset, member.Name);
            return;
        }
        var diffIds = ReadDiffIds(archive, configMember);
        var layers = new List<LayerPlan>();
        var i = 0;
        foreach (var layer in root.Array("layers"))
        {
            var layerDigest = layer.String("digest");
            var diffId = i < diffIds.Count ? diffIds[i] : null;
            i++;
            if (layerDigest is null || archive.FindBlob(layerDigest) is not { } layerMember)
            {
                context.AddError($"manifest {digest} names layer {layerDigest ?? "(no digest)"} which the layout does not hold (a foreign or non-distributable layer?); the tree lacks its files", member.DataOffset, member.Name);
                continue;
            }
            layers.Add(new LayerPlan(layerMember, layerDigest, diffId, layer.String("mediaType")));
        }
        images.Add(new ImagePlan(refName, platform ?? ReadConfigPlatform(archive, configMember), configMember, configDigest, layers));
    }

    internal static List<string> ReadDiffIds(ImageArchive archive, TarMember config)
    {
        using var doc = archive.ReadJson(config, "image config");
        return [.. (doc.RootElement.Object("rootfs") ?? default).Strings("diff_ids")];
    }

    internal static ImagePlatform? ReadConfigPlatform(ImageArchive archive, TarMember config)
    {
        using var doc = archive.ReadJson(config, "image config");
        return ReadPlatform(doc.RootElement);
    }

    private static ImagePlatform? ReadPlatform(JsonElement? platform) =>
        platform is { } p && p.String("os") is { } os && p.String("architecture") is { } arch ? new ImagePlatform(os, arch, p.String("variant")) : null;
}
