using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// The header of a flattened device tree (devicetree specification v0.4, 5.2), all fields big-endian.
/// </summary>
/// <remarks>
/// <code>
/// struct fdt_header {
///     uint32_t magic;             // 0x00  0xd00dfeed
///     uint32_t totalsize;         // 0x04  bytes of the whole blob
///     uint32_t off_dt_struct;     // 0x08  structure block, 4-aligned
///     uint32_t off_dt_strings;    // 0x0c  strings block
///     uint32_t off_mem_rsvmap;    // 0x10  memory reservation block, 8-aligned
///     uint32_t version;           // 0x14  17
///     uint32_t last_comp_version; // 0x18  16
///     uint32_t boot_cpuid_phys;   // 0x1c  (v2)
///     uint32_t size_dt_strings;   // 0x20  (v3)
///     uint32_t size_dt_struct;    // 0x24  (v17)
/// };
/// </code>
/// A real header (<c>dtc -I dts -O dtb</c>, 719 bytes, one memory reservation):
/// <code>
/// 00000000  d0 0d fe ed 00 00 02 cf  00 00 00 48 00 00 02 64  |...........H...d|
/// 00000010  00 00 00 28 00 00 00 11  00 00 00 10 00 00 00 00  |...(............|
/// 00000020  00 00 00 6b 00 00 02 1c                           |...k....|
/// </code>
/// </remarks>
internal readonly record struct FdtHeader(
    uint TotalSize, uint StructOffset, uint StringsOffset, uint MemRsvOffset, uint Version, uint LastCompatibleVersion,
    uint BootCpu, uint StringsSize, uint StructSize)
{
    public const uint Magic = 0xd00dfeed;

    /// <summary>Header bytes of version 17; version 16 stops before size_dt_struct.</summary>
    public const int Length = 40;
    public const int V16Length = 36;

    public const int TotalSizeOffset = 0x04;
    public const int StructOffsetOffset = 0x08;
    public const int StringsOffsetOffset = 0x0c;
    public const int MemRsvOffsetOffset = 0x10;
    public const int VersionOffset = 0x14;
    public const int LastCompVersionOffset = 0x18;
    public const int BootCpuOffset = 0x1c;
    public const int StringsSizeOffset = 0x20;
    public const int StructSizeOffset = 0x24;

    /// <summary>Versions read: 16 and 17 (dtc has written 17, last compatible 16, since 2007).</summary>
    public const uint MinVersion = 16;
    public const uint MaxLastCompatibleVersion = 17;

    /// <summary>Newer versions must stay compatible with 16; a version past this is not a device tree header.</summary>
    public const uint MaxVersion = 31;

    /// <summary>
    /// Reads and validates a header (magic, versions, every block inside totalsize, alignment);
    /// null when these bytes are not a device tree header. <paramref name="h"/> holds <see cref="Length"/> bytes.
    /// </summary>
    public static FdtHeader? TryRead(ReadOnlySpan<byte> h)
    {
        if (h.Length < Length || BinaryPrimitives.ReadUInt32BigEndian(h) != Magic)
            return null;
        var version = U(h, VersionOffset);
        var last = U(h, LastCompVersionOffset);
        if (version is < MinVersion or > MaxVersion || last > MaxLastCompatibleVersion || last == 0 || last > version)
            return null;
        var total = U(h, TotalSizeOffset);
        var structOffset = U(h, StructOffsetOffset);
        var stringsOffset = U(h, StringsOffsetOffset);
        var rsvOffset = U(h, MemRsvOffsetOffset);
        var stringsSize = U(h, StringsSizeOffset);
        var headerLength = version >= 17 ? Length : V16Length;
        // v16 has no size_dt_struct: the structure block runs at most to the strings block or the end.
        var structSize = version >= 17 ? U(h, StructSizeOffset) : (stringsOffset > structOffset ? stringsOffset - structOffset : total - structOffset);
        if (total < headerLength || structOffset < headerLength || rsvOffset < headerLength || stringsOffset < headerLength)
            return null;
        if (structOffset % 4 != 0 || rsvOffset % 8 != 0)
            return null;
        if ((ulong)structOffset + structSize > total || (ulong)stringsOffset + stringsSize > total || rsvOffset + 16UL > total)
            return null;
        // the smallest tree: BEGIN_NODE "" (8 bytes), END_NODE, END
        if (structSize < 16)
            return null;
        return new FdtHeader(total, structOffset, stringsOffset, rsvOffset, version, last, U(h, BootCpuOffset), stringsSize, structSize);
    }

    private static uint U(ReadOnlySpan<byte> h, int at) => BinaryPrimitives.ReadUInt32BigEndian(h[at..]);
}

