using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// U-Boot Flattened Image Tree (FIT, <c>.itb</c>): a device tree whose <c>/images</c> node holds one
/// subnode per image. Each image is emitted under its node name (<c>kernel-1</c>, <c>fdt-1</c>,
/// <c>ramdisk-1</c>), and the tree as DTS text, <c>fit-structure.dts</c>; each image's hash subnodes (<c>hash-1</c>: crc32, md5, sha1, sha256, sha384, sha512)
/// are verified, a mismatch is an error entry and the image is still emitted.
/// </summary>
/// <remarks>
/// Image data is either embedded (<c>data</c> property) or external (<c>mkimage -E</c>):
/// <c>data-offset</c> counts from the end of the device tree aligned to 4
/// (<c>(totalsize + 3) &amp; ~3</c>), <c>data-position</c> from the start of the FIT; both with
/// <c>data-size</c> (U-Boot doc/usage/fit/source_file_format.rst, "External data"). The chunk
/// therefore ends at the end of the farthest external image, not at totalsize.
/// <code>
/// / {
///     description = "...";  timestamp = &lt;0x6564d4a0&gt;;  #address-cells = &lt;1&gt;;
///     images {
///         kernel-1 { data = [..]; type = "kernel"; compression = "gzip"; hash-1 { algo = "sha256"; value = [..]; }; };
///     };
///     configurations { default = "conf-1"; conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; }; };
/// };
/// </code>
/// </remarks>
internal sealed class FitHandler : IFormatHandler<FitHandler.FitState>
{
    private const string ImagesNode = "images";

    /// <summary>U-Boot takes every subnode whose name starts with "hash" (hash-1, hash@1) as a hash node (FIT_HASH_NODENAME).</summary>
    private const string HashNodePrefix = "hash";
    private const int ExternalDataAlignment = 4;
    private const int MaxImages = 4096;
    private const int MaxHashValueBytes = 64;
    private const int HashBufferBytes = 1 << 16;

    /// <summary>
    /// The tree itself as DTS text, image data cut short: configurations, hash and signature nodes
    /// (algo, key-name-hint, signed images) for analysts and analyzers.
    /// </summary>
    public const string StructureListingName = "fit-structure.dts";

    private const int StructureValueBytes = 64;

