using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;

namespace Assay.Catalog.Binaries;

/// <summary>
/// The section table of an ELF file, read with bounded reads (System V gABI, "Sections"): enough
/// to find <c>.go.buildinfo</c>, <c>.dep-v0</c> and <c>.note.package</c> without scanning the file.
/// </summary>
internal static class ElfSections
{
    // ELF header fields: e_shoff, e_shentsize, e_shnum, e_shstrndx (32-bit / 64-bit offsets).
    private const int ShOff32 = 0x20, ShOff64 = 0x28;
    private const int ShEntSize32 = 0x2e, ShEntSize64 = 0x3a;
    private const int ShNum32 = 0x30, ShNum64 = 0x3c;
    private const int ShStrNdx32 = 0x32, ShStrNdx64 = 0x3e;
    private const int MaxSections = 4096;
    private const int MaxNameTable = 1 << 20;
    private const uint ShtNobits = 8;

    /// <summary>One section header.</summary>
    internal readonly record struct Section(string Name, uint Type, ulong Address, long Offset, long Size)
    {
        public bool HasData => Type != ShtNobits;
    }

    /// <summary>What the ELF header says about the file's layout.</summary>
    internal sealed record Layout(bool Is64, bool LittleEndian, IReadOnlyList<Section> Sections)
    {
        public Section? Find(string name) => Sections.FirstOrDefault(s => s.Name == name) is { Name.Length: > 0 } s ? s : null;

        /// <summary>The file offset of a virtual address inside a section with data, or -1.</summary>
        public long OffsetOf(ulong address)
        {
            foreach (var s in Sections)
            {
                if (s.HasData && s.Address != 0 && address >= s.Address && address - s.Address < (ulong)s.Size)
                    return s.Offset + (long)(address - s.Address);
            }
            return -1;
        }
    }

    // Four catalogers look at the sections of every ELF file; the pipeline hands each the same
    // blob, so the table is read once per file (and dropped with the blob).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBlob, StrongBox> Cache = new();

    private sealed class StrongBox(Layout? value)
    {
        public Layout? Value { get; } = value;
    }

    /// <summary>Reads the section table, or returns null when the content is not ELF or the table is out of bounds.</summary>
    public static Layout? TryRead(IBlob blob) => Cache.GetValue(blob, b => new StrongBox(ReadUncached(b))).Value;

    private static Layout? ReadUncached(IBlob blob)
    {
        var h = blob.ReadBytes(0, 64);
        if (h.Length < 52 || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F')
            return null;
        var is64 = h[4] == 2;
        var little = h[5] != 2;
        if (is64 && h.Length < 64)
            return null;
        long shoff = is64 ? (long)U64(h, ShOff64, little) : U32(h, ShOff32, little);
        int entSize = U16(h, is64 ? ShEntSize64 : ShEntSize32, little);
        int count = U16(h, is64 ? ShNum64 : ShNum32, little);
        int strIndex = U16(h, is64 ? ShStrNdx64 : ShStrNdx32, little);
        var minEnt = is64 ? 64 : 40;
        if (shoff <= 0 || count == 0 || count > MaxSections || entSize < minEnt || strIndex >= count)
            return null;
        var tableSize = (long)entSize * count;
        if (shoff > blob.Length || tableSize > blob.Length - shoff)
            return null;
        var table = blob.ReadBytes(shoff, (int)tableSize);
        var raw = new (uint Name, uint Type, ulong Addr, long Off, long Size)[count];
        for (var i = 0; i < count; i++)
        {
            var e = table.AsSpan(i * entSize, entSize);
            raw[i] = is64
                ? (U32(e, 0, little), U32(e, 4, little), U64(e, 16, little), (long)Math.Min(U64(e, 24, little), long.MaxValue), (long)Math.Min(U64(e, 32, little), long.MaxValue))
                : (U32(e, 0, little), U32(e, 4, little), U32(e, 12, little), U32(e, 16, little), U32(e, 20, little));
        }
        var strtab = raw[strIndex];
        var names = strtab.Off >= 0 && strtab.Off < blob.Length ? blob.ReadBytes(strtab.Off, (int)Math.Min(strtab.Size, MaxNameTable)) : [];
        var sections = new List<Section>(count);
        foreach (var r in raw)
        {
            var name = "";
            if (r.Name < names.Length)
            {
                var rest = names.AsSpan((int)r.Name);
                var end = rest.IndexOf((byte)0);
                name = Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
            }
            var size = r.Off >= 0 && r.Off <= blob.Length ? Math.Min(r.Size, blob.Length - r.Off) : 0;
            sections.Add(new Section(name, r.Type, r.Addr, r.Off, size));
        }
        return new Layout(is64, little, sections);
    }

    internal static ushort U16(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
    internal static uint U32(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
    internal static ulong U64(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt64BigEndian(b[at..]);

    private const long DtNeeded = 1;
    private const int MaxDynamic = 1 << 20;

    /// <summary>The DT_NEEDED names of the <c>.dynamic</c> section (strings from <c>.dynstr</c>); empty for static files.</summary>
    public static IReadOnlyList<string> Needed(IBlob blob, Layout layout)
    {
        if (layout.Find(".dynamic") is not { HasData: true } dyn || layout.Find(".dynstr") is not { HasData: true } str)
            return [];
        var entry = layout.Is64 ? 16 : 8;
        var table = blob.ReadBytes(dyn.Offset, (int)Math.Min(dyn.Size, MaxDynamic));
        var strings = blob.ReadBytes(str.Offset, (int)Math.Min(str.Size, MaxDynamic));
        var result = new List<string>();
        for (var at = 0; at + entry <= table.Length; at += entry)
        {
            var tag = layout.Is64 ? (long)U64(table, at, layout.LittleEndian) : (int)U32(table, at, layout.LittleEndian);
            var value = layout.Is64 ? U64(table, at + 8, layout.LittleEndian) : U32(table, at + 4, layout.LittleEndian);
            if (tag == 0)
                break;
            if (tag != DtNeeded || value >= (ulong)strings.Length)
                continue;
            var rest = strings.AsSpan((int)value);
            var end = rest.IndexOf((byte)0);
            result.Add(Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]));
        }
        return result;
    }
}
