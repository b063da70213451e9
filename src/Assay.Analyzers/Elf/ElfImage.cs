using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;

namespace Assay.Analyzers.Elf;

/// <summary>A program header (gABI "Program Header"): type, flags and where it lies in file and memory.</summary>
internal readonly record struct ElfSegment(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize);

/// <summary>A section header (gABI "Sections"), with its name resolved from .shstrtab.</summary>
internal readonly record struct ElfSection(string Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link, ulong EntrySize);

/// <summary>
/// A symbol of .dynsym or .symtab (gABI "Symbol Table"). Its name stays bytes in the string table
/// until asked for: a large binary has 100,000 symbols or more (node: 169,000, 11 MB of names) and
/// the analyzers need few of them as strings; made eagerly they were ~60 MB in flight per such file.
/// </summary>
internal readonly record struct ElfSymbol(ElfStrings Strings, uint NameOffset, ulong Value, ulong Size, byte Type, byte Bind, ushort SectionIndex, bool Dynamic)
{
    public bool IsUndefined => SectionIndex == 0;
    public bool IsFunction => Type is ElfConst.SttFunc or ElfConst.SttGnuIfunc;

    /// <summary>The name's bytes (Latin-1: one char per byte), at most <see cref="ElfStrings.MaxName"/>.</summary>
    public ReadOnlySpan<byte> NameBytes => Strings.Bytes(NameOffset);

    /// <summary>The name as a string (made on each call).</summary>
    public string Name => Strings.String(NameOffset);
}

/// <summary>An ELF string table (.dynstr, .strtab): NUL-terminated names by offset.</summary>
internal sealed class ElfStrings(byte[] table)
{
    /// <summary>Longest name read (bytes); a longer one is cut there.</summary>
    public const int MaxName = 4096;

    /// <summary>The bytes of the name at <paramref name="offset"/>: empty when out of range.</summary>
    public ReadOnlySpan<byte> Bytes(ulong offset) => Bytes(table, offset);

    /// <summary>The name at <paramref name="offset"/> as a string (Latin-1).</summary>
    public string String(ulong offset) => Encoding.Latin1.GetString(Bytes(table, offset));

    /// <summary>The bytes of the NUL-terminated name at <paramref name="offset"/> of <paramref name="table"/> (up to the end without a NUL, at most <see cref="MaxName"/>; empty when out of range).</summary>
    public static ReadOnlySpan<byte> Bytes(byte[] table, ulong offset)
    {
        if (offset >= (ulong)table.Length)
            return [];
        var span = table.AsSpan((int)offset);
        var end = span.IndexOf((byte)0);
        if (end < 0)
            end = span.Length;
        return span[..Math.Min(end, MaxName)];
    }
}

/// <summary>
/// The parts of an ELF file that hardening and unsafe-call analysis need, read with bounded reads
/// from untrusted content: header, program and section headers, dynamic section, symbols, PLT/GOT
/// relocations (x86 only) and GNU property notes. Any class (32/64), either byte order, any machine.
/// </summary>
internal sealed class ElfImage
{
    /// <summary>Largest symbol or string table read (bytes); larger ones are cut there.</summary>
    public const int MaxTableBytes = 48 << 20;
    private const int MaxProgramHeaders = 4096;
    private const int MaxSections = 65535;
    private const int MaxDynamicEntries = 65536;
    private const int MaxNoteBytes = 64 << 10;

    public required int Bits { get; init; }
    public required bool LittleEndian { get; init; }
    public required ushort Type { get; init; }
    public required ushort Machine { get; init; }
    public required IReadOnlyList<ElfSegment> Segments { get; init; }
    public required IReadOnlyList<ElfSection> Sections { get; init; }
    public required IReadOnlyList<(long Tag, ulong Value)> Dynamic { get; init; }
    public required IReadOnlyList<ElfSymbol> Symbols { get; init; }
    public required string? Interpreter { get; init; }
    public required IReadOnlyList<string> Needed { get; init; }
    public required IReadOnlyList<string> RPath { get; init; }
    public required IReadOnlyList<string> RunPath { get; init; }
    public required string? SoName { get; init; }

    private Lazy<IReadOnlyDictionary<ulong, string>> _got = new(new Dictionary<ulong, string>());

