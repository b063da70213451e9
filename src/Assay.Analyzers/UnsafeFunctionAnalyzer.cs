using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assay.Analyzers.Elf;
using Assay.Analyzers.Rules;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Iced.Intel;

namespace Assay.Analyzers;

/// <summary>
/// Calls of risky C library functions per ELF (TS 33.117 §4.3.3.1.5; the UK HCSEC reports counted
/// them): imports for dynamically linked files, defined functions of those names for static files
/// with a symbol table. Also "safe" wrappers that are not: a function named like a checked routine
/// (<c>memcpy_s</c>, <c>strcpy_safe</c>) whose body reaches the unchecked call with no conditional
/// branch before it, found by disassembly. Totals and the worst binaries go to the
/// <c>unsafe-functions</c> summary.
/// </summary>
/// <remarks>
/// Wrapper detection covers x86 (32-bit) and x86-64 with Iced: direct calls and tail jumps to a
/// named function, to a PLT stub (lazy, .plt.sec with IBT, i386 PIC through %ebx) or through the GOT
/// (-fno-plt); little-endian AArch64 with a small A64 decoder (<see cref="Arm64Wrapper"/>: BL/B
/// to a symbol or a PLT stub; -fno-plt calls not followed); 32-bit Arm, A32 and Thumb-2
/// (<see cref="Arm32Wrapper"/>: BL/BLX/B, conditional execution, IT, CBZ; PLT stubs); MIPS32 and
/// MIPS64 of both byte orders (<see cref="MipsWrapper"/>: $t9 calls through the GOT, jal/j, PLT
/// stubs; branches, MOVZ/MOVN and traps as checks). PowerPC and RISC-V are not disassembled:
/// their wrappers are not judged (the summary says so per architecture). A wrapper needs a symbol (exported or in .symtab).
/// A static binary without .symtab gives no function names at all, so nothing is reported for it.
/// </remarks>
public sealed class UnsafeFunctionAnalyzer : IInspector
{
    /// <summary>Bytes of a wrapper body disassembled at most.</summary>
    private const int MaxWrapperBytes = 512;
    private const int MaxWrapperInstructions = 96;
    private const int MaxWrappersPerFile = 64;

