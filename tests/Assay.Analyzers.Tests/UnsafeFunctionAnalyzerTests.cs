using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

// Fixtures/elf/prog.c calls strcpy, strcat, sprintf, memcpy, gets and system; clean.c calls none;
// wrapper.c defines memcpy_s and strcpy_safe without checks and safe_strcpy with one.
public sealed class UnsafeFunctionAnalyzerTests
{
    private static Core.Plugins.InspectionSink Analyze(params string[] fixtures) =>
        Harness.Run(new UnsafeFunctionAnalyzer(), fixtures.Select(f => Harness.Fixture("elf/" + f, "/usr/bin/" + f, "0755")).ToArray());

    [Fact]
    public void RiskyImports_WeakProgram_ReportedPerRule()
    {
        var sink = Analyze("x64-weak");
        Assert.Contains("strcpy", sink.Findings("ASSAY-UNSAFE-STRING").Single().Evidence);
        Assert.Contains("sprintf", sink.Findings("ASSAY-UNSAFE-STRING").Single().Evidence);
        Assert.Single(sink.Findings("ASSAY-UNSAFE-GETS"));
        Assert.Contains("system", sink.Findings("ASSAY-UNSAFE-EXEC").Single().Evidence);
        var summary = Assert.IsType<UnsafeFunctionSummary>(sink.Summaries.UnsafeFunctions);
        Assert.Equal(1, summary.BinariesByFunction["memcpy"]);
        Assert.Equal(Harness.PathOf("/usr/bin/x64-weak"), Assert.Single(summary.Worst).Path);
    }

    [Fact]
    public void NoRiskyImports_CleanProgram_NoFinding()
    {
        var sink = Analyze("x64-clean");
        Assert.Empty(sink.Findings);
        var summary = Assert.IsType<UnsafeFunctionSummary>(sink.Summaries.UnsafeFunctions);
        Assert.Equal(0, summary.BinariesWithUnsafeCalls);
    }

    [Fact]
    public void FortifiedProgram_ImportsChkVariants_StillNamesGetsAndSystem()
    {
        // With FORTIFY, strcpy/sprintf become __strcpy_chk/__sprintf_chk; gets and system stay.
        var sink = Analyze("x64-hardened");
        Assert.Single(sink.Findings("ASSAY-UNSAFE-EXEC"));
        Assert.DoesNotContain(sink.Findings("ASSAY-UNSAFE-STRING"), f => f.Evidence!.Contains("sprintf", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("x64-wrapper")]
    [InlineData("x64-wrapper-noplt")]
    [InlineData("arm64-wrapper")]
    [InlineData("arm-wrapper")]
    [InlineData("thumb-wrapper")]
    [InlineData("mips-wrapper")]
    [InlineData("mipsel-wrapper")]
    [InlineData("mips64-wrapper")]
    [InlineData("mips64el-wrapper")]
    public void UncheckedWrappers_X64_FoundByDisassembly(string fixture)
    {
        var sink = Analyze(fixture);
        var wrappers = sink.Findings("ASSAY-UNSAFE-WRAPPER").Select(f => f.Title).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, wrappers.Count);
        Assert.Contains("memcpy_s", wrappers[0], StringComparison.Ordinal);
        Assert.Contains("strcpy_safe", wrappers[1], StringComparison.Ordinal);
        // safe_strcpy compares the length first: not reported.
        Assert.DoesNotContain(wrappers, w => w.Contains("safe_strcpy", StringComparison.Ordinal));
    }

    [Fact]
    public void Wrappers_EachArchitecture_CoverageSaysDisassembled()
    {
        var sink = Analyze("arm-hardened", "x64-wrapper", "arm64-wrapper", "mips-wrapper");
        var summary = Assert.IsType<UnsafeFunctionSummary>(sink.Summaries.UnsafeFunctions);
        Assert.StartsWith("imports and wrapper disassembly", summary.Coverage["arm"], StringComparison.Ordinal);
        Assert.StartsWith("imports and wrapper disassembly", summary.Coverage["mips"], StringComparison.Ordinal);
        Assert.StartsWith("imports and wrapper disassembly", summary.Coverage["aarch64"], StringComparison.Ordinal);
        Assert.StartsWith("imports and wrapper disassembly", summary.Coverage["x86-64"], StringComparison.Ordinal);
    }

    [Fact]
    public void SharedCache_BothElfAnalyzers_ParseOnceAndAgree()
    {
        var all = AnalyzerRegistry.CreateAll();
        var hardening = all.OfType<ElfHardeningAnalyzer>().Single();
        var unsafeCalls = all.OfType<UnsafeFunctionAnalyzer>().Single();
        var file = Harness.Fixture("elf/x64-weak", "/usr/bin/x64-weak");
        var a = Harness.Run(hardening, file);
        var b = Harness.Run(unsafeCalls, file);
        Assert.Contains("ASSAY-ELF-NX", a.RuleIds());
        Assert.Contains("ASSAY-UNSAFE-GETS", b.RuleIds());
    }
}
