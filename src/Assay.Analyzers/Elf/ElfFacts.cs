using Assay.Core.Identification;

namespace Assay.Analyzers.Elf;

/// <summary>
/// Hardening facts of one ELF file, with the definitions checksec-style tools and the corpus ground
/// truth use: PIE = ET_DYN with PT_INTERP or DF_1_PIE (null for a shared library); NX = PT_GNU_STACK
/// present and without PF_X; RELRO partial = PT_GNU_RELRO, full = and BIND_NOW; canary = a
/// __stack_chk_* symbol (null for a static file without .symtab: unknowable); fortify = the __*_chk
/// symbols; static = neither PT_INTERP nor PT_DYNAMIC; stripped = no .symtab.
/// </summary>
public sealed record ElfFacts
{
    public required string Path { get; init; }
    public required string Arch { get; init; }
    public required int Bits { get; init; }
    public required string Endian { get; init; }

    /// <summary>exec, dyn, rel, core.</summary>
    public required string Type { get; init; }
    public string? Interpreter { get; init; }
    public string? SoName { get; init; }
    public required bool Static { get; init; }
    public bool? Pie { get; init; }
    public required bool Nx { get; init; }

    /// <summary>PT_GNU_STACK present with PF_X (an explicit request for an executable stack).</summary>
    public required bool ExecStack { get; init; }

    /// <summary>A PT_LOAD segment that is writable and executable.</summary>
    public required bool WxSegment { get; init; }

    /// <summary>none, partial, full.</summary>
    public required string Relro { get; init; }
    public bool? Canary { get; init; }

    /// <summary>__*_chk functions imported or defined (FORTIFY_SOURCE at work); null when unknowable.</summary>
    public IReadOnlyList<string>? Fortified { get; init; }

    /// <summary>Imported functions that have a __*_chk variant but are called unchecked.</summary>
    public IReadOnlyList<string> Unfortified { get; init; } = [];
    public IReadOnlyList<string> RPath { get; init; } = [];
    public IReadOnlyList<string> RunPath { get; init; } = [];
    public IReadOnlyList<string> Needed { get; init; } = [];
    public required bool Stripped { get; init; }
    public required bool TextRel { get; init; }

    /// <summary>x86: ibt, shstk, both or none; aarch64: bti, pac; null where the architecture has no such note.</summary>
    public string? ControlFlow { get; init; }

    /// <summary>The GNU build-id (hex), the identity of a build that survives a move or a rename.</summary>
    public string? BuildId { get; init; }

    /// <summary>Functions imported from shared libraries (undefined dynamic symbols).</summary>
    internal IReadOnlySet<string> Imports { get; init; } = new HashSet<string>();

    /// <summary>Function symbols a static file defines itself (from .symtab and .dynsym); empty for a dynamic file, whose calls are its <see cref="Imports"/>.</summary>
    internal IReadOnlySet<string> DefinedFunctions { get; init; } = new HashSet<string>();

    /// <summary>Functions that glibc checks under FORTIFY_SOURCE (each has a <c>__NAME_chk</c>; glibc debug/ and the hardening-check list).</summary>
    internal static readonly IReadOnlySet<string> Fortifiable = new HashSet<string>(StringComparer.Ordinal)
    {
        "asprintf", "confstr", "dprintf", "explicit_bzero", "fdelt", "fgets", "fgets_unlocked", "fgetws", "fgetws_unlocked",
        "fprintf", "fread", "fread_unlocked", "fwprintf", "getcwd", "getdomainname", "getgroups", "gethostname", "getlogin_r",
        "gets", "getwd", "longjmp", "mbsnrtowcs", "mbsrtowcs", "mbstowcs", "memcpy", "memmove", "mempcpy", "memset",
        "obstack_printf", "obstack_vprintf", "poll", "ppoll", "pread", "pread64", "printf", "ptsname_r", "read", "readlink",
        "readlinkat", "realpath", "recv", "recvfrom", "snprintf", "sprintf", "stpcpy", "stpncpy", "strcat", "strcpy",
        "strncat", "strncpy", "swprintf", "syslog", "ttyname_r", "vasprintf", "vdprintf", "vfprintf", "vfwprintf", "vprintf",
        "vsnprintf", "vsprintf", "vswprintf", "vsyslog", "vwprintf", "wcpcpy", "wcpncpy", "wcrtomb", "wcscat", "wcscpy",
        "wcsncat", "wcsncpy", "wcsnrtombs", "wcsrtombs", "wcstombs", "wctomb", "wmemcpy", "wmemmove", "wmempcpy", "wmemset",
        "wprintf",
    };

