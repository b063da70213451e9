using System.Globalization;
using System.Text;
using System.Text.Json;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Containers;

/// <summary>The platform an image manifest is for (OCI image index, "platform" object).</summary>
internal sealed record ImagePlatform(string Os, string Architecture, string? Variant)
{
    /// <summary><c>linux/arm64/v8</c>, as registries and <c>docker</c> write it.</summary>
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary><c>linux-arm64-v8</c>: a folder name.</summary>
    public string FolderName => ImageArchive.Sanitize(ToString().Replace('/', '-'));
}

/// <summary>One layer of an image: the archive member holding it, and what the manifest and config say it must be.</summary>
/// <param name="Digest">The manifest's digest of the stored (usually compressed) blob, when there is a manifest.</param>
/// <param name="DiffId">The config's <c>rootfs.diff_ids</c> entry: SHA-256 of the uncompressed layer tar.</param>
internal sealed record LayerPlan(TarMember Member, string? Digest, string? DiffId, string? MediaType)
{
    /// <summary>How the file record names the layer: the DiffID (the same whether the layer is stored gzip, zstd or plain), else the blob digest, else the member name.</summary>
    public string Id => DiffId ?? Digest ?? Member.Name;
}

/// <summary>One image of the archive, ready to be laid out: where its config and layers are.</summary>
internal sealed record ImagePlan(string? RefName, ImagePlatform? Platform, TarMember Config, string? ConfigDigest, IReadOnlyList<LayerPlan> Layers)
{
    /// <summary>Folder of this image below the archive ("" when the archive holds one image).</summary>
    public string Folder { get; init; } = "";
}

/// <summary>
/// The parts of an image archive both layouts share: the member table, bounded JSON reads,
/// digest checks and the folder names of the images.
/// </summary>
internal sealed class ImageArchive(string formatId, IBlob blob, IReadOnlyList<TarMember> members)
{
    /// <summary>Index, manifest and config documents larger than this are refused (real ones are a few KiB; a long history stays well below).</summary>
    public const int MaxJsonBytes = 8 << 20;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    private readonly Dictionary<string, TarMember> _byName = Index(members);

    public IBlob Blob { get; } = blob;
    public IReadOnlyList<TarMember> Members { get; } = members;

    /// <summary>
    /// The regular-file member of that name; a symbolic link (skopeo's docker-archive links
    /// <c>ID/layer.tar</c> to <c>HEX.tar</c>) is followed within the archive, a few hops at most.
    /// </summary>
    public TarMember? Find(string name)
    {
        var member = _byName.GetValueOrDefault(TarMembers.Normalize(name));
        for (var hops = 0; member is { Type: '2' } && hops < 4; hops++)
        {
            var slash = member.Name.LastIndexOf('/');
            var target = member.LinkName.StartsWith('/') ? member.LinkName : (slash < 0 ? "" : member.Name[..(slash + 1)]) + member.LinkName;
            member = LayerStack.Clean(target) is { } clean ? _byName.GetValueOrDefault(clean) : null;
        }
        return member is { Type: '2' } ? null : member;
    }

