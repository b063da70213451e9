using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Formats.Tests;

/// <summary>
/// Runs a handler over an image with a context that keeps, per regular file, the packed identity the
/// handler gave and the SHA-256 and size of the bytes it delivered (for the packed-identity tests).
/// </summary>
internal static class IdentityRecorder
{
    public sealed record Seen(PackedIdentity? Identity, string Sha256, long Size);

    /// <summary>The files of <paramref name="image"/> by path; <paramref name="keepsResults"/> is what the context tells the handler.</summary>
    public static Dictionary<string, Seen> Files(IFormatHandler handler, byte[] image, bool keepsResults = true)
    {
        var blob = new MemoryBlob(image);
        var match = handler.TryMatch(blob, 0) ?? throw new InvalidOperationException($"not {handler.Id}");
        var context = new Context(keepsResults);
        handler.Unpack(blob.Slice(match.Offset, match.Length ?? image.Length), match, context);
        return context.Files;
    }

    private sealed class Context(bool keepsResults) : IUnpackContext
    {
        public Dictionary<string, Seen> Files { get; } = new(StringComparer.Ordinal);
        public CancellationToken CancellationToken => default;
        public Core.Pipeline.ScanLimits Limits { get; } = new();
        public string ContainerPath => "image";
        public bool KeepsResults => keepsResults;
        public void AddDirectory(EntryMeta meta) { }
        public void AddSymlink(EntryMeta meta, string target) { }
        public void AddHardlink(EntryMeta meta, string target) { }
        public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false) { }
        public void AddError(string message, long? offset = null, string? entryPath = null) => throw new InvalidOperationException(message);
        public void AddFile(EntryMeta meta, IBlob content) => AddFile(meta, new BlobStream(content), null, null);
        public void AddFile(EntryMeta meta, Stream content, long? packedSize = null) => AddFile(meta, content, packedSize, null);

        public void AddFile(EntryMeta meta, Stream content, long? packedSize, PackedIdentity? identity)
        {
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Files[meta.Path] = new Seen(identity, Convert.ToHexStringLower(SHA256.HashData(copy.ToArray())), copy.Length);
        }
    }
}
