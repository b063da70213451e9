using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;

namespace Assay.History.Build;

/// <summary>
/// The regions of an ELF file a build comparison names (System V gABI, "ELF Header" and
/// "Sections"): each section with data, and the structural parts between them, the ELF header,
/// the program header table and the section header table. Read with bounded reads from the header;
/// any class, byte order and machine. A file whose tables do not fit its bytes is broken ELF:
/// <see cref="InvalidDataException"/>, and the comparison falls back to bytes.
/// <code>
/// 7f 45 4c 46 02 01 01 00 ...   e_ident: ELFCLASS64, ELFDATA2LSB
///                               64-bit: e_phoff@0x20 e_shoff@0x28 e_ehsize@0x34 e_phentsize@0x36
///                                       e_phnum@0x38 e_shentsize@0x3a e_shnum@0x3c e_shstrndx@0x3e
///                               32-bit: e_phoff@0x1c e_shoff@0x20 e_ehsize@0x28 e_phentsize@0x2a
///                                       e_phnum@0x2c e_shentsize@0x2e e_shnum@0x30 e_shstrndx@0x32
/// </code>
/// </summary>
internal static class ElfSectionTable
{
    private const int IdentClass = 4, IdentData = 5;
    private const byte Class32 = 1, Class64 = 2, DataLsb = 1, DataMsb = 2;
    private const int PhOff32 = 0x1c, ShOff32 = 0x20, EhSize32 = 0x28, PhEntSize32 = 0x2a, PhNum32 = 0x2c, ShEntSize32 = 0x2e, ShNum32 = 0x30, ShStrNdx32 = 0x32;
    private const int PhOff64 = 0x20, ShOff64 = 0x28, EhSize64 = 0x34, PhEntSize64 = 0x36, PhNum64 = 0x38, ShEntSize64 = 0x3a, ShNum64 = 0x3c, ShStrNdx64 = 0x3e;
    private const int Header32 = 0x34, Header64 = 0x40;
    private const int SectionHeader32 = 40, SectionHeader64 = 64;

    // Section header fields: sh_name, sh_type, sh_offset, sh_size, sh_link.
    private const int ShName = 0, ShType = 4, ShOffset32 = 16, ShSize32 = 20, ShLink32 = 24, ShOffset64 = 24, ShSize64 = 32, ShLink64 = 40;
    private const uint ShtNobits = 8;
    private const ushort ShnXindex = 0xffff;

    public const int MaxSections = 1 << 16;

