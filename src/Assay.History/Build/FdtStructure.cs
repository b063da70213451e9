using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Formats;

namespace Assay.History.Build;

/// <summary>
/// A device tree's structure for comparison (a FIT image or a DTB): every node and property in
/// stored order with the SHA-256 of its value, read with the format handlers' own reader
/// (<c>FdtReader</c>), never from the DTS listing the handlers emit for people. Each entry knows what
/// it is in a FIT (U-Boot doc/usage/fit/source_file_format.rst): a signature node's content
/// (<c>/configurations/*/signature*</c>, <c>/images/*/signature*</c>), the build
/// <c>/timestamp</c>, an image's <c>data</c> (compared as the image file it is unpacked to), or
/// anything else.
/// </summary>
internal static class FdtStructure
{
    /// <summary>What an entry is, for the normalisations.</summary>
    internal enum EntryKind
    {
        Other,
        Signature,
        Timestamp,
    }

    /// <summary>A node (<see cref="Property"/> null) or property, its value's digest and kind.</summary>
    internal sealed record Entry(string Node, string? Property, string Digest, long Length, EntryKind Kind)
    {
        public string Name => Property is null ? Node : $"{Node}:{Property}";
    }

    private const string Images = "images";
    private const string Configurations = "configurations";
    private const string SignatureNode = "signature";
    private const int HashChunk = 1 << 16;

    /// <summary>The entries of the device tree at the start of <paramref name="blob"/>; <see cref="InvalidDataException"/> when it is broken.</summary>
    public static IReadOnlyList<Entry> Read(IBlob blob, bool isFit, CancellationToken cancellationToken = default)
    {
        if (FdtReader.TryReadHeader(blob, 0) is not { } header)
            throw new InvalidDataException("fdt: no device tree header");
        FdtTree tree;
        IBlob fdt;
        try
        {
            fdt = blob.Slice(0, Math.Min(header.TotalSize, blob.Length));
            tree = FdtReader.Read(fdt, header, isFit ? "fit" : "dtb", 0, cancellationToken);
        }
        catch (Core.Formats.FormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        var entries = new List<Entry>();
        Walk(fdt, tree.Root, isFit, inSignature: false, entries, cancellationToken);
        return entries;
    }

    private static void Walk(IBlob fdt, FdtNode node, bool isFit, bool inSignature, List<Entry> entries, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var signature = inSignature || (isFit && IsSignatureNode(node));
        entries.Add(new Entry(node.Path, null, "", 0, signature ? EntryKind.Signature : EntryKind.Other));
        foreach (var p in node.Properties)
        {
            if (isFit && p.Name == "data" && node.Parent?.Name == Images && node.Parent.Parent?.Parent is null)
                continue;
            var kind = signature ? EntryKind.Signature
                : isFit && node.Parent is null && p.Name == "timestamp" ? EntryKind.Timestamp
                : EntryKind.Other;
            entries.Add(new Entry(node.Path, p.Name, Digest(fdt, p), p.Length, kind));
        }
        foreach (var child in node.Children)
            Walk(fdt, child, isFit, signature, entries, cancellationToken);
    }

    /// <summary>U-Boot's FIT_SIG_NODENAME: "signature", also "signature-N" and "signature@N", below an image or a configuration.</summary>
    private static bool IsSignatureNode(FdtNode node)
    {
        var name = node.Name;
        if (!(name == SignatureNode || name.StartsWith(SignatureNode + "-", StringComparison.Ordinal) || name.StartsWith(SignatureNode + "@", StringComparison.Ordinal)))
            return false;
        var group = node.Parent?.Parent;
        return group is not null && group.Parent?.Parent is null && group.Name is Images or Configurations;
    }

    private static string Digest(IBlob fdt, FdtProperty p)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Math.Min(HashChunk, Math.Max(1, p.Length))];
        long done = 0;
        while (done < p.Length)
        {
            var n = fdt.Read(p.ValueOffset + done, buffer.AsSpan(0, (int)Math.Min(buffer.Length, p.Length - done)));
            if (n <= 0)
                throw new InvalidDataException($"fdt: property {p.Name} passes the end of the tree");
            hash.AppendData(buffer, 0, n);
            done += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
