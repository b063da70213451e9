using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;

namespace Assay.Formats;

/// <summary>
/// A standalone flattened device tree blob (<c>.dtb</c>): validates the header and the structure
/// block, reports the chunk (totalsize) and emits the tree as DTS text, <c>devicetree.dts</c>, so
/// analysts and analyzers can read the board description (compatible strings, bootargs, partitions).
/// FIT images (device trees with an <c>/images</c> node) are taken first by <see cref="FitHandler"/>.
/// </summary>
/// <remarks>
/// Layout (devicetree specification v0.4, chapter 5): header, memory reservation block, structure
/// block, strings block; see <see cref="FdtHeader"/> for the header and a real hexdump.
/// </remarks>
internal sealed class DtbHandler : IFormatHandler<FdtHeader>
{
    /// <summary>Name of the emitted DTS listing.</summary>
    public const string ListingName = "devicetree.dts";

    public string Id => "dtb";
    public string Description => "flattened device tree blob (DTB), listed as DTS text";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("d00dfeed")];
    public IReadOnlyList<string> References { get; } = ["Devicetree Specification v0.4, chapter 5 \"Flattened Devicetree (DTB) Format\"", "dtc/libfdt fdt.h"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "the listing is for reading, not for recompiling: phandle references are printed as numbers, labels are gone, values longer than 4 KiB are cut with a comment",
        "device tree overlays (.dtbo) are listed as plain trees; fixups are not applied",
        "header versions 16 and 17 only",
    ];

    public FormatMatch<FdtHeader>? TryMatch(IBlob blob, long offset)
    {
        if (FdtReader.TryReadHeader(blob, offset) is not { } header || !FdtReader.StartsWithRoot(blob, offset, header))
            return null;
        var truncated = header.TotalSize > blob.Length - offset;
        var description = $"device tree blob v{header.Version}, {header.TotalSize} bytes" +
                          (truncated ? $", truncated ({blob.Length - offset} bytes present)" : "");
        return new FormatMatch<FdtHeader>(offset, truncated ? null : header.TotalSize, description, header);
    }

    public void Unpack(IBlob chunk, FormatMatch<FdtHeader> match, IUnpackContext context)
    {
        var header = match.State;
        var tree = FdtReader.Read(chunk, header, Id, match.Offset, context.CancellationToken);
        var text = DtsPrinter.Print(chunk, tree, context.CancellationToken);
        using var stream = new MemoryStream(text, writable: false);
        context.AddFile(new EntryMeta(ListingName), stream);
    }
}

/// <summary>
/// Prints a parsed tree as DTS text in the style of <c>dtc -I dtb -O dts</c>: strings as strings,
/// multiples of 4 bytes as cells, anything else as bytes. Bounded: values longer than
/// <see cref="MaxValueBytes"/> (or the caller's bound) are cut with a comment and the listing stops at <see cref="MaxTextBytes"/>.
/// </summary>
internal static class DtsPrinter
{
    public const int MaxValueBytes = 4096;
    public const int MaxTextBytes = 8 << 20;

    public static byte[] Print(IBlob fdt, FdtTree tree, CancellationToken cancellationToken, int maxValueBytes = MaxValueBytes)
    {
        var sb = new StringBuilder();
        sb.Append("/dts-v1/;\n\n");
        foreach (var (address, size) in tree.MemoryReservations)
            sb.Append("/memreserve/ 0x").Append(address.ToString("x16")).Append(" 0x").Append(size.ToString("x16")).Append(";\n");
        if (tree.MemoryReservations.Count > 0)
            sb.Append('\n');
        var stopped = !PrintNode(fdt, tree.Root, 0, sb, maxValueBytes, cancellationToken);
        if (stopped)
            sb.Append("\n/* listing stopped at ").Append(MaxTextBytes).Append(" characters */\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static bool PrintNode(IBlob fdt, FdtNode node, int depth, StringBuilder sb, int maxValueBytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (sb.Length > MaxTextBytes)
            return false;
        var indent = new string('\t', depth);
        sb.Append(indent).Append(node.Parent is null ? "/" : node.Name).Append(" {\n");
        foreach (var p in node.Properties)
        {
            if (sb.Length > MaxTextBytes)
                return false;
            sb.Append(indent).Append('\t').Append(p.Name);
            if (p.Length > 0)
            {
                sb.Append(" = ");
                AppendValue(FdtReader.ReadValue(fdt, p, maxValueBytes), p.Length, sb);
            }
            sb.Append(";\n");
        }
        foreach (var child in node.Children)
        {
            sb.Append('\n');
            if (!PrintNode(fdt, child, depth + 1, sb, maxValueBytes, cancellationToken))
                return false;
        }
        sb.Append(indent).Append("};\n");
        return true;
    }

    private static void AppendValue(byte[] value, int fullLength, StringBuilder sb)
    {
        var cut = value.Length < fullLength;
        if (!cut && IsStringList(value))
        {
            var first = true;
            foreach (var s in value.AsSpan(0, value.Length - 1).ToArray().Split0())
            {
                if (!first)
                    sb.Append(", ");
                first = false;
                sb.Append('"');
                foreach (var b in s)
                {
                    switch (b)
                    {
                        case (byte)'"': sb.Append("\\\""); break;
                        case (byte)'\\': sb.Append("\\\\"); break;
                        case (byte)'\t': sb.Append("\\t"); break;
                        case (byte)'\n': sb.Append("\\n"); break;
                        default: sb.Append((char)b); break;
                    }
                }
                sb.Append('"');
            }
        }
        else if (value.Length % 4 == 0)
        {
            sb.Append('<');
            for (var i = 0; i < value.Length; i += 4)
            {
                if (i > 0)
                    sb.Append(' ');
                sb.Append("0x").Append(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(value.AsSpan(i)).ToString("x"));
            }
            sb.Append('>');
        }
        else
        {
            sb.Append('[');
            for (var i = 0; i < value.Length; i++)
            {
                if (i > 0)
                    sb.Append(' ');
                sb.Append(value[i].ToString("x2"));
            }
            sb.Append(']');
        }
        if (cut)
            sb.Append(" /* first ").Append(value.Length).Append(" of ").Append(fullLength).Append(" bytes */");
    }

    /// <summary>dtc's test: NUL-terminated, every string non-empty and printable.</summary>
    private static bool IsStringList(byte[] value)
    {
        if (value.Length == 0 || value[^1] != 0 || value[0] == 0)
            return false;
        for (var i = 0; i < value.Length - 1; i++)
        {
            var b = value[i];
            if (b == 0)
            {
                if (value[i + 1] == 0)
                    return false;
                continue;
            }
            if (b is < 0x20 or >= 0x7f && b is not ((byte)'\t' or (byte)'\n'))
                return false;
        }
        return true;
    }

    private static List<byte[]> Split0(this byte[] bytes)
    {
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == 0)
            {
                parts.Add(bytes[start..i]);
                start = i + 1;
            }
        }
        return parts;
    }
}