    internal static readonly IReadOnlyDictionary<string, string> RuleOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["gets"] = "ASSAY-UNSAFE-GETS",
        ["strcpy"] = "ASSAY-UNSAFE-STRING", ["strcat"] = "ASSAY-UNSAFE-STRING", ["sprintf"] = "ASSAY-UNSAFE-STRING",
        ["vsprintf"] = "ASSAY-UNSAFE-STRING", ["scanf"] = "ASSAY-UNSAFE-STRING", ["sscanf"] = "ASSAY-UNSAFE-STRING",
        ["fscanf"] = "ASSAY-UNSAFE-STRING", ["vscanf"] = "ASSAY-UNSAFE-STRING", ["vsscanf"] = "ASSAY-UNSAFE-STRING",
        ["vfscanf"] = "ASSAY-UNSAFE-STRING", ["getwd"] = "ASSAY-UNSAFE-STRING", ["strncpy"] = "ASSAY-UNSAFE-STRING",
        ["strncat"] = "ASSAY-UNSAFE-STRING",
        ["mktemp"] = "ASSAY-UNSAFE-TEMPFILE", ["tmpnam"] = "ASSAY-UNSAFE-TEMPFILE", ["tempnam"] = "ASSAY-UNSAFE-TEMPFILE",
        ["system"] = "ASSAY-UNSAFE-EXEC", ["popen"] = "ASSAY-UNSAFE-EXEC", ["execl"] = "ASSAY-UNSAFE-EXEC",
        ["execle"] = "ASSAY-UNSAFE-EXEC", ["execlp"] = "ASSAY-UNSAFE-EXEC", ["execv"] = "ASSAY-UNSAFE-EXEC",
        ["execve"] = "ASSAY-UNSAFE-EXEC", ["execvp"] = "ASSAY-UNSAFE-EXEC", ["execvpe"] = "ASSAY-UNSAFE-EXEC",
    };

    /// <summary>The rules an ELF's import (or, static, symbol) list answers.</summary>
    private static readonly string[] ImportRules = [.. RuleOf.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Counted in the summary only: nearly every C program calls them, so a finding per file would be noise.</summary>
    internal static readonly IReadOnlySet<string> MemcpyFamily = new HashSet<string>(StringComparer.Ordinal)
    {
        "memcpy", "memmove", "mempcpy", "bcopy", "memccpy", "wmemcpy", "wmemmove",
    };

    /// <summary>What a wrapper must check before it calls these.</summary>
    private static readonly IReadOnlySet<string> WrappedUnsafe = new HashSet<string>(StringComparer.Ordinal)
    {
        "memcpy", "memmove", "strcpy", "strcat", "strncpy", "strncat", "sprintf", "vsprintf", "gets", "__memcpy_chk",
    };

    // memcpy_s, strcpy_safe, safe_strcpy, secure_memcpy, strcpy_checked, SafeMemCopy ...
    private static readonly Assay.Core.Text.GuardedRegex WrapperName = Patterns.Bounded(@"^_?(?:(?:safe|secure|checked|bounded)_?(?:mem_?cpy|mem_?copy|mem_?move|str_?cpy|str_?n?cpy|str_?n?cat|v?sprintf|str_?copy)|(?:mem_?cpy|mem_?copy|mem_?move|str_?n?cpy|str_?n?cat|v?sprintf|str_?copy)_?(?:s|safe|secure|checked|bounded))$", RegexOptions.IgnoreCase);

    private const string RowFact = "row";

    private readonly ElfModelCache _cache;

    public UnsafeFunctionAnalyzer()
        : this(new ElfModelCache(1))
    {
    }

    internal UnsafeFunctionAnalyzer(ElfModelCache cache) => _cache = cache;

    public string Id => "unsafe-functions";

    public bool Wants(FileRecord file) => file.Type?.Class == "elf";

    /// <summary>Each ELF's row goes to the sink as a fact, so its results are cached by content.</summary>
    public bool CacheableByContent => true;

    /// <summary>What the summary needs of one binary (its path is the fact's).</summary>
    internal sealed record Row(string Arch, IReadOnlyList<string> Unsafe, IReadOnlyList<string> Memcpy, bool Blind, bool WrappersChecked);

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        ElfImage image;
        ElfFacts facts;
        try
        {
            (image, facts) = _cache.Get(file);
        }
        catch (InvalidDataException e)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = e.Message });
            return;
        }
        if (facts.Type is not ("exec" or "dyn"))
            return;
        // Dynamic files: what they import. Static files: the library functions linked in, known by name only with a symbol table.
        var blind = facts.Static && facts.Stripped;
        if (!blind)
            sink.Checked(ImportRules);
        var calls = facts.Static ? facts.DefinedFunctions : facts.Imports;
        var unsafeCalls = calls.Where(RuleOf.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var memcpy = calls.Where(MemcpyFamily.Contains).Order(StringComparer.Ordinal).ToList();
        var wrappersChecked = Disassembled(image);
        sink.Add(new InspectionFact(Id, file.Path, RowFact, JsonSerializer.Serialize(new Row(facts.Arch, unsafeCalls, memcpy, blind, wrappersChecked), FactsJson.Default.UnsafeFunctionRow)));
        foreach (var group in unsafeCalls.GroupBy(n => RuleOf[n]))
        {
            var how = facts.Static ? "statically linked" : "imports";
            sink.Add(RuleCatalog.Finding(group.Key, file.Path, $"{how}: {string.Join(", ", group)}"));
        }

        if (wrappersChecked)
        {
            sink.Checked("ASSAY-UNSAFE-WRAPPER");
            var count = 0;
            foreach (var wrapper in FindUncheckedWrappers(image, file.Content))
            {
                if (++count > MaxWrappersPerFile)
                    break;
                sink.Add(RuleCatalog.Finding("ASSAY-UNSAFE-WRAPPER", file.Path,
                    $"{wrapper.Name} at 0x{wrapper.Address:x} reaches {wrapper.Target} after {wrapper.Instructions} instructions with no conditional branch",
                    title: $"\"Safe\" wrapper {wrapper.Name} does not check bounds"));
            }
        }
    }

    internal sealed record UncheckedWrapper(string Name, ulong Address, string Target, int Instructions);

    /// <summary>Architectures whose wrappers are disassembled: x86, x86-64, AArch64 (LE), 32-bit Arm (A32/T32, LE code), MIPS32/64 (both orders).</summary>
    private static bool Disassembled(ElfImage image) =>
        image.Machine is ElfConst.EmX86 or ElfConst.EmX8664 or ElfConst.EmMips
        || (image.Machine is ElfConst.EmAarch64 or ElfConst.EmArm && image.LittleEndian);

    /// <summary>Wrappers named like checked routines that call an unchecked one before any conditional branch.</summary>
    internal static IEnumerable<UncheckedWrapper> FindUncheckedWrappers(ElfImage image, IBlob content)
    {
        // The candidates first: most binaries have none, and then no table of every function's name
        // is made (node has 100,000 functions).
        var candidates = new List<ElfSymbol>();
        var seen = new HashSet<ulong>();
        foreach (var s in image.Symbols)
        {
            if (s.IsFunction && !s.IsUndefined && s.Value != 0 && IsWrapperName(s.NameBytes) && seen.Add(s.Value))
                candidates.Add(s);
        }
        if (candidates.Count == 0)
            yield break;
        var functionsByAddress = new Dictionary<ulong, string>();
        foreach (var s in image.Symbols)
        {
            if (s.IsFunction && !s.IsUndefined && s.Value != 0 && s.NameBytes.Length > 0 && !functionsByAddress.ContainsKey(s.Value))
                functionsByAddress.Add(s.Value, s.Name);
        }
        foreach (var s in candidates)
        {
            var size = (int)Math.Min(s.Size == 0 ? MaxWrapperBytes : s.Size, MaxWrapperBytes);
            var other = image.Machine switch
            {
                ElfConst.EmAarch64 => Arm64Wrapper.Judge(image, content, s.Value, size, functionsByAddress, WrappedUnsafe, MaxWrapperInstructions),
                ElfConst.EmArm => Arm32Wrapper.Judge(image, content, s.Value, size, functionsByAddress, WrappedUnsafe, MaxWrapperInstructions),
                ElfConst.EmMips => MipsWrapper.Judge(image, content, s.Value, size, functionsByAddress, WrappedUnsafe, MaxWrapperInstructions),
                _ => null,
            };
            if (image.Machine is ElfConst.EmAarch64 or ElfConst.EmArm or ElfConst.EmMips)
            {
                if (other is { } hit)
                    yield return new UncheckedWrapper(s.Name, s.Value & ~1UL, hit.Target, hit.Instructions);
            }
            else if (Judge(image, content, s, functionsByAddress) is { } hit)
                yield return hit;
        }
    }

    /// <summary><see cref="WrapperName"/> on a name's bytes (Latin-1); names longer than any it matches are not decoded.</summary>
    private static bool IsWrapperName(ReadOnlySpan<byte> name)
    {
        const int Longest = 64; // far above the pattern's longest match (~20 characters)
        if (name.IsEmpty || name.Length > Longest)
            return false;
        Span<char> chars = stackalloc char[Longest];
        var n = System.Text.Encoding.Latin1.GetChars(name, chars);
        return WrapperName.IsMatch(chars[..n]);
    }

    private static UncheckedWrapper? Judge(ElfImage image, IBlob content, ElfSymbol symbol, Dictionary<ulong, string> functions)
    {
        var bitness = image.Is64 ? 64 : 32;
        var body = ReadCode(image, content, symbol.Value, (int)Math.Min(symbol.Size == 0 ? MaxWrapperBytes : symbol.Size, MaxWrapperBytes));
        if (body.Length == 0)
            return null;
        var decoder = Decoder.Create(bitness, new ByteArrayCodeReader(body), symbol.Value);
        var end = symbol.Value + (ulong)body.Length;
        for (var n = 1; n <= MaxWrapperInstructions && decoder.IP < end; n++)
        {
            decoder.Decode(out var instr);
            if (instr.IsInvalid)
                return null;
            switch (instr.FlowControl)
            {
                case FlowControl.ConditionalBranch:
                case FlowControl.Return:
                case FlowControl.Interrupt:
                    return null; // a check (or the end) comes before any unsafe call
                case FlowControl.Call:
                case FlowControl.UnconditionalBranch:
                case FlowControl.IndirectCall:
                case FlowControl.IndirectBranch:
                    var target = Target(image, content, instr, functions);
                    if (target is not null && WrappedUnsafe.Contains(target))
                        return new UncheckedWrapper(symbol.Name, symbol.Value, target, n);
                    if (instr.FlowControl is FlowControl.UnconditionalBranch or FlowControl.IndirectBranch)
                        return null; // leaves the body for something else
                    break;
            }
            if (instr.Mnemonic is >= Mnemonic.Cmova and <= Mnemonic.Cmovs)
                return null; // a branch-free bound (cmov) is a check too
        }
        return null;
    }

    /// <summary>Name of the function a call or jump goes to: a symbol, a PLT stub's GOT slot, or a GOT slot directly.</summary>
    private static string? Target(ElfImage image, IBlob content, in Instruction instr, Dictionary<ulong, string> functions)
    {
        if (instr.Op0Kind is OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64)
        {
            var t = instr.NearBranchTarget;
            if (functions.TryGetValue(t, out var name))
                return name;
            return PltTarget(image, content, t);
        }
        return instr.Op0Kind == OpKind.Memory ? GotTarget(image, instr) : null;
    }

    /// <summary>Follows a PLT stub at <paramref name="address"/>: optional endbr, then jmp through a GOT slot.</summary>
    private static string? PltTarget(ElfImage image, IBlob content, ulong address)
    {
        var code = ReadCode(image, content, address, 16);
        if (code.Length == 0)
            return null;
        var decoder = Decoder.Create(image.Is64 ? 64 : 32, new ByteArrayCodeReader(code), address);
        for (var i = 0; i < 2; i++)
        {
            decoder.Decode(out var instr);
            if (instr.Mnemonic is Mnemonic.Endbr64 or Mnemonic.Endbr32)
                continue;
            return instr.Mnemonic == Mnemonic.Jmp && instr.Op0Kind == OpKind.Memory ? GotTarget(image, instr) : null;
        }
        return null;
    }

    private static string? GotTarget(ElfImage image, in Instruction instr)
    {
        ulong slot;
        if (instr.IsIPRelativeMemoryOperand)
            slot = instr.IPRelativeMemoryAddress;
        else if (instr.MemoryBase == Register.None && instr.MemoryIndex == Register.None)
            slot = instr.MemoryDisplacement64;
        else if (instr.MemoryBase == Register.EBX && instr.MemoryIndex == Register.None && ElfImage.Value(image.Dynamic, 3 /* DT_PLTGOT */) is { } gotBase)
            slot = (uint)(gotBase + instr.MemoryDisplacement32); // i386 PIC PLT: jmp *disp(%ebx), %ebx = _GLOBAL_OFFSET_TABLE_
        else
            return null;
        return image.GotSymbols.TryGetValue(slot, out var name) ? name : null;
    }

    private static byte[] ReadCode(ElfImage image, IBlob content, ulong address, int count) =>
        image.FileOffsetOf(address) is { } off && off < (ulong)content.Length ? content.ReadBytes((long)off, count) : [];

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var rows = sink.FactsOf(Id).Where(f => f.Kind == RowFact)
            .Select(f => (Fact: f, Row: JsonSerializer.Deserialize(f.Data, FactsJson.Default.UnsafeFunctionRow)!))
            .Select(x => (x.Fact.Path, x.Row.Arch, x.Row.Unsafe, x.Row.Memcpy, x.Row.Blind, x.Row.WrappersChecked)).ToList();
        var wrappersChecked = rows.Where(r => r.WrappersChecked).GroupBy(r => r.Arch).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var name in row.Unsafe.Concat(row.Memcpy))
                totals[name] = totals.GetValueOrDefault(name) + 1;
        }
        var worst = rows.Where(r => r.Unsafe.Count > 0)
            .OrderByDescending(r => r.Unsafe.Count).ThenBy(r => r.Path, StringComparer.Ordinal).Take(10)
            .Select(r => new UnsafeBinary(r.Path, r.Unsafe.Count, r.Unsafe)).ToList();
        var archs = rows.Select(r => r.Arch).Distinct().Order(StringComparer.Ordinal);
        var coverage = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var arch in archs)
        {
            coverage[arch] = arch is "x86" or "x86-64" or "aarch64" or "arm" or "mips"
                ? $"imports and wrapper disassembly ({wrappersChecked.GetValueOrDefault(arch)} files disassembled)"
                : "imports only; wrappers not disassembled on this architecture";
        }
        sink.SetSummary(new EvaluationSummaries { UnsafeFunctions = new UnsafeFunctionSummary
        {
            BinariesExamined = rows.Count,
            BinariesWithUnsafeCalls = rows.Count(r => r.Unsafe.Count > 0),
            BinariesWithoutSymbols = rows.Count(r => r.Blind),
            BinariesByFunction = totals,
            Worst = worst,
            Binaries = [.. rows.Where(r => r.Unsafe.Count > 0).OrderBy(r => r.Path, StringComparer.Ordinal).Select(r => new UnsafeBinary(r.Path, r.Unsafe.Count, r.Unsafe))],
            Coverage = coverage,
        } });
    }
}
