using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

// Expected values follow from the compiler and linker flags in Fixtures/elf/make.sh.
public sealed class ElfHardeningAnalyzerTests
{
    private static (InspectionSinkView Sink, HardeningRow Row) Analyze(string fixture)
    {
        var sink = Harness.Run(new ElfHardeningAnalyzer(), Harness.Fixture("elf/" + fixture, "/usr/bin/" + fixture, "0755"));
        var summary = Assert.IsType<HardeningSummary>(sink.Summaries.Hardening);
        return (new InspectionSinkView(sink), Assert.Single(summary.Binaries));
    }

    [Fact]
    public void Hardened_X64Executable_RaisesNoWeaknessFinding()
    {
        var (sink, row) = Analyze("x64-hardened");
        Assert.Equal(("x86-64", 64, "little", "dyn"), (row.Arch, row.Bits, row.Endian, row.Type));
        Assert.True(row.Pie);
        Assert.True(row.Nx);
        Assert.Equal("full", row.Relro);
        Assert.True(row.Canary);
        Assert.Equal("fortified", row.Fortify);
        Assert.True(row.Stripped);
        Assert.DoesNotContain(sink.Ids, id => id != "ASSAY-ELF-CET");
    }

    [Theory]
    // Expected: `readelf -n FIXTURE` (Build ID of the NT_GNU_BUILD_ID note); the MIPS fixture is big-endian.
    [InlineData("x64-hardened", "f52a44e5bdedb69ae2e05cedeae4b2e487dcb6e6")]
    [InlineData("mips-be-default", "abe16b0f455cff4287dbf61772ced2c2892e96ca")]
    [InlineData("arm-hardened", "a7e1122d1cafeb845630b6aa5d93e3d138d7d712")]
    public void BuildId_Note_IsInTheTable(string fixture, string expected) => Assert.Equal(expected, Analyze(fixture).Row.BuildId);

    [Fact]
    public void Weak_X64Executable_RaisesEveryHardeningFinding()
    {
        var (sink, row) = Analyze("x64-weak");
        Assert.False(row.Pie);
        Assert.False(row.Nx);
        Assert.True(row.ExecStack);
        Assert.Equal("none", row.Relro);
        Assert.False(row.Canary);
        Assert.Equal("unfortified", row.Fortify);
        Assert.Equal(["/tmp/lib"], row.Rpath);
        Assert.False(row.Stripped);
        Assert.Equal("none", row.ControlFlow);
        foreach (var id in new[] { "ASSAY-ELF-NX", "ASSAY-ELF-PIE", "ASSAY-ELF-RELRO-NONE", "ASSAY-ELF-CANARY", "ASSAY-ELF-FORTIFY", "ASSAY-ELF-RPATH", "ASSAY-ELF-NOT-STRIPPED", "ASSAY-ELF-CET" })
            Assert.Contains(id, sink.Ids);
        // RPATH into /tmp lets any local user plant a library: raised to high.
        Assert.Equal(Severity.High, sink.Sink.Findings("ASSAY-ELF-RPATH").Single().Severity);
        Assert.Contains("TS 33.117 §4.3.3.1.5", sink.Sink.Findings("ASSAY-ELF-NX").Single().References);
    }

    [Fact]
    public void PartialRelro_X64Executable_RaisesPartialRelroAndRunpath()
    {
        var (sink, row) = Analyze("x64-partial-relro");
        Assert.Equal("partial", row.Relro);
        Assert.Equal(["/opt/vendor/lib"], row.Runpath);
        Assert.Contains("ASSAY-ELF-RELRO-PARTIAL", sink.Ids);
        Assert.DoesNotContain("ASSAY-ELF-RELRO-NONE", sink.Ids);
        Assert.Equal(Severity.Medium, sink.Sink.Findings("ASSAY-ELF-RPATH").Single().Severity);
    }

    [Fact]
    public void RwxSegment_X64Executable_RaisesWx()
    {
        var (sink, row) = Analyze("x64-wx");
        Assert.True(row.Wx);
        Assert.Contains("ASSAY-ELF-WX", sink.Ids);
        var (clean, cleanRow) = Analyze("x64-clean");
        Assert.False(cleanRow.Wx);
        Assert.DoesNotContain("ASSAY-ELF-WX", clean.Ids);
    }

    [Fact]
    public void TextRelocations_ArmSharedObject_RaisesTextrel()
    {
        var (sink, row) = Analyze("arm-textrel.so");
        Assert.Equal(("arm", 32, "dyn"), (row.Arch, row.Bits, row.Type));
        Assert.Null(row.Pie);
        Assert.True(row.TextRel);
        Assert.Contains("ASSAY-ELF-TEXTREL", sink.Ids);
        Assert.Null(row.ControlFlow);
        var (hardened, _) = Analyze("arm-hardened");
        Assert.DoesNotContain("ASSAY-ELF-TEXTREL", hardened.Ids);
    }

    [Fact]
    public void Hardened_ArmExecutable_MatchesX64Hardened()
    {
        var (sink, row) = Analyze("arm-hardened");
        Assert.Equal(("arm", "little"), (row.Arch, row.Endian));
        Assert.True(row.Pie);
        Assert.True(row.Nx);
        Assert.Equal("full", row.Relro);
        Assert.True(row.Canary);
        Assert.Equal("fortified", row.Fortify);
        Assert.Empty(sink.Ids);
    }

    [Fact]
    public void BigEndianMips_DefaultBuild_ReadsTablesInBigEndian()
    {
        var (sink, row) = Analyze("mips-be-default");
        Assert.Equal(("mips", 32, "big"), (row.Arch, row.Bits, row.Endian));
        Assert.False(row.Canary);
        Assert.Equal("unfortified", row.Fortify);
        Assert.Contains("ASSAY-ELF-CANARY", sink.Ids);
        Assert.Contains("ASSAY-ELF-FORTIFY", sink.Ids);
    }

    [Theory]
    [InlineData("truncated.elf")]
    [InlineData("bad-tables.elf")]
    public void Malformed_Elf_ReportsErrorOrPartialResultWithoutThrowing(string fixture)
    {
        var sink = Harness.Run(new ElfHardeningAnalyzer(), Harness.Fixture("elf/" + fixture, "/bin/" + fixture));
        var summary = Assert.IsType<HardeningSummary>(sink.Summaries.Hardening);
        Assert.True(sink.Errors.Count + summary.Binaries.Count == 1);
    }

    [Fact]
    public void RandomBytes_AfterElfMagic_NeverThrow()
    {
        var random = new Random(33117);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(16, 2048)];
            random.NextBytes(bytes);
            "\u007fELF"u8.CopyTo(bytes);
            bytes[4] = (byte)random.Next(1, 3);
            bytes[5] = (byte)random.Next(1, 3);
            var sink = Harness.Run(new ElfHardeningAnalyzer(), new ImageFile("/bin/fuzz", bytes));
            Assert.NotNull(sink.Summaries.Hardening);
        }
    }

    /// <summary>Findings of a sink with their distinct rule ids at hand.</summary>
    internal sealed record InspectionSinkView(Core.Plugins.InspectionSink Sink)
    {
        public List<string> Ids => Sink.RuleIds();
    }
}