    /// <summary>
    /// GOT slot address → imported symbol name, from PLT and GLOB_DAT relocations (x86, x86-64 and
    /// little-endian AArch64 only) and the MIPS GOT. Read from the content on first use (only
    /// wrapper disassembly needs it, and a large binary has tens of thousands of relocations), so
    /// it must be first asked for while that content is still open.
    /// </summary>
    public IReadOnlyDictionary<ulong, string> GotSymbols => _got.Value;

    /// <summary>How <see cref="GotSymbols"/> is read when first asked for.</summary>
    public required Func<IReadOnlyDictionary<ulong, string>> ReadGotSymbols
    {
        init => _got = new Lazy<IReadOnlyDictionary<ulong, string>>(value, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>GNU_PROPERTY_X86_FEATURE_1_AND or GNU_PROPERTY_AARCH64_FEATURE_1_AND bits, null without such a note.</summary>
    public required uint? FeatureBits { get; init; }

    /// <summary>MIPS: the value of $gp for the primary GOT (DT_PLTGOT + 0x7ff0), null elsewhere.</summary>
    public ulong? MipsGlobalPointer { get; init; }
    /// <summary>The GNU build-id note's descriptor in lower-case hex, null without one.</summary>
    public string? BuildId { get; init; }
    public required bool HasSymtab { get; init; }

    /// <summary>Why a part could not be read (the rest is still valid), for the scan's error list.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    public bool Is64 => Bits == 64;

    /// <summary>Maps a virtual address to a file offset through the PT_LOAD segments; null when no segment holds it.</summary>
    public ulong? FileOffsetOf(ulong address)
    {
        foreach (var s in Segments)
        {
            if (s.Type == ElfConst.PtLoad && address >= s.VirtualAddress && address - s.VirtualAddress < s.FileSize)
                return s.Offset + (address - s.VirtualAddress);
        }
        return null;
    }

    /// <summary>Parses the ELF in <paramref name="blob"/>; throws <see cref="InvalidDataException"/> when the header is unusable.</summary>
    public static ElfImage Read(IBlob blob)
    {
        Span<byte> ident = stackalloc byte[ElfConst.IdentSize];
        if (!blob.TryReadExactly(0, ident) || !ident[..4].SequenceEqual(ElfConst.Magic))
            throw new InvalidDataException("elf: no ELF magic at offset 0");
        var bits = ident[ElfConst.EiClass] switch { 1 => 32, 2 => 64, var cls => throw new InvalidDataException($"elf: EI_CLASS {cls} at 0x4 is neither 1 (32-bit) nor 2 (64-bit)") };
        var little = ident[ElfConst.EiData] switch { 1 => true, 2 => false, var enc => throw new InvalidDataException($"elf: EI_DATA {enc} at 0x5 is neither 1 (LSB) nor 2 (MSB)") };
        var r = new Reader(blob, bits == 64, little);
        var headerSize = bits == 64 ? 64 : 52;
        var h = blob.ReadBytes(0, headerSize);
        if (h.Length < headerSize)
            throw new InvalidDataException($"elf: file of {blob.Length} bytes is shorter than the {headerSize}-byte ELF header");
        var type = r.U16(h, 16);
        var machine = r.U16(h, 18);
        ulong phoff, shoff;
        int phentsize, phnum, shentsize, shnum, shstrndx;
        if (bits == 64)
        {
            phoff = r.U64(h, 32); shoff = r.U64(h, 40);
            phentsize = r.U16(h, 54); phnum = r.U16(h, 56); shentsize = r.U16(h, 58); shnum = r.U16(h, 60); shstrndx = r.U16(h, 62);
        }
        else
        {
            phoff = r.U32(h, 28); shoff = r.U32(h, 32);
            phentsize = r.U16(h, 42); phnum = r.U16(h, 44); shentsize = r.U16(h, 46); shnum = r.U16(h, 48); shstrndx = r.U16(h, 50);
        }
        var warnings = new List<string>();

        var segments = new List<ElfSegment>();
        var minPh = bits == 64 ? 56 : 32;
        if (phoff != 0 && phnum > 0)
        {
            if (phentsize < minPh || phnum > MaxProgramHeaders)
                warnings.Add($"program header table at 0x{phoff:x}: e_phentsize {phentsize} / e_phnum {phnum} out of range; segments ignored");
            else
            {
                var table = r.Bytes(phoff, phentsize * phnum);
                for (var i = 0; i + phentsize <= table.Length; i += phentsize)
                {
                    segments.Add(bits == 64
                        ? new ElfSegment(r.U32(table, i), r.U32(table, i + 4), r.U64(table, i + 8), r.U64(table, i + 16), r.U64(table, i + 32), r.U64(table, i + 40))
                        : new ElfSegment(r.U32(table, i), r.U32(table, i + 24), r.U32(table, i + 4), r.U32(table, i + 8), r.U32(table, i + 16), r.U32(table, i + 20)));
                }
                if (segments.Count < phnum)
                    warnings.Add($"program header table at 0x{phoff:x} is cut by the file end ({segments.Count} of {phnum} entries)");
            }
        }

        var sections = ReadSections(r, shoff, shentsize, shnum, shstrndx, warnings);

        // Dynamic section: from PT_DYNAMIC (what the loader uses), else from SHT_DYNAMIC.
        var dynamic = new List<(long, ulong)>();
        var dynSeg = segments.FirstOrDefault(s => s.Type == ElfConst.PtDynamic);
        (ulong off, ulong size)? dynLoc = dynSeg.Type == ElfConst.PtDynamic ? (dynSeg.Offset, dynSeg.FileSize)
            : sections.Where(s => s.Type == ElfConst.ShtDynamic).Select(s => ((ulong, ulong)?)(s.Offset, s.Size)).FirstOrDefault();
        if (dynLoc is { } d)
        {
            var entSize = bits == 64 ? 16 : 8;
            var bytes = r.Bytes(d.off, (int)Math.Min(d.size, (ulong)(MaxDynamicEntries * entSize)));
            for (var i = 0; i + entSize <= bytes.Length; i += entSize)
            {
                var tag = bits == 64 ? (long)r.U64(bytes, i) : (int)r.U32(bytes, i);
                var val = bits == 64 ? r.U64(bytes, i + 8) : r.U32(bytes, i + 4);
                if (tag == ElfConst.DtNull)
                    break;
                dynamic.Add((tag, val));
            }
        }

        string? interpreter = null;
        var interp = segments.FirstOrDefault(s => s.Type == ElfConst.PtInterp);
        if (interp.Type == ElfConst.PtInterp)
            interpreter = CString(r.Bytes(interp.Offset, (int)Math.Min(interp.FileSize, 4096)), 0);

        // Dynamic string table: the section .dynstr if the sections exist, else DT_STRTAB/DT_STRSZ through PT_LOAD.
        byte[] dynstr = [];
        var dynstrSection = sections.FirstOrDefault(s => s.Type == ElfConst.ShtStrtab && s.Name == ".dynstr");
        if (dynstrSection.Name is not null)
            dynstr = r.Bytes(dynstrSection.Offset, (int)Math.Min(dynstrSection.Size, MaxTableBytes));
        else if (Value(dynamic, ElfConst.DtStrtab) is { } strtabAddr && Value(dynamic, ElfConst.DtStrsz) is { } strsz)
        {
            var img = new ElfImageAddressMap(segments);
            if (img.FileOffsetOf(strtabAddr) is { } o)
                dynstr = r.Bytes(o, (int)Math.Min(strsz, MaxTableBytes));
        }
        var needed = new List<string>();
        var rpath = new List<string>();
        var runpath = new List<string>();
        string? soname = null;
        foreach (var (tag, val) in dynamic)
        {
            switch (tag)
            {
                case ElfConst.DtNeeded: needed.Add(CString(dynstr, val)); break;
                case ElfConst.DtRpath: rpath.Add(CString(dynstr, val)); break;
                case ElfConst.DtRunpath: runpath.Add(CString(dynstr, val)); break;
                case ElfConst.DtSoname: soname = CString(dynstr, val); break;
            }
        }

        var symbols = new List<ElfSymbol>();
        var hasSymtab = false;
        var dynsymIndexBase = -1;
        foreach (var s in sections)
        {
            if (s.Type is not (ElfConst.ShtSymtab or ElfConst.ShtDynsym))
                continue;
            if (s.Type == ElfConst.ShtSymtab)
                hasSymtab = true;
            if (s.Link >= sections.Count)
            {
                warnings.Add($"symbol table {s.Name}: sh_link {s.Link} names no section");
                continue;
            }
            var strings = sections[(int)s.Link];
            var strBytes = dynstrSection.Name is not null && strings.Type == ElfConst.ShtStrtab && strings.Offset == dynstrSection.Offset && strings.Size == dynstrSection.Size && dynstr.Length > 0
                ? dynstr
                : r.Bytes(strings.Offset, (int)Math.Min(strings.Size, MaxTableBytes));
            if (s.Type == ElfConst.ShtDynsym)
                dynsymIndexBase = symbols.Count;
            ReadSymbols(r, s.Offset, s.Size, new ElfStrings(strBytes), s.Type == ElfConst.ShtDynsym, symbols, warnings);
        }
        if (dynsymIndexBase < 0 && Value(dynamic, ElfConst.DtSymtab) is { } symAddr && Value(dynamic, ElfConst.DtStrtab) is { } strAddr && strAddr > symAddr)
        {
            // No section headers (sstrip'ed files): the dynamic symbol table has no recorded size; the
            // usual layout puts .dynstr right after .dynsym, so the gap between them bounds it.
            var map = new ElfImageAddressMap(segments);
            if (map.FileOffsetOf(symAddr) is { } o)
            {
                dynsymIndexBase = symbols.Count;
                ReadSymbols(r, o, strAddr - symAddr, new ElfStrings(dynstr), true, symbols, warnings);
            }
        }

        var relocationsReadable = (machine is ElfConst.EmX86 or ElfConst.EmX8664 or ElfConst.EmAarch64 && little)
            || (machine is ElfConst.EmArm or ElfConst.EmMips && !is64Mips(machine, bits));
        var mipsGot = machine == ElfConst.EmMips && dynsymIndexBase >= 0;
        var gp = mipsGot ? MipsGlobalPointerOf(dynamic) : null;
        IReadOnlyDictionary<ulong, string> ReadGot()
        {
            var got = new Dictionary<ulong, string>();
            if (relocationsReadable && dynsymIndexBase >= 0)
                ReadGotRelocations(r, dynamic, segments, symbols, dynsymIndexBase, got);
            if (mipsGot)
                ReadMipsGot(dynamic, symbols, dynsymIndexBase, bits, got);
            return got;
        }

        var featureBits = ReadFeatureBits(r, segments, sections, machine);
        var buildId = ReadBuildId(r, segments, sections);

        return new ElfImage
        {
            Bits = bits,
            LittleEndian = little,
            Type = type,
            Machine = machine,
            Segments = segments,
            Sections = sections,
            Dynamic = dynamic,
            Symbols = symbols,
            Interpreter = interpreter,
            Needed = needed,
            RPath = rpath,
            RunPath = runpath,
            SoName = soname,
            ReadGotSymbols = ReadGot,
            MipsGlobalPointer = gp,
            FeatureBits = featureBits,
            BuildId = buildId,
            HasSymtab = hasSymtab,
            Warnings = warnings,
        };
    }

    /// <summary>Value of the first dynamic entry with <paramref name="tag"/>.</summary>
    public static ulong? Value(IReadOnlyList<(long Tag, ulong Value)> dynamic, long tag)
    {
        foreach (var (t, v) in dynamic)
        {
            if (t == tag)
                return v;
        }
        return null;
    }

    private static List<ElfSection> ReadSections(Reader r, ulong shoff, int shentsize, int shnum, int shstrndx, List<string> warnings)
    {
        var sections = new List<ElfSection>();
        var minSh = r.Is64 ? 64 : 40;
        if (shoff == 0)
            return sections;
        if (shentsize < minSh)
        {
            warnings.Add($"section header table at 0x{shoff:x}: e_shentsize {shentsize} is below {minSh}; sections ignored");
            return sections;
        }
        var first = r.Bytes(shoff, shentsize);
        if (first.Length < shentsize)
        {
            warnings.Add($"section header table at 0x{shoff:x} lies past the file end; sections ignored");
            return sections;
        }
        // gABI: e_shnum 0 with sections means the real count is sh_size of section 0; SHN_XINDEX (0xffff) likewise for e_shstrndx via sh_link.
        if (shnum == 0)
            shnum = (int)Math.Min(r.Is64 ? r.U64(first, 32) : r.U32(first, 20), MaxSections);
        if (shstrndx == 0xffff)
            shstrndx = (int)r.U32(first, r.Is64 ? 40 : 24);
        var table = r.Bytes(shoff, checked(shentsize * shnum));
        var raw = new List<(uint name, uint type, ulong flags, ulong addr, ulong off, ulong size, uint link, ulong entsize)>();
        for (var i = 0; i + shentsize <= table.Length; i += shentsize)
        {
            raw.Add(r.Is64
                ? (r.U32(table, i), r.U32(table, i + 4), r.U64(table, i + 8), r.U64(table, i + 16), r.U64(table, i + 24), r.U64(table, i + 32), r.U32(table, i + 40), r.U64(table, i + 56))
                : (r.U32(table, i), r.U32(table, i + 4), r.U32(table, i + 8), r.U32(table, i + 12), r.U32(table, i + 16), r.U32(table, i + 20), r.U32(table, i + 24), r.U32(table, i + 36)));
        }
        if (raw.Count < shnum)
            warnings.Add($"section header table at 0x{shoff:x} is cut by the file end ({raw.Count} of {shnum} entries)");
        byte[] names = [];
        if (shstrndx > 0 && shstrndx < raw.Count)
            names = r.Bytes(raw[shstrndx].off, (int)Math.Min(raw[shstrndx].size, 1 << 20));
        foreach (var s in raw)
        {
            // SHT_NOBITS (.bss) occupies no file bytes: its offset and size mean nothing for reading.
            var size = s.type == ElfConst.ShtNobits ? 0 : s.size;
            sections.Add(new ElfSection(CString(names, s.name), s.type, s.flags, s.addr, s.off, size, s.link, s.entsize));
        }
        return sections;
    }

    private static void ReadSymbols(Reader r, ulong offset, ulong size, ElfStrings strings, bool dynamic, List<ElfSymbol> into, List<string> warnings)
    {
        var entSize = r.Is64 ? 24 : 16;
        if (size > MaxTableBytes)
        {
            warnings.Add($"symbol table at 0x{offset:x} of {size} bytes is cut at {MaxTableBytes} bytes");
            size = MaxTableBytes;
        }
        // Read in pieces of whole entries: the table of a large binary is megabytes, and each piece
        // is only needed while its entries are decoded.
        const int EntriesPerPiece = 4096;
        var available = offset >= (ulong)r.Length ? 0 : Math.Min(size, (ulong)r.Length - offset);
        into.EnsureCapacity(checked(into.Count + (int)(available / (ulong)entSize)));
        for (ulong at = 0; at < available; at += (ulong)(EntriesPerPiece * entSize))
        {
            var bytes = r.Bytes(offset + at, (int)Math.Min((ulong)(EntriesPerPiece * entSize), available - at));
            for (var i = 0; i + entSize <= bytes.Length; i += entSize)
            {
                uint name; ulong value, sz; byte info; ushort shndx;
                if (r.Is64)
                {
                    name = r.U32(bytes, i); info = bytes[i + 4]; shndx = r.U16(bytes, i + 6); value = r.U64(bytes, i + 8); sz = r.U64(bytes, i + 16);
                }
                else
                {
                    name = r.U32(bytes, i); value = r.U32(bytes, i + 4); sz = r.U32(bytes, i + 8); info = bytes[i + 12]; shndx = r.U16(bytes, i + 14);
                }
                into.Add(new ElfSymbol(strings, name, value, sz, (byte)(info & 0xf), (byte)(info >> 4), shndx, dynamic));
            }
            if (bytes.Length < entSize)
                break;
        }
    }

    // 64-bit MIPS relocations pack r_info as r_sym(32) r_ssym(8) r_type3(8) r_type2(8) r_type(8),
    // read in the file's byte order, which the generic r_info split gets wrong; its GOT is read from the dynamic tags.
    private static bool is64Mips(ushort machine, int bits) => machine == ElfConst.EmMips && bits == 64;

    /// <summary>
    /// The MIPS GOT (MIPS ABI supplement, "Global Offset Table"): entries [0, LOCAL_GOTNO) are local,
    /// then entry LOCAL_GOTNO + (i - GOTSYM) holds dynamic symbol i for GOTSYM &lt;= i &lt; SYMTABNO.
    /// Returns $gp (GOT + 0x7ff0), or null when the tags are missing.
    /// </summary>
    private static ulong? MipsGlobalPointerOf(IReadOnlyList<(long Tag, ulong Value)> dynamic) =>
        Value(dynamic, ElfConst.DtPltgot) is { } pltgot && Value(dynamic, ElfConst.DtMipsLocalGotno) is not null
        && Value(dynamic, ElfConst.DtMipsGotsym) is not null && Value(dynamic, ElfConst.DtMipsSymtabno) is not null
            ? unchecked(pltgot + ElfConst.MipsGpOffset)
            : null;

    private static void ReadMipsGot(IReadOnlyList<(long Tag, ulong Value)> dynamic, List<ElfSymbol> symbols, int dynsymBase, int bits, Dictionary<ulong, string> got)
    {
        if (Value(dynamic, ElfConst.DtPltgot) is not { } pltgot || Value(dynamic, ElfConst.DtMipsLocalGotno) is not { } local
            || Value(dynamic, ElfConst.DtMipsGotsym) is not { } gotsym || Value(dynamic, ElfConst.DtMipsSymtabno) is not { } symtabno)
            return;
        var entry = (ulong)(bits / 8);
        for (var i = gotsym; i < symtabno && i - gotsym < 1u << 20; i++)
        {
            var index = (long)i + dynsymBase;
            if (index >= symbols.Count)
                break;
            var slot = unchecked(pltgot + ((local + i - gotsym) * entry));
            if (symbols[(int)index].NameBytes.Length > 0)
                got.TryAdd(slot, symbols[(int)index].Name);
        }
    }

    private static void ReadGotRelocations(Reader r, IReadOnlyList<(long Tag, ulong Value)> dynamic, List<ElfSegment> segments,
        List<ElfSymbol> symbols, int dynsymBase, Dictionary<ulong, string> got)
    {
        var map = new ElfImageAddressMap(segments);
        var rela = Value(dynamic, ElfConst.DtPltrel) == ElfConst.DtRela;
        void Table(ulong? addr, ulong? size, bool withAddend)
        {
            if (addr is not { } a || size is not { } s || map.FileOffsetOf(a) is not { } off)
                return;
            var entSize = (r.Is64 ? 16 : 8) + (withAddend ? (r.Is64 ? 8 : 4) : 0);
            var bytes = r.Bytes(off, (int)Math.Min(s, 16u << 20));
            for (var i = 0; i + entSize <= bytes.Length; i += entSize)
            {
                var offset = r.Is64 ? r.U64(bytes, i) : r.U32(bytes, i);
                var info = r.Is64 ? r.U64(bytes, i + 8) : r.U32(bytes, i + 4);
                var sym = r.Is64 ? info >> 32 : info >> 8;
                var index = (long)sym + dynsymBase;
                if (sym != 0 && index < symbols.Count && symbols[(int)index].NameBytes.Length > 0 && !got.ContainsKey(offset))
                    got.Add(offset, symbols[(int)index].Name);
            }
        }
        Table(Value(dynamic, ElfConst.DtJmprel), Value(dynamic, ElfConst.DtPltrelsz), rela);
        Table(Value(dynamic, ElfConst.DtRela), Value(dynamic, ElfConst.DtRelasz), true);
        Table(Value(dynamic, ElfConst.DtRel), Value(dynamic, ElfConst.DtRelsz), false);
    }

    private static uint? ReadFeatureBits(Reader r, List<ElfSegment> segments, List<ElfSection> sections, ushort machine)
    {
        var wanted = machine switch
        {
            ElfConst.EmX86 or ElfConst.EmX8664 => ElfConst.GnuPropertyX86Feature1And,
            ElfConst.EmAarch64 => ElfConst.GnuPropertyAarch64Feature1And,
            _ => (uint?)null,
        };
        if (wanted is null)
            return null;
        var places = segments.Where(s => s.Type is ElfConst.PtGnuProperty or ElfConst.PtNote).Select(s => (s.Offset, s.FileSize))
            .Concat(sections.Where(s => s.Type == ElfConst.ShtNote).Select(s => (s.Offset, s.Size)));
        uint? bits = null;
        foreach (var (off, size) in places.Distinct())
        {
            var bytes = r.Bytes(off, (int)Math.Min(size, MaxNoteBytes));
            // Note entry (gABI "Note Section"): namesz, descsz, type, name (4-aligned), desc. GNU property
            // notes align desc and each property to 8 bytes on 64-bit (x86-64 psABI 5.2.7 / Linux gABI extensions).
            var align = r.Is64 ? 8 : 4;
            var i = 0;
            while (i + 12 <= bytes.Length)
            {
                var namesz = r.U32(bytes, i); var descsz = r.U32(bytes, i + 4); var ntype = r.U32(bytes, i + 8);
                if (namesz > 256 || descsz > (uint)bytes.Length)
                    break;
                var nameStart = i + 12;
                var descStart = nameStart + Align((int)namesz, 4);
                if (descStart + descsz > bytes.Length)
                    break;
                if (ntype == ElfConst.NtGnuPropertyType0 && namesz == 4 && bytes.AsSpan(nameStart, 4).SequenceEqual("GNU\0"u8))
                {
                    var p = descStart;
                    var end = descStart + (int)descsz;
                    while (p + 8 <= end)
                    {
                        var prType = r.U32(bytes, p); var prSize = r.U32(bytes, p + 4);
                        if (prSize > end - p - 8)
                            break;
                        if (prType == wanted && prSize >= 4)
                            bits = (bits ?? 0) | r.U32(bytes, p + 8);
                        p += 8 + Align((int)prSize, align);
                    }
                    if (bits is not null)
                        return bits;
                }
                i = descStart + Align((int)descsz, 4);
            }
        }
        return bits;
    }

    /// <summary>The NT_GNU_BUILD_ID descriptor of the first "GNU" note that has one (PT_NOTE segments and SHT_NOTE sections).</summary>
    private static string? ReadBuildId(Reader r, List<ElfSegment> segments, List<ElfSection> sections)
    {
        var places = sections.Where(s => s.Type == ElfConst.ShtNote).Select(s => (s.Offset, s.Size))
            .Concat(segments.Where(s => s.Type == ElfConst.PtNote).Select(s => (s.Offset, s.FileSize)));
        foreach (var (off, size) in places.Distinct())
        {
            var bytes = r.Bytes(off, (int)Math.Min(size, MaxNoteBytes));
            var i = 0;
            while (i + 12 <= bytes.Length)
            {
                var namesz = r.U32(bytes, i); var descsz = r.U32(bytes, i + 4); var ntype = r.U32(bytes, i + 8);
                if (namesz > 256 || descsz > (uint)bytes.Length)
                    break;
                var nameStart = i + 12;
                var descStart = nameStart + Align((int)namesz, 4);
                if (descStart + descsz > bytes.Length)
                    break;
                if (ntype == ElfConst.NtGnuBuildId && namesz == 4 && bytes.AsSpan(nameStart, 4).SequenceEqual("GNU\0"u8)
                    && descsz is > 0 and <= ElfConst.MaxBuildIdBytes)
                    return Convert.ToHexStringLower(bytes.AsSpan(descStart, (int)descsz));
                i = descStart + Align((int)descsz, 4);
            }
        }
        return null;
    }

    private static int Align(int value, int to) => (value + to - 1) & ~(to - 1);

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of a string table (at most 4 KiB; empty when out of range).</summary>
    internal static string CString(byte[] table, ulong offset) => Encoding.Latin1.GetString(ElfStrings.Bytes(table, offset));

    private sealed class ElfImageAddressMap(List<ElfSegment> segments)
    {
        public ulong? FileOffsetOf(ulong address)
        {
            foreach (var s in segments)
            {
                if (s.Type == ElfConst.PtLoad && address >= s.VirtualAddress && address - s.VirtualAddress < s.FileSize)
                    return s.Offset + (address - s.VirtualAddress);
            }
            return null;
        }
    }

    /// <summary>Endian- and class-aware field reads over bounded byte arrays.</summary>
    private sealed class Reader(IBlob blob, bool is64, bool little)
    {
        public bool Is64 { get; } = is64;
        public long Length => blob.Length;

        /// <summary>Up to <paramref name="count"/> bytes at <paramref name="offset"/>: fewer at the file end, none past it.</summary>
        public byte[] Bytes(ulong offset, int count) =>
            offset >= (ulong)blob.Length || count <= 0 ? [] : blob.ReadBytes((long)offset, count);

        public ushort U16(byte[] b, int i) => i + 2 > b.Length ? (ushort)0 : little ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(i)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(i));
        public uint U32(byte[] b, int i) => i + 4 > b.Length ? 0 : little ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i));
        public ulong U64(byte[] b, int i) => i + 8 > b.Length ? 0 : little ? BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(i)) : BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(i));
    }
}
