using Assay.Core.Model;
using Assay.Vulnerabilities.Vex;

namespace Assay.Vulnerabilities.Tests;

public sealed class VexTests(SampleDatabase sample) : IClassFixture<SampleDatabase>
{
    private static Evaluation Eval(params Component[] components) => new()
    {
        Tool = new ToolInfo("assay", "test"),
        Input = new InputInfo("fw.bin", 1, "00"),
        Components = components,
    };

    private static readonly Component OpenSsl = new() { Name = "openssl", Version = "1.0.1f", Location = "/lib/libssl.so", Purl = "pkg:generic/openssl@1.0.1f" };
    private static readonly Component BusyBox = new() { Name = "busybox", Version = "1.31.0", Location = "/bin/busybox", Purl = "pkg:generic/busybox@1.31.0" };

    [Fact]
    public void OpenVex_NewestStatementWins_AndCpeAndNameProductsMatch()
    {
        var result = VulnerabilityEnricher.Apply(Eval(OpenSsl, BusyBox), sample.Db, Fixture.Path("vex/openvex.json"));
        var byId = result.Vulnerabilities.ToDictionary(v => v.Id);

        Assert.Equal(("not_affected", "vulnerable_code_not_in_execute_path"), (byId["CVE-2014-0160"].VexState, byId["CVE-2014-0160"].VexJustification));
        Assert.Equal("fixed", byId["CVE-2014-0224"].VexState);
        // busybox@9.9.9 is another version: the statement does not apply.
        Assert.Null(byId["CVE-2099-0004"].VexState);
        Assert.False(byId.ContainsKey("CVE-2099-0001")); // AND with HP-UX: listed apart, not a vulnerability
    }

    [Fact]
    public void CycloneDxVex_StatesMapToOpenVexVocabulary()
    {
        var result = VulnerabilityEnricher.Apply(Eval(OpenSsl, BusyBox), sample.Db, Fixture.Path("vex/cyclonedx-vex.json"));
        var byId = result.Vulnerabilities.ToDictionary(v => v.Id);

        Assert.Equal(("not_affected", "code_not_reachable"), (byId["CVE-2099-0004"].VexState, byId["CVE-2099-0004"].VexJustification));
        Assert.Equal("affected", byId["CVE-2014-0160"].VexState);
        // The ref points into another BOM and cannot be resolved to this component.
        Assert.Null(byId["CVE-2014-0224"].VexState);
    }

    [Fact]
    public void Load_NeitherFormat_SaysWhatItExpected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"assay-vex-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"statements": []}""");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => VexDocument.Load(path));
            Assert.Contains("neither OpenVEX", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_BadStatus_NamesStatementAndValidStates()
    {
        var path = Path.Combine(Path.GetTempPath(), $"assay-vex-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fine"}]}""");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => VexDocument.Load(path));
            Assert.Contains("statements[0] status 'fine'", e.Message);
            Assert.Contains("not_affected", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
