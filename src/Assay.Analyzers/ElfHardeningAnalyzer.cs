using System.Text.Json;
using Assay.Analyzers.Elf;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Compiler and linker hardening of every ELF (any class, byte order and machine; executables,
/// shared objects, kernel modules): NX, W+X segments, PIE, RELRO, stack protector, FORTIFY_SOURCE,
/// RPATH/RUNPATH, text relocations, stripped, CET/BTI notes. TS 33.117 §4.3.3.1.5.
/// Results per binary go to the <c>hardening</c> summary as a table.
/// </summary>
/// <remarks>
/// Limitations: relocatable objects (kernel modules, ET_REL) and core files are listed in the table
/// but raise no finding (the loader's protections do not apply to them). Canary and FORTIFY come from
/// symbol names, so a static binary without .symtab is "unknown" for both and raises neither. RELRO
/// findings are raised for dynamically linked files only. CET/BTI is looked at for x86 and AArch64.
/// </remarks>
public sealed class ElfHardeningAnalyzer : IInspector
{
    private const string RowFact = "row";

    private readonly ElfModelCache _cache;

    public ElfHardeningAnalyzer()
        : this(new ElfModelCache(1))
    {
    }

    internal ElfHardeningAnalyzer(ElfModelCache cache) => _cache = cache;

    public string Id => "elf-hardening";

    public bool Wants(FileRecord file) => file.Type?.Class == "elf";

    /// <summary>Each ELF's row goes to the sink as a fact, so its results are cached by content.</summary>
    public bool CacheableByContent => true;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        ElfFacts facts;
        try
        {
            facts = _cache.Get(file).Facts;
        }
        catch (InvalidDataException e)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = e.Message });
            return;
        }
        // the row without its path (a fact's data holds no paths: the fact's own path is rebased)
        sink.Add(new InspectionFact(Id, file.Path, RowFact, JsonSerializer.Serialize(Row(facts) with { Path = "" }, FactsJson.Default.HardeningRow)));
        sink.Checked(RulesChecked(facts));
        foreach (var finding in Judge(facts))
            sink.Add(finding);
    }

    /// <summary>The rules <see cref="Judge"/> can decide for one file's facts (the rest stay unknown for it).</summary>
    internal static string[] RulesChecked(ElfFacts f)
    {
        if (f.Type is not ("exec" or "dyn"))
            return [];
        var rules = new List<string> { "ASSAY-ELF-NX", "ASSAY-ELF-WX", "ASSAY-ELF-PIE", "ASSAY-ELF-RPATH", "ASSAY-ELF-TEXTREL", "ASSAY-ELF-NOT-STRIPPED" };
        if (!f.Static)
            rules.AddRange(["ASSAY-ELF-RELRO-NONE", "ASSAY-ELF-RELRO-PARTIAL"]);
        if (f.Canary is not null)
            rules.Add("ASSAY-ELF-CANARY");
        if (f.Fortified is not null)
            rules.Add("ASSAY-ELF-FORTIFY");
        if (f.ControlFlow is not null)
            rules.Add("ASSAY-ELF-CET");
        return [.. rules];
    }

    /// <summary>The findings for one file's facts.</summary>
    internal static IEnumerable<Finding> Judge(ElfFacts f)
    {
        if (f.Type is not ("exec" or "dyn"))
            yield break;
        if (!f.Nx)
            yield return RuleCatalog.Finding("ASSAY-ELF-NX", f.Path, f.ExecStack ? "PT_GNU_STACK flags include PF_X (RWE)" : "no PT_GNU_STACK program header: the stack defaults to executable");
        if (f.WxSegment)
            yield return RuleCatalog.Finding("ASSAY-ELF-WX", f.Path, "a PT_LOAD segment has flags RWE");
        if (f.Pie == false)
            yield return RuleCatalog.Finding("ASSAY-ELF-PIE", f.Path, $"e_type ET_EXEC{(f.Static ? ", statically linked" : "")}");
        if (!f.Static)
        {
            if (f.Relro == "none")
                yield return RuleCatalog.Finding("ASSAY-ELF-RELRO-NONE", f.Path, "no PT_GNU_RELRO");
            else if (f.Relro == "partial")
                yield return RuleCatalog.Finding("ASSAY-ELF-RELRO-PARTIAL", f.Path, "PT_GNU_RELRO without BIND_NOW");
        }
        if (f.Canary == false)
            yield return RuleCatalog.Finding("ASSAY-ELF-CANARY", f.Path, "no __stack_chk_fail / __stack_chk_guard symbol");
        if (f.Fortified is { Count: 0 } && f.Unfortified.Count > 0)
            yield return RuleCatalog.Finding("ASSAY-ELF-FORTIFY", f.Path, $"unchecked: {Names(f.Unfortified)}; no __*_chk function");
        if (f.RPath.Count + f.RunPath.Count > 0)
        {
            var paths = f.RPath.Select(p => "RPATH " + p).Concat(f.RunPath.Select(p => "RUNPATH " + p)).ToList();
            var risky = f.RPath.Concat(f.RunPath).SelectMany(p => p.Split(':')).Any(IsRiskySearchPath);
            yield return RuleCatalog.Finding("ASSAY-ELF-RPATH", f.Path, string.Join("; ", paths), severity: risky ? Severity.High : null);
        }
        if (f.TextRel)
            yield return RuleCatalog.Finding("ASSAY-ELF-TEXTREL", f.Path, "DT_TEXTREL / DF_TEXTREL set");
        if (!f.Stripped)
            yield return RuleCatalog.Finding("ASSAY-ELF-NOT-STRIPPED", f.Path, ".symtab present");
        if (f.ControlFlow == "none")
            yield return RuleCatalog.Finding("ASSAY-ELF-CET", f.Path, $"{f.Arch}: no GNU property feature bits (IBT/SHSTK or BTI/PAC)");
    }

    /// <summary>Relative entries, $ORIGIN, empty entries (= current directory) and world-writable locations.</summary>
    private static bool IsRiskySearchPath(string p) =>
        p.Length == 0 || !p.StartsWith('/') || p.StartsWith("/tmp", StringComparison.Ordinal) || p.StartsWith("/var/tmp", StringComparison.Ordinal)
        || p.StartsWith("/home", StringComparison.Ordinal) || p.StartsWith("/mnt", StringComparison.Ordinal);

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= 6 ? string.Join(", ", names) : string.Join(", ", names.Take(6)) + $" and {names.Count - 6} more";

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        var rows = sink.FactsOf(Id).Where(f => f.Kind == RowFact).Select(f => JsonSerializer.Deserialize(f.Data, FactsJson.Default.HardeningRow)! with { Path = f.Path }).ToList();
        sink.SetSummary(new EvaluationSummaries { Hardening = new HardeningSummary
        {
            ElfFiles = rows.Count,
            NoNx = rows.Count(r => !r.Nx && r.Type is "exec" or "dyn"),
            NotPie = rows.Count(r => r.Pie == false),
            Relro = new SortedDictionary<string, int>(rows.GroupBy(r => r.Relro).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal),
            NoCanary = rows.Count(r => r.Canary == false),
            CanaryUnknown = rows.Count(r => r.Canary is null),
            Fortified = rows.Count(r => r.Fortify == "fortified"),
            Unfortified = rows.Count(r => r.Fortify == "unfortified"),
            WithRpath = rows.Count(r => r.Rpath.Count + r.Runpath.Count > 0),
            TextRel = rows.Count(r => r.TextRel),
            Binaries = rows,
        } });
    }

    /// <summary>The summary row of one ELF.</summary>
    internal static HardeningRow Row(ElfFacts f) => new()
    {
        Path = f.Path,
        Arch = f.Arch,
        Bits = f.Bits,
        Endian = f.Endian,
        Type = f.Type,
        Static = f.Static,
        Pie = f.Pie,
        Nx = f.Nx,
        ExecStack = f.ExecStack,
        Wx = f.WxSegment,
        Relro = f.Relro,
        Canary = f.Canary,
        Fortify = f.Fortified switch
        {
            null => "unknown",
            { Count: > 0 } => "fortified",
            _ when f.Unfortified.Count > 0 => "unfortified",
            _ => "none",
        },
        FortifiedFunctions = f.Fortified ?? [],
        Rpath = f.RPath,
        Runpath = f.RunPath,
        Stripped = f.Stripped,
        TextRel = f.TextRel,
        ControlFlow = f.ControlFlow,
        BuildId = f.BuildId,
    };
}