    /// <summary>Derives the facts from a parsed image.</summary>
    internal static ElfFacts From(string path, ElfImage elf)
    {
        var hasInterp = elf.Segments.Any(s => s.Type == ElfConst.PtInterp);
        var hasDynamic = elf.Segments.Any(s => s.Type == ElfConst.PtDynamic);
        var isStatic = !hasInterp && !hasDynamic;
        var stack = elf.Segments.Where(s => s.Type == ElfConst.PtGnuStack).Select(s => (uint?)s.Flags).FirstOrDefault();
        var hasRelro = elf.Segments.Any(s => s.Type == ElfConst.PtGnuRelro);
        var flags = ElfImage.Value(elf.Dynamic, ElfConst.DtFlags) ?? 0;
        var flags1 = ElfImage.Value(elf.Dynamic, ElfConst.DtFlags1) ?? 0;
        var bindNow = ElfImage.Value(elf.Dynamic, ElfConst.DtBindNow) is not null || (flags & ElfConst.DfBindNow) != 0 || (flags1 & ElfConst.Df1Now) != 0;
        var textRel = ElfImage.Value(elf.Dynamic, ElfConst.DtTextrel) is not null || (flags & ElfConst.DfTextrel) != 0;
        bool? pie = elf.Type switch
        {
            ElfConst.EtExec => false,
            ElfConst.EtDyn when hasInterp || (flags1 & ElfConst.Df1Pie) != 0 => true,
            _ => null,
        };

        // Names are compared as bytes (Latin-1, one char per byte); only those kept become strings.
        var imports = new HashSet<string>(StringComparer.Ordinal);
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var checkedNames = new HashSet<string>(StringComparer.Ordinal);
        var canary = false;
        foreach (var s in elf.Symbols)
        {
            var name = s.NameBytes;
            if (name.IsEmpty)
                continue;
            if (!canary && IsCanary(name))
                canary = true;
            if (IsChk(name))
                checkedNames.Add(s.Name);
            if (s.IsUndefined)
            {
                if (s.Dynamic)
                    imports.Add(s.Name);
            }
            else if (s.IsFunction && isStatic)
                defined.Add(s.Name);
        }
        var blind = isStatic && !elf.HasSymtab;
        var fortified = blind ? null : checkedNames.Order(StringComparer.Ordinal).ToList();
        var unfortified = imports.Where(Fortifiable.Contains).Order(StringComparer.Ordinal).ToList();

        string? controlFlow = null;
        if (elf.Machine is ElfConst.EmX86 or ElfConst.EmX8664)
        {
            var b = elf.FeatureBits ?? 0;
            controlFlow = ((b & ElfConst.X86FeatureIbt) != 0, (b & ElfConst.X86FeatureShstk) != 0) switch
            {
                (true, true) => "ibt+shstk",
                (true, false) => "ibt",
                (false, true) => "shstk",
                _ => "none",
            };
        }
        else if (elf.Machine == ElfConst.EmAarch64)
        {
            var b = elf.FeatureBits ?? 0;
            controlFlow = ((b & ElfConst.Aarch64FeatureBti) != 0, (b & ElfConst.Aarch64FeaturePac) != 0) switch
            {
                (true, true) => "bti+pac",
                (true, false) => "bti",
                (false, true) => "pac",
                _ => "none",
            };
        }

        return new ElfFacts
        {
            Path = path,
            Arch = FileType.ElfMachineName(elf.Machine),
            Bits = elf.Bits,
            Endian = elf.LittleEndian ? "little" : "big",
            Type = elf.Type switch { ElfConst.EtRel => "rel", ElfConst.EtExec => "exec", ElfConst.EtDyn => "dyn", ElfConst.EtCore => "core", var t => $"0x{t:x}" },
            Interpreter = elf.Interpreter,
            SoName = elf.SoName,
            Static = isStatic,
            Pie = pie,
            Nx = stack is { } f && (f & ElfConst.PfX) == 0,
            ExecStack = stack is { } g && (g & ElfConst.PfX) != 0,
            WxSegment = elf.Segments.Any(s => s.Type == ElfConst.PtLoad && (s.Flags & (ElfConst.PfW | ElfConst.PfX)) == (ElfConst.PfW | ElfConst.PfX)),
            Relro = !hasRelro ? "none" : bindNow ? "full" : "partial",
            Canary = blind ? null : canary,
            Fortified = fortified,
            Unfortified = unfortified,
            RPath = elf.RPath,
            RunPath = elf.RunPath,
            Needed = elf.Needed,
            Stripped = !elf.HasSymtab,
            TextRel = textRel,
            ControlFlow = controlFlow,
            BuildId = elf.BuildId,
            Imports = imports,
            DefinedFunctions = defined,
        };
    }

    private static bool IsCanary(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("__stack_chk_fail"u8) || name.SequenceEqual("__stack_chk_guard"u8) || name.SequenceEqual("__stack_chk_fail_local"u8);

    /// <summary>A FORTIFY_SOURCE checked function: <c>__NAME_chk</c> with NAME of word characters (not <c>__stack_chk_fail</c>).</summary>
    private static bool IsChk(ReadOnlySpan<byte> name) =>
        name.Length > 6 && name.StartsWith("__"u8) && name.EndsWith("_chk"u8)
        && !name.SequenceEqual("__stack_chk_fail"u8) && name[2..^4].IndexOfAnyExcept(WordChars) < 0;

    private static readonly System.Buffers.SearchValues<byte> WordChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"u8);
}