/// <summary>A property: its name and where its value lies in the blob the tree was read from (never copied).</summary>
internal readonly record struct FdtProperty(string Name, long ValueOffset, int Length);

/// <summary>A node of a parsed tree: name (with unit address), properties and children in blob order.</summary>
internal sealed class FdtNode(string name, FdtNode? parent, long offset)
{
    public string Name { get; } = name;
    public FdtNode? Parent { get; } = parent;

    /// <summary>Offset of the node's BEGIN_NODE token in the blob.</summary>
    public long Offset { get; } = offset;

    public List<FdtProperty> Properties { get; } = [];
    public List<FdtNode> Children { get; } = [];

    public string Path => Parent is null ? "/" : Parent.Parent is null ? "/" + Name : Parent.Path + "/" + Name;

    public FdtNode? Child(string name) => Children.FirstOrDefault(c => c.Name == name);

    public FdtProperty? Property(string name)
    {
        foreach (var p in Properties)
        {
            if (p.Name == name)
                return p;
        }
        return null;
    }
}

/// <summary>A parsed device tree: header, memory reservations and the node tree.</summary>
internal sealed record FdtTree(FdtHeader Header, IReadOnlyList<(ulong Address, ulong Size)> MemoryReservations, FdtNode Root, int NodeCount, int PropertyCount);

/// <summary>
/// Reads a flattened device tree (devicetree specification v0.4, chapter 5) from a blob with bounded
/// reads: tokens FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END; property values stay in
/// the blob. Bounded by depth, node and property counts; every offset checked against the blocks.
/// </summary>
internal static class FdtReader
{
    // devicetree specification 5.4.1 "Lexical structure"
    private const uint TokenBeginNode = 0x1;
    private const uint TokenEndNode = 0x2;
    private const uint TokenProp = 0x3;
    private const uint TokenNop = 0x4;
    private const uint TokenEnd = 0x9;

    /// <summary>Nesting deeper than this is refused (real trees are under 10; libfdt's own limit is 64).</summary>
    public const int MaxDepth = 64;
    public const int MaxNodes = 100_000;
    public const int MaxProperties = 1_000_000;

    /// <summary>Node names: the spec allows 31 + unit address; a longer name means a damaged tree.</summary>
    private const int MaxNameBytes = 256;

    /// <summary>Strings blocks are a few KB; a larger one is read only up to this bound.</summary>
    private const int MaxStringsBytes = 1 << 20;

    private const int MaxReservations = 1024;
    private const int MemReserveEntryLength = 16;

    /// <summary>Reads and validates the header at <paramref name="offset"/>; null when it is not a device tree.</summary>
    public static FdtHeader? TryReadHeader(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[FdtHeader.Length];
        return blob.TryReadExactly(offset, h) ? FdtHeader.TryRead(h) : null;
    }

    /// <summary>True when the structure block starts with the root node: FDT_BEGIN_NODE and an empty name (NOPs skipped).</summary>
    public static bool StartsWithRoot(IBlob blob, long offset, FdtHeader header)
    {
        Span<byte> token = stackalloc byte[8];
        var pos = offset + header.StructOffset;
        var end = pos + header.StructSize;
        while (pos + 8 <= end)
        {
            if (!blob.TryReadExactly(pos, token))
                return false;
            var t = BinaryPrimitives.ReadUInt32BigEndian(token);
            if (t == TokenNop)
            {
                pos += 4;
                continue;
            }
            return t == TokenBeginNode && token[4] == 0;
        }
        return false;
    }

