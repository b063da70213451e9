using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Formats.Containers;

/// <summary>
/// Lays the layers of one image into the virtual tree as a container runtime would see the
/// result, in one streaming pass per layer and without spooling a layer: layers are read from the
/// top down, so an entry is final the moment it is met unless a layer above already holds that
/// path, deleted it (whiteout <c>.wh.NAME</c>), made a parent opaque (<c>.wh..wh..opq</c>) or put
/// a non-directory where the entry's parent was. Every entry carries the layer that put it there.
/// </summary>
/// <remarks>
/// OCI image-spec layer.md, "Whiteouts": a whiteout hides the name in lower layers only, never in
/// its own layer; an opaque whiteout hides every sibling below it in lower layers; names with the
/// prefix <c>.wh..wh.</c> other than the opaque marker are AUFS bookkeeping and are ignored.
/// </remarks>
internal sealed class LayerStack(string formatId, ImageArchive archive, IUnpackContext context)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string RootFolder = "rootfs";

    /// <summary>Images have tens of layers; a manifest naming thousands is hostile or broken.</summary>
    public const int MaxLayers = 1000;

    [Flags]
    private enum Mask
    {
        None = 0,

        /// <summary>An upper layer holds this exact path.</summary>
        Present = 1,

        /// <summary>…as a non-directory: nothing below it in lower layers is visible.</summary>
        NonDirectory = 2,

        /// <summary>An upper layer deleted it (whiteout): neither it nor anything below it is visible.</summary>
        Deleted = 4,

        /// <summary>An upper layer made this directory opaque: nothing below it in lower layers is visible.</summary>
        Opaque = 8,
    }

    private readonly Dictionary<string, Mask> _masks = new(StringComparer.Ordinal);

    /// <summary>Lays out one image: its config as <c>config.json</c> and its files below <c>rootfs/</c>.</summary>
    public void Emit(ImagePlan image)
    {
        var prefix = image.Folder.Length == 0 ? "" : image.Folder + "/";
        if (archive.VerifyDigest(image.Config, image.ConfigDigest, "image config") is { } configMismatch)
            context.AddError(configMismatch, image.Config.DataOffset, prefix + "config.json");
        context.AddFile(new EntryMeta(prefix + "config.json"), archive.Slice(image.Config));
        if (image.Layers.Count > MaxLayers)
        {
            context.AddError($"the image names {image.Layers.Count} layers, more than the {MaxLayers} Assay lays out; its files were not listed", image.Config.DataOffset);
            return;
        }
        for (var i = image.Layers.Count - 1; i >= 0; i--)
        {
            var layer = image.Layers[i];
            var what = $"layer {i + 1} of {image.Layers.Count} ('{layer.Member.Name}')";
            if (archive.VerifyDigest(layer.Member, layer.Digest, what) is { } mismatch)
                context.AddError(mismatch, layer.Member.DataOffset);
            var pending = new List<(string Path, Mask Mask)>();
            try
            {
                ApplyLayer(layer, prefix + RootFolder + "/", pending, what);
            }
            // System.Formats.Tar reports some malformed headers (numbers out of range) as OverflowException or ArgumentException.
            catch (Exception e) when (e is System.FormatException or InvalidDataException or EndOfStreamException or IOException or ZstdSharp.ZstdException
                or OverflowException or ArgumentException)
            {
                context.AddError($"{what} is damaged: {e.Message}; the files before the damage are listed, lower layers go on", layer.Member.DataOffset);
            }
            // Whiteouts and entries of this layer hide paths in the layers below it only.
            foreach (var (path, mask) in pending)
                _masks[path] = _masks.GetValueOrDefault(path) | mask;
        }
    }

    private void ApplyLayer(LayerPlan layer, string root, List<(string, Mask)> pending, string what)
    {
        using var stored = archive.Slice(layer.Member).OpenStream();
        using var decompressed = Decompress(stored, layer);
        using var bounded = new RatioStream(decompressed, layer.Member.Size, context.Limits, what);
        using var diffHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var hashing = new HashingStream(bounded, diffHash);
        using (var reader = new TarReader(hashing, leaveOpen: true))
        {
            while (NextEntry(reader) is { } entry)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                ApplyEntry(entry, layer, root, pending);
            }
        }
        // The DiffID covers the whole uncompressed tar, zero blocks included.
        hashing.CopyTo(Stream.Null);
        if (layer.DiffId is { } diffId && diffId.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var actual = "sha256:" + Convert.ToHexStringLower(diffHash.GetHashAndReset());
            if (!string.Equals(actual, diffId, StringComparison.OrdinalIgnoreCase))
                context.AddError($"{what}: the uncompressed layer hashes to {actual} but the image config lists its DiffID as {diffId}; the layer is not the one the image was built with", layer.Member.DataOffset);
        }
    }

    /// <summary>
    /// The next entry, or null at the end. Layer tars written by Go's archive/tar without Close
    /// (umoci's whiteout-only layers, some registries) end after the last entry with no zero
    /// blocks; runtimes accept them, and so does Assay.
    /// </summary>
    private static TarEntry? NextEntry(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private void ApplyEntry(TarEntry entry, LayerPlan layer, string root, List<(string, Mask)> pending)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            return;
        var path = Clean(entry.Name);
        if (path is null)
        {
            context.AddError($"layer entry '{Printable(entry.Name)}' climbs out of the image root (path traversal); skipped", null, null);
            return;
        }
        if (path.Length == 0)
            return;
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        var parent = slash < 0 ? "" : path[..slash];
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            if (name == OpaqueMarker)
                pending.Add((parent, Mask.Opaque));
            else if (!name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
                pending.Add((slash < 0 ? name[WhiteoutPrefix.Length..] : parent + "/" + name[WhiteoutPrefix.Length..], Mask.Deleted));
            return;
        }
        if (Hidden(path))
            return;
        var isDirectory = entry.EntryType == TarEntryType.Directory;
        pending.Add((path, isDirectory ? Mask.Present : Mask.Present | Mask.NonDirectory));
        var meta = new EntryMeta(root + path)
        {
            Mode = (int)entry.Mode & 0xfff,
            Uid = entry.Uid,
            Gid = entry.Gid,
            Mtime = entry.ModificationTime.ToUnixTimeSeconds(),
            Layer = layer.Id,
        };
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                if (entry.DataStream is { } data)
                    context.AddFile(meta, data);
                else
                    context.AddFile(meta, new MemoryBlob(ReadOnlyMemory<byte>.Empty));
                break;
            case TarEntryType.Directory:
                context.AddDirectory(meta);
                break;
            case TarEntryType.SymbolicLink:
                context.AddSymlink(meta, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var target = Clean(entry.LinkName);
                if (target is null or "")
                    context.AddError($"hard link target '{Printable(entry.LinkName)}' climbs out of the image root; link not listed", null, meta.Path);
                else
                    context.AddHardlink(meta, root + target);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var posix = entry as PosixTarEntry;
                context.AddSpecial(meta with { Major = posix?.DeviceMajor, Minor = posix?.DeviceMinor }, NodeKind.Device, entry.EntryType == TarEntryType.BlockDevice);
                break;
            case TarEntryType.Fifo:
                context.AddSpecial(meta, NodeKind.Fifo);
                break;
            default:
                context.AddError($"layer entry type {entry.EntryType} is not laid out (Assay lists regular files, directories, links, devices and fifos)", null, meta.Path);
                break;
        }
    }

    /// <summary>Whether a layer above hides <paramref name="path"/>: holds or deleted it, or deleted, replaced or made opaque one of its parents.</summary>
    private bool Hidden(string path)
    {
        if (_masks.Count == 0)
            return false;
        if ((_masks.GetValueOrDefault(path) & (Mask.Present | Mask.Deleted)) != 0)
            return true;
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if ((_masks.GetValueOrDefault(path[..slash]) & (Mask.Deleted | Mask.NonDirectory | Mask.Opaque)) != 0)
                return true;
        }
        return (_masks.GetValueOrDefault("") & Mask.Opaque) != 0;
    }

    /// <summary><c>./usr//bin/</c> → <c>usr/bin</c>; null when a <c>..</c> would leave the root.</summary>
    internal static string? Clean(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == ".." || part.Contains('\0', StringComparison.Ordinal))
                return null;
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    private Stream Decompress(Stream stored, LayerPlan layer)
    {
        Span<byte> magic = stackalloc byte[4];
        var n = archive.Blob.Read(layer.Member.DataOffset, magic[..(int)Math.Min(4, layer.Member.Size)]);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new GZipStream(stored, CompressionMode.Decompress);
        if (n == 4 && magic.SequenceEqual((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
            return new ZstdSharp.DecompressionStream(stored);
        if (layer.MediaType is { } type && (type.EndsWith("gzip", StringComparison.Ordinal) || type.EndsWith("zstd", StringComparison.Ordinal)))
            throw new Core.Formats.FormatException(formatId, layer.Member.DataOffset, $"layer '{layer.Member.Name}' has media type {type} but does not start with that compression's magic");
        return stored;
    }

    private static string Printable(string s) => s.Length > 200 ? s[..200] + "…" : s.Replace('\0', '␀');

    /// <summary>Read-only pass-through that feeds a hash.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            hash.AppendData(buffer[..n]);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Stops a layer whose decompressed size passes the ratio limit (a decompression bomb), whether or not its files are kept.</summary>
    private sealed class RatioStream(Stream inner, long packed, Core.Pipeline.ScanLimits limits, string what) : Stream
    {
        private long _produced;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            _produced += n;
            if (_produced > limits.RatioFloorBytes && _produced / Math.Max(1, packed) > limits.MaxRatio)
                throw new LimitExceededException("maxRatio", $"{what} expands past {limits.MaxRatio}:1 ({_produced:N0} bytes out of {packed:N0}); this looks like a decompression bomb. Raise --max-ratio if it is genuine");
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