    private static ReadOnlySpan<byte> ElfMagic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];
    private const int MaxNameTable = 4 << 20;
    private const int MaxNameLength = 256;

    /// <summary>Names of the structural regions (brackets: no section can be named so in a real file, and readers see at once they are not sections).</summary>
    public const string ElfHeader = "[elf header]", ProgramHeaders = "[program headers]", SectionHeaders = "[section headers]", Outside = "[outside sections]";

    /// <summary>One region of the file: a section with data or a structural part.</summary>
    internal readonly record struct Region(string Name, long Offset, long Length);

    /// <summary>True when the blob starts with the ELF magic.</summary>
    public static bool IsElf(IBlob blob)
    {
        Span<byte> magic = stackalloc byte[4];
        return blob.TryReadExactly(0, magic) && magic.SequenceEqual(ElfMagic);
    }

    /// <summary>
    /// The regions of the first <paramref name="length"/> bytes of <paramref name="blob"/> (all of it,
    /// or a kernel module without its appended signature), in file order. Sections without file data
    /// (SHT_NOBITS, size 0) are left out; <see cref="Outside"/> is not among them (see <see cref="Gaps"/>).
    /// </summary>
    public static IReadOnlyList<Region> Read(IBlob blob, long length)
    {
        var headerBytes = blob.ReadBytes(0, (int)Math.Min(Header64, length));
        if (headerBytes.Length < Header32 || !headerBytes.AsSpan(0, 4).SequenceEqual(ElfMagic))
            throw new InvalidDataException("elf: no ELF header");
        var is64 = headerBytes[IdentClass] switch
        {
            Class32 => false,
            Class64 => true,
            var c => throw new InvalidDataException($"elf: EI_CLASS {c} is neither 1 (32-bit) nor 2 (64-bit)"),
        };
        var little = headerBytes[IdentData] switch
        {
            DataLsb => true,
            DataMsb => false,
            var d => throw new InvalidDataException($"elf: EI_DATA {d} is neither 1 (LSB) nor 2 (MSB)"),
        };
        if (is64 && headerBytes.Length < Header64)
            throw new InvalidDataException($"elf: 64-bit header needs {Header64} bytes, the file has {headerBytes.Length}");
        var h = headerBytes.AsSpan();
        ulong phoff = is64 ? U64(h, PhOff64, little) : U32(h, PhOff32, little);
        ulong shoff = is64 ? U64(h, ShOff64, little) : U32(h, ShOff32, little);
        var ehsize = U16(h, is64 ? EhSize64 : EhSize32, little);
        var phentsize = U16(h, is64 ? PhEntSize64 : PhEntSize32, little);
        var phnum = U16(h, is64 ? PhNum64 : PhNum32, little);
        var shentsize = U16(h, is64 ? ShEntSize64 : ShEntSize32, little);
        long shnum = U16(h, is64 ? ShNum64 : ShNum32, little);
        long shstrndx = U16(h, is64 ? ShStrNdx64 : ShStrNdx32, little);

        var regions = new List<Region> { new(ElfHeader, 0, Math.Clamp(ehsize, 1, length)) };
        if (phnum > 0 && phoff > 0)
            regions.Add(Checked(ProgramHeaders, phoff, checked((ulong)phnum * phentsize), length));
        if (shoff == 0)
            return regions;
        var minEntry = is64 ? SectionHeader64 : SectionHeader32;
        if (shentsize < minEntry)
            throw new InvalidDataException($"elf: e_shentsize {shentsize} is below the {minEntry} bytes of a section header");
        if (shoff > (ulong)length || (ulong)length - shoff < shentsize)
            throw new InvalidDataException($"elf: section header table at 0x{shoff:x} is past the end of the file ({length} bytes)");
        var first = blob.ReadBytes((long)shoff, shentsize);
        // gABI "Extended section numbering": with 0 sections (or SHN_XINDEX) the real values sit in section 0.
        if (shnum == 0)
            shnum = (long)(is64 ? U64(first, ShSize64, little) : U32(first, ShSize32, little));
        if (shstrndx == ShnXindex)
            shstrndx = U32(first, is64 ? ShLink64 : ShLink32, little);
        if (shnum > MaxSections)
            throw new InvalidDataException($"elf: {shnum} sections, more than {MaxSections}");
        var tableLength = checked(shnum * shentsize);
        regions.Add(Checked(SectionHeaders, shoff, (ulong)tableLength, length));
        var table = blob.ReadBytes((long)shoff, (int)tableLength);

        byte[] names = [];
        if (shstrndx > 0 && shstrndx < shnum)
        {
            var s = table.AsSpan((int)(shstrndx * shentsize), shentsize);
            var (off, size) = is64 ? ((long)U64(s, ShOffset64, little), (long)U64(s, ShSize64, little)) : (U32(s, ShOffset32, little), (long)U32(s, ShSize32, little));
            if (off >= 0 && size >= 0 && off <= length && size <= length - off)
                names = blob.ReadBytes(off, (int)Math.Min(size, MaxNameTable));
        }
        for (var i = 1; i < shnum; i++)
        {
            var s = table.AsSpan((int)(i * shentsize), shentsize);
            var type = U32(s, ShType, little);
            var (off, size) = is64 ? (U64(s, ShOffset64, little), U64(s, ShSize64, little)) : (U32(s, ShOffset32, little), U32(s, ShSize32, little));
            if (type == ShtNobits || size == 0)
                continue;
            var name = Name(names, U32(s, ShName, little));
            regions.Add(Checked(name.Length == 0 ? $"[section {i}]" : name, off, size, length));
        }
        return [.. regions.OrderBy(r => r.Offset).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>The bytes of the first <paramref name="length"/> not covered by any region, in file order.</summary>
    public static IReadOnlyList<(long Offset, long Length)> Gaps(IReadOnlyList<Region> regions, long length)
    {
        var gaps = new List<(long, long)>();
        long cursor = 0;
        foreach (var r in regions.OrderBy(r => r.Offset))
        {
            if (r.Offset > cursor)
                gaps.Add((cursor, r.Offset - cursor));
            cursor = Math.Max(cursor, r.Offset + r.Length);
        }
        if (cursor < length)
            gaps.Add((cursor, length - cursor));
        return gaps;
    }

    private static Region Checked(string name, ulong offset, ulong size, long length)
    {
        if (offset > (ulong)length || size > (ulong)length - offset)
            throw new InvalidDataException($"elf: {name} at 0x{offset:x} with 0x{size:x} bytes passes the end of the file ({length} bytes)");
        return new Region(name, (long)offset, (long)size);
    }

    private static string Name(byte[] table, uint offset)
    {
        if (offset >= table.Length)
            return "";
        var span = table.AsSpan((int)offset);
        var end = span.IndexOf((byte)0);
        var n = end < 0 ? span : span[..end];
        return Encoding.UTF8.GetString(n[..Math.Min(n.Length, MaxNameLength)]);
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at, bool little) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt64BigEndian(b[at..]);
}