    /// <summary>The blob <c>blobs/ALG/HEX</c> of an OCI layout, by digest; null when the digest is malformed or absent.</summary>
    public TarMember? FindBlob(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == digest.Length - 1)
            return null;
        var algorithm = digest[..colon];
        var hex = digest[(colon + 1)..];
        // OCI image-spec descriptor.md "Digests": algorithm [a-z0-9]+([+._-][a-z0-9]+)*, encoded [a-zA-Z0-9=_-]+.
        if (!algorithm.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '.' or '_' or '-')
            || !hex.All(c => char.IsAsciiLetterOrDigit(c) || c is '=' or '_' or '-'))
            return null;
        return Find($"blobs/{algorithm}/{hex}");
    }

    /// <summary>Parses a member as JSON, bounded; a broken document is "this format, but broken".</summary>
    public JsonDocument ReadJson(TarMember member, string what)
    {
        if (member.Type is not ('0' or '7'))
            throw new FormatException(formatId, member.DataOffset, $"{what} '{member.Name}' is not a regular file in the archive");
        if (member.Size > MaxJsonBytes)
            throw new FormatException(formatId, member.DataOffset, $"{what} '{member.Name}' has {member.Size:N0} bytes, more than the {MaxJsonBytes:N0} a JSON document of an image may have; refusing it");
        var bytes = Blob.ReadBytes(member.DataOffset, (int)member.Size);
        try
        {
            return JsonDocument.Parse(bytes, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException(formatId, member.DataOffset, $"{what} '{member.Name}' is not valid JSON ({e.Message})");
        }
    }

    /// <summary>The content of a member as a slice of the archive (no copy).</summary>
    public IBlob Slice(TarMember member) => Blob.Slice(member.DataOffset, member.Size);

    /// <summary>
    /// Checks a member against its descriptor digest (<c>sha256:…</c>): the delivery's integrity,
    /// TS 33.527 "image integrity". Returns null when it matches or the algorithm is not SHA-256
    /// (then nothing is claimed), else the message to report.
    /// </summary>
    public string? VerifyDigest(TarMember member, string? digest, string what)
    {
        if (digest is null || !digest.StartsWith("sha256:", StringComparison.Ordinal))
            return null;
        var actual = "sha256:" + Sha256(Slice(member));
        return string.Equals(actual, digest, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{what} '{member.Name}' does not match its digest: the manifest says {digest}, the content hashes to {actual}; the image was altered or damaged after it was built";
    }

    public static string Sha256(IBlob content)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long position = 0;
        int n;
        while ((n = content.Read(position, buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            position += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Gives each image its folder: none when the archive holds one image; the platform when all
    /// images share a name (a multi-arch index); else the name, plus the platform where one name
    /// has several. Names that still collide get the config digest.
    /// </summary>
    public static IReadOnlyList<ImagePlan> AssignFolders(IReadOnlyList<ImagePlan> images)
    {
        if (images.Count <= 1)
            return images;
        var sameRef = images.Select(i => i.RefName).Distinct(StringComparer.Ordinal).Count() == 1;
        var result = new List<ImagePlan>(images.Count);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var platformsOfRef = images.Count(i => i.RefName == image.RefName);
            string folder;
            if (sameRef && image.Platform is not null)
                folder = image.Platform.FolderName;
            else
            {
                folder = Sanitize(image.RefName ?? ShortDigest(image.ConfigDigest) ?? "image");
                if (platformsOfRef > 1 && image.Platform is not null)
                    folder += "/" + image.Platform.FolderName;
            }
            if (!used.Add(folder))
            {
                folder += "@" + (ShortDigest(image.ConfigDigest) ?? used.Count.ToString(CultureInfo.InvariantCulture));
                used.Add(folder);
            }
            result.Add(image with { Folder = folder });
        }
        return result;
    }

    /// <summary>A name from the input made safe as one folder name: no separators, no dot-only names, printable, bounded.</summary>
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(Math.Min(name.Length, 100));
        foreach (var c in name)
        {
            if (sb.Length == 100)
                break;
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '@' or '+' ? c : '_');
        }
        var s = sb.ToString();
        return s.Trim('.').Length == 0 ? "_" + s : s;
    }

    private static string? ShortDigest(string? digest) =>
        digest is { Length: > 19 } && digest.StartsWith("sha256:", StringComparison.Ordinal) ? "sha256-" + digest[7..19] : null;

    private static Dictionary<string, TarMember> Index(IReadOnlyList<TarMember> members)
    {
        // A later member of the same name replaces an earlier one, as when tar extracts.
        var byName = new Dictionary<string, TarMember>(StringComparer.Ordinal);
        foreach (var m in members)
            byName[m.Name] = m;
        return byName;
    }
}

/// <summary>Small readers over <see cref="JsonElement"/> that never throw on a wrong type.</summary>
internal static class Json
{
    public static string? String(this JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? Text(p) : null;

    public static JsonElement? Object(this JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Object ? p : null;

    public static IEnumerable<JsonElement> Array(this JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray() : [];

    public static IEnumerable<string> Strings(this JsonElement e, string property) =>
        e.Array(property).Where(x => x.ValueKind == JsonValueKind.String).Select(x => Text(x)!);

    /// <summary>A string value; invalid UTF-8 in it (System.Text.Json reads it lazily and throws
    /// InvalidOperationException) is malformed input, not an internal error.</summary>
    public static string? Text(JsonElement e)
    {
        try
        {
            return e.GetString();
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"image metadata holds a string that is not valid UTF-8: {ex.Message}", ex);
        }
    }
}
