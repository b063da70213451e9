using System.Text.Json;
using Assay.Core.Model;
using Assay.Vulnerabilities.Sbom;

namespace Assay.Vulnerabilities.Tests;

public sealed class EnricherTests(SampleDatabase sample) : IClassFixture<SampleDatabase>
{
    [Fact]
    public void Apply_CycloneDxSbom_MatchesNestedAndCpeComponents()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Fixture.Path("sbom/cyclonedx.json")));
        var components = CycloneDxComponentReader.Read(doc.RootElement, "cyclonedx.json");
        Assert.Equal(["busybox", "no-version-here", "openssl", "zlib"], components.Select(c => c.Name));

        var evaluation = new Evaluation { Tool = new ToolInfo("assay", "t"), Input = new InputInfo("sbom", 1, "00"), Components = components };
        var result = VulnerabilityEnricher.Apply(evaluation, sample.Db);

        Assert.Contains(result.Vulnerabilities, v => v.Component == "busybox" && v.Id == "CVE-2099-0004");
        Assert.Contains(result.Vulnerabilities, v => v.Component == "zlib" && v.Id == "CVE-2099-0010");
        Assert.Contains(result.Vulnerabilities, v => v.Component == "openssl" && v.Id == "CVE-2014-0160");
        Assert.DoesNotContain(result.Vulnerabilities, v => v.Component == "no-version-here");
        Assert.Equal(evaluation.Components, result.Components);
    }

    [Fact]
    public void Apply_SameEvaluationTwice_GivesIdenticalJson()
    {
        var components = new[]
        {
            new Component { Name = "zlib", Version = "1.2.11", Location = "/lib/libz.so" },
            new Component { Name = "openssl", Version = "1.0.1f", Location = "/lib/libssl.so" },
        };
        var evaluation = new Evaluation { Tool = new ToolInfo("assay", "t"), Input = new InputInfo("x", 1, "00"), Components = components };
        var a = JsonSerializer.Serialize(VulnerabilityEnricher.Apply(evaluation, sample.Db).Vulnerabilities);
        var b = JsonSerializer.Serialize(VulnerabilityEnricher.Apply(evaluation with { Components = components.Reverse().ToArray() }, sample.Db).Vulnerabilities);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Read_NotCycloneDx_IsRejected()
    {
        using var doc = JsonDocument.Parse("""{"spdxVersion": "SPDX-2.3"}""");
        Assert.Throws<InvalidDataException>(() => CycloneDxComponentReader.Read(doc.RootElement, "x.json"));
    }
}