    /// <summary>
    /// Parses the tree of <paramref name="fdt"/> (the blob starts at the header and holds totalsize
    /// bytes). Broken structure throws <see cref="FormatException"/> for <paramref name="formatId"/>
    /// with offsets relative to <paramref name="baseOffset"/>.
    /// </summary>
    public static FdtTree Read(IBlob fdt, FdtHeader header, string formatId, long baseOffset, CancellationToken cancellationToken)
    {
        if (fdt.Length < header.TotalSize)
        {
            throw new FormatException(formatId, baseOffset + FdtHeader.TotalSizeOffset,
                $"totalsize {header.TotalSize} is past the end of the data ({fdt.Length} bytes); the device tree is truncated");
        }
        var reservations = ReadReservations(fdt, header, formatId, baseOffset);
        var strings = fdt.ReadBytes(header.StringsOffset, (int)Math.Min(header.StringsSize, MaxStringsBytes));
        var names = new Dictionary<uint, string>();
        var cursor = new Cursor(fdt, header.StructOffset, header.StructOffset + (long)header.StructSize, formatId, baseOffset);

        FdtNode? root = null;
        FdtNode? current = null;
        var depth = 0;
        var nodes = 0;
        var properties = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var at = cursor.Position;
            var token = cursor.ReadU32("token");
            switch (token)
            {
                case TokenBeginNode:
                {
                    var name = cursor.ReadName(MaxNameBytes);
                    if (root is not null && current is null)
                        throw Broken(formatId, baseOffset + at, "a second root node follows the end of the first; the structure block is damaged");
                    if (++nodes > MaxNodes)
                        throw Broken(formatId, baseOffset + at, $"more than {MaxNodes} nodes; the tree is damaged or hostile");
                    if (++depth > MaxDepth)
                        throw Broken(formatId, baseOffset + at, $"nodes nest deeper than {MaxDepth} levels; the tree is damaged or hostile");
                    var node = new FdtNode(name, current, baseOffset + at);
                    if (current is null)
                    {
                        if (name.Length != 0)
                            throw Broken(formatId, baseOffset + at, $"the root node is named \"{name}\" instead of \"\"; the structure block is damaged");
                        root = node;
                    }
                    else
                    {
                        current.Children.Add(node);
                    }
                    current = node;
                    break;
                }
                case TokenEndNode:
                    if (current is null)
                        throw Broken(formatId, baseOffset + at, "FDT_END_NODE without an open node; the structure block is damaged");
                    current = current.Parent;
                    depth--;
                    break;
                case TokenProp:
                {
                    if (current is null)
                        throw Broken(formatId, baseOffset + at, "FDT_PROP outside any node; the structure block is damaged");
                    var length = cursor.ReadU32("property length");
                    var nameOffset = cursor.ReadU32("property name offset");
                    var valueOffset = cursor.Position;
                    if (length > cursor.Remaining)
                    {
                        throw Broken(formatId, baseOffset + at,
                            $"property of node {current.Path} has length {length}, past the structure block end (0x{cursor.End:x}); the tree is damaged or truncated");
                    }
                    if (++properties > MaxProperties)
                        throw Broken(formatId, baseOffset + at, $"more than {MaxProperties} properties; the tree is damaged or hostile");
                    var propName = PropertyName(strings, nameOffset, names, formatId, baseOffset + at, header);
                    current.Properties.Add(new FdtProperty(propName, valueOffset, (int)length));
                    cursor.Skip((length + 3) & ~3L);
                    break;
                }
                case TokenNop:
                    break;
                case TokenEnd:
                    if (root is null || current is not null)
                        throw Broken(formatId, baseOffset + at, "FDT_END inside an open node or before the root; the structure block is damaged or truncated");
                    return new FdtTree(header, reservations, root, nodes, properties);
                default:
                    throw Broken(formatId, baseOffset + at, $"unknown token 0x{token:x8} (expected 1 BEGIN_NODE, 2 END_NODE, 3 PROP, 4 NOP or 9 END); the structure block is damaged");
            }
        }
    }

    /// <summary>The value bytes of a property, at most <paramref name="max"/> of them.</summary>
    public static byte[] ReadValue(IBlob fdt, FdtProperty property, int max = int.MaxValue) =>
        fdt.ReadBytes(property.ValueOffset, Math.Min(property.Length, max));

    /// <summary>The first string of a string property (up to its NUL), or null when absent or empty.</summary>
    public static string? ReadString(IBlob fdt, FdtNode node, string name, int max = 4096)
    {
        if (node.Property(name) is not { } p || p.Length == 0)
            return null;
        var bytes = ReadValue(fdt, p, max);
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>A one-cell (u32) or two-cell (u64) property, or null when absent or of another size.</summary>
    public static ulong? ReadCells(IBlob fdt, FdtNode node, string name)
    {
        if (node.Property(name) is not { } p)
            return null;
        var bytes = ReadValue(fdt, p, 8);
        return p.Length switch
        {
            4 => BinaryPrimitives.ReadUInt32BigEndian(bytes),
            8 => BinaryPrimitives.ReadUInt64BigEndian(bytes),
            _ => null,
        };
    }

    private static List<(ulong, ulong)> ReadReservations(IBlob fdt, FdtHeader header, string formatId, long baseOffset)
    {
        var list = new List<(ulong, ulong)>();
        Span<byte> entry = stackalloc byte[MemReserveEntryLength];
        long pos = header.MemRsvOffset;
        while (true)
        {
            if (pos + MemReserveEntryLength > header.TotalSize || !fdt.TryReadExactly(pos, entry))
                throw Broken(formatId, baseOffset + pos, "the memory reservation block has no terminating 0,0 entry before totalsize; the device tree is damaged");
            var address = BinaryPrimitives.ReadUInt64BigEndian(entry);
            var size = BinaryPrimitives.ReadUInt64BigEndian(entry[8..]);
            if (address == 0 && size == 0)
                return list;
            if (list.Count == MaxReservations)
                throw Broken(formatId, baseOffset + pos, $"more than {MaxReservations} memory reservations; the device tree is damaged");
            list.Add((address, size));
            pos += MemReserveEntryLength;
        }
    }

    private static string PropertyName(byte[] strings, uint nameOffset, Dictionary<uint, string> cache, string formatId, long at, FdtHeader header)
    {
        if (cache.TryGetValue(nameOffset, out var cached))
            return cached;
        if (nameOffset >= strings.Length)
        {
            throw Broken(formatId, at,
                $"property name offset {nameOffset} is outside the strings block ({header.StringsSize} bytes); the tree is damaged");
        }
        var end = Array.IndexOf(strings, (byte)0, (int)nameOffset);
        if (end < 0)
            throw Broken(formatId, at, $"property name at strings offset {nameOffset} has no terminating NUL; the strings block is damaged");
        var name = Printable(strings.AsSpan((int)nameOffset, end - (int)nameOffset));
        cache[nameOffset] = name;
        return name;
    }

    /// <summary>Names as text, control and non-ASCII bytes replaced by '?' (names are ASCII by the spec).</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            chars[i] = bytes[i] is >= 0x20 and < 0x7f ? (char)bytes[i] : '?';
        return new string(chars);
    }

    private static FormatException Broken(string formatId, long offset, string message) => new(formatId, offset, message);

    /// <summary>Reads big-endian words and names from the structure block through a small window.</summary>
    private sealed class Cursor(IBlob blob, long start, long end, string formatId, long baseOffset)
    {
        private const int WindowBytes = 4096;
        private readonly long _start = start;
        private readonly byte[] _window = new byte[WindowBytes];
        private long _windowStart = -1;
        private int _windowLength;

        public long Position { get; private set; } = start;
        public long End { get; } = end;
        public long Remaining => End - Position;

        public uint ReadU32(string what)
        {
            Span<byte> b = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
                b[i] = ReadByte(what);
            return BinaryPrimitives.ReadUInt32BigEndian(b);
        }

        public string ReadName(int max)
        {
            var bytes = new List<byte>();
            while (true)
            {
                var b = ReadByte("node name");
                if (b == 0)
                    break;
                if (bytes.Count == max)
                    throw new FormatException(formatId, baseOffset + Position, $"node name longer than {max} bytes; the structure block is damaged");
                bytes.Add(b);
            }
            // names are padded with zeros to a 4-byte boundary
            Skip((4 - (Position - _start) % 4) % 4);
            return Printable(bytes.ToArray());
        }

        public void Skip(long bytes)
        {
            if (bytes > Remaining)
                throw new FormatException(formatId, baseOffset + Position, $"a value of {bytes} bytes runs past the structure block end (0x{End:x}); the tree is damaged or truncated");
            Position += bytes;
        }

        private byte ReadByte(string what)
        {
            if (Position >= End)
                throw new FormatException(formatId, baseOffset + Position, $"the structure block ends (0x{End:x}) inside a {what} before FDT_END; the tree is truncated or damaged");
            if (_windowStart < 0 || Position < _windowStart || Position >= _windowStart + _windowLength)
            {
                _windowStart = Position;
                _windowLength = blob.Read(Position, _window.AsSpan(0, (int)Math.Min(WindowBytes, End - Position)));
                if (_windowLength <= 0)
                {
                    _windowStart = -1;
                    throw new FormatException(formatId, baseOffset + Position, $"the data ends inside the structure block at a {what}; the device tree is truncated");
                }
            }
            var b = _window[Position - _windowStart];
            Position++;
            return b;
        }
    }
}