    public string Id => "fit";
    public string Description => "U-Boot Flattened Image Tree (FIT) with embedded or external image data";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("d00dfeed")];
    public IReadOnlyList<string> References { get; } =
    [
        "U-Boot doc/usage/fit/source_file_format.rst (images, data, data-offset, data-position, data-size, hash nodes)",
        "U-Boot boot/image-fit.c fit_image_get_data_and_size, fit_image_check_hash",
        "Devicetree Specification v0.4, chapter 5",
    ];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "signature nodes (signature-1, RSA/ECDSA) are not verified; hash nodes are",
        "encrypted images (cipher subnode) are emitted as stored, still encrypted",
        "the configurations node is not interpreted; images are listed whether a configuration uses them or not",
    ];

    internal sealed record FitState(FdtHeader Header, FdtTree Tree, long Extent);

    public FormatMatch<FitState>? TryMatch(IBlob blob, long offset)
    {
        if (FdtReader.TryReadHeader(blob, offset) is not { } header || !FdtReader.StartsWithRoot(blob, offset, header))
            return null;
        if (header.TotalSize > blob.Length - offset)
            return null;
        FdtTree tree;
        try
        {
            tree = FdtReader.Read(blob.Slice(offset, header.TotalSize), header, Id, offset, CancellationToken.None);
        }
        catch (FormatException)
        {
            // a damaged tree is reported by the plain device tree handler
            return null;
        }
        if (tree.Root.Child(ImagesNode) is not { } images)
            return null;
        var fdt = blob.Slice(offset, header.TotalSize);
        long extent = header.TotalSize;
        foreach (var image in images.Children)
        {
            if (ExternalRange(fdt, header, image) is { } range)
                extent = Math.Max(extent, range.Offset + range.Size);
        }
        // mkimage -E pads every external image to 4 bytes, the last one included
        var padded = (extent + (ExternalDataAlignment - 1L)) & ~(ExternalDataAlignment - 1L);
        if (extent > header.TotalSize && padded <= blob.Length - offset)
            extent = padded;
        var truncated = extent > blob.Length - offset;
        var description = $"FIT image \"{FdtReader.ReadString(fdt, tree.Root, "description", 256)}\", {images.Children.Count} images" +
                          (extent > header.TotalSize ? $", external data to 0x{extent:x}" : "") +
                          (truncated ? $", truncated ({blob.Length - offset} of {extent} bytes present)" : "");
        return new FormatMatch<FitState>(offset, truncated ? null : extent, description, new FitState(header, tree, extent));
    }

    public void Unpack(IBlob chunk, FormatMatch<FitState> match, IUnpackContext context)
    {
        var state = match.State;
        var header = state.Header;
        var fdt = chunk.Slice(0, header.TotalSize);
        var images = state.Tree.Root.Child(ImagesNode)!;
        var mtime = FdtReader.ReadCells(fdt, state.Tree.Root, "timestamp");
        if (images.Children.Count > MaxImages)
            throw new FormatException(Id, images.Offset, $"/images has {images.Children.Count} subnodes, more than {MaxImages}; the FIT is damaged or hostile");

        var used = new HashSet<string>(StringComparer.Ordinal);
        string? missing = null;
        foreach (var image in images.Children)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var name = UniqueName(ImageName(image.Name), used);
            if (ExternalRange(fdt, header, image) is { } range && range.Offset + range.Size > chunk.Length)
            {
                missing ??= $"image {image.Path} at 0x{range.Offset:x}+0x{range.Size:x}";
                continue;
            }
            var data = ImageData(chunk, fdt, header, image, match.Offset, context, name);
            if (data is null)
                continue;
            foreach (var hash in image.Children.Where(c => c.Name.StartsWith(HashNodePrefix, StringComparison.Ordinal)))
                CheckHash(fdt, hash, data, image, name, context);
            context.AddFile(new EntryMeta(name) { Mtime = mtime is { } t ? (long)t : null }, data);
        }
        var listing = DtsPrinter.Print(fdt, state.Tree, context.CancellationToken, StructureValueBytes);
        using (var stream = new MemoryStream(listing, writable: false))
            context.AddFile(new EntryMeta(UniqueName(StructureListingName, used)) { Mtime = mtime is { } t ? (long)t : null }, stream);
        if (missing is not null)
        {
            throw new FormatException(Id, match.Offset + chunk.Length,
                $"external data ends at 0x{state.Extent:x} but only 0x{chunk.Length:x} bytes are present ({missing} is cut off); the FIT is truncated, the images before the cut were listed");
        }
    }

    /// <summary>The image's bytes as a slice of the chunk, or null (with an error entry) when they lie outside it.</summary>
    private IBlob? ImageData(IBlob chunk, IBlob fdt, FdtHeader header, FdtNode image, long chunkOffset, IUnpackContext context, string name)
    {
        if (image.Property("data") is { } embedded)
            return chunk.Slice(embedded.ValueOffset, embedded.Length);
        if (ExternalRange(fdt, header, image) is not { } range)
        {
            context.AddError($"FIT image node {image.Path} has neither data nor data-offset/data-position with data-size; nothing to emit", image.Offset, name);
            return null;
        }
        if (range.Offset + range.Size > chunk.Length)
        {
            context.AddError($"FIT image node {image.Path}: external data 0x{range.Offset:x}+0x{range.Size:x} passes the end of the FIT (0x{chunk.Length:x}); the image is truncated",
                chunkOffset + range.Offset, name);
            return null;
        }
        return chunk.Slice(range.Offset, range.Size);
    }

    /// <summary>Where external data lies relative to the FIT start; null when the node has no external data properties.</summary>
    private static (long Offset, long Size)? ExternalRange(IBlob fdt, FdtHeader header, FdtNode image)
    {
        if (image.Property("data") is not null || FdtReader.ReadCells(fdt, image, "data-size") is not { } size)
            return null;
        if (FdtReader.ReadCells(fdt, image, "data-position") is { } position)
            return ((long)Math.Min(position, uint.MaxValue), (long)Math.Min(size, uint.MaxValue));
        if (FdtReader.ReadCells(fdt, image, "data-offset") is { } offset)
        {
            var start = (header.TotalSize + (ExternalDataAlignment - 1L)) & ~(ExternalDataAlignment - 1L);
            return (checked(start + (long)Math.Min(offset, uint.MaxValue)), (long)Math.Min(size, uint.MaxValue));
        }
        return null;
    }

    private void CheckHash(IBlob fdt, FdtNode hash, IBlob data, FdtNode image, string name, IUnpackContext context)
    {
        var algo = FdtReader.ReadString(fdt, hash, "algo", 64);
        if (algo is null || hash.Property("value") is not { } valueProperty)
        {
            context.AddError($"FIT hash node {hash.Path} lacks algo or value; the image's integrity cannot be checked", hash.Offset, name);
            return;
        }
        var expected = FdtReader.ReadValue(fdt, valueProperty, MaxHashValueBytes);
        var actual = Digest(algo, data, context.CancellationToken);
        if (actual is null)
            return;
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            context.AddError($"FIT image {image.Path}: {algo} of its {data.Length} bytes is {Convert.ToHexStringLower(actual)} but {hash.Name} records {Convert.ToHexStringLower(expected)}; the image was modified or damaged after signing/building",
                hash.Offset, name);
        }
    }

    /// <summary>Digest of the data as U-Boot stores it (crc32 big-endian), or null for an algorithm not checked here.</summary>
    private static byte[]? Digest(string algo, IBlob data, CancellationToken cancellationToken)
    {
        IncrementalHash? incremental = algo switch
        {
            "md5" => IncrementalHash.CreateHash(HashAlgorithmName.MD5),
            "sha1" => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
            "sha256" => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
            "sha384" => IncrementalHash.CreateHash(HashAlgorithmName.SHA384),
            "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
            _ => null,
        };
        var crc = algo == "crc32" ? new System.IO.Hashing.Crc32() : null;
        if (incremental is null && crc is null)
            return null;
        using (incremental)
        {
            var buffer = new byte[(int)Math.Min(HashBufferBytes, Math.Max(1, data.Length))];
            long pos = 0;
            while (pos < data.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = data.Read(pos, buffer);
                if (n <= 0)
                    break;
                incremental?.AppendData(buffer, 0, n);
                crc?.Append(buffer.AsSpan(0, n));
                pos += n;
            }
            if (crc is not null)
            {
                var value = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(value, crc.GetCurrentHashAsUInt32());
                return value;
            }
            return incremental!.GetHashAndReset();
        }
    }

    /// <summary>Node names kept as they are where safe (letters, digits, '-', '_', '.', ',', '+', '@'); never a path.</summary>
    private static string ImageName(string nodeName)
    {
        var sb = new StringBuilder(nodeName.Length);
        foreach (var c in nodeName)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ',' or '+' or '@' ? c : '_');
        var s = sb.ToString().Trim('.');
        return s.Length == 0 ? "image" : s;
    }

    private static string UniqueName(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var i = 1; !used.Add(candidate); i++)
            candidate = $"{name}.{i}";
        return candidate;
    }
}
