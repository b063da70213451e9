using Assay.Core.Model;
using Assay.Network.Risk;
using Assay.Reports;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class EvidenceRiskTests
{
    private static Evaluation MakeEvaluation(int critical, int high, int fixedCritical, int hardening, string[] clauses) => new()
    {
        Tool = new ToolInfo("assay", "test"),
        Input = new InputInfo("fw.bin", 1, new string('0', 64)),
        Vulnerabilities =
        [
            .. Enumerable.Range(0, critical).Select(i => new Vulnerability { Id = $"CVE-2024-{i:D4}", Component = "openssl", Version = "1.0.2k", Severity = Severity.Critical }),
            .. Enumerable.Range(0, high).Select(i => new Vulnerability { Id = $"CVE-2023-{i:D4}", Component = "busybox", Version = "1.31", Severity = Severity.High }),
            .. Enumerable.Range(0, fixedCritical).Select(i => new Vulnerability { Id = $"CVE-2022-{i:D4}", Component = "zlib", Version = "1.2.11", Severity = Severity.Critical, VexState = "not_affected" }),
        ],
        Findings =
        [
            .. Enumerable.Range(0, hardening).Select(i => new Finding { RuleId = "ASSAY-ELF-NX", Category = "hardening", Severity = Severity.High, Title = "no NX", Path = $"/bin/b{i}" }),
            .. clauses.Select(c => new Finding { RuleId = "ASSAY-CFG", Category = "configuration", Severity = Severity.Medium, Title = "cfg", Path = "/etc/x", Requirements = [c] }),
        ],
    };

    [Fact]
    public void Score_CountsOpenVulnerabilitiesHardeningAndClauses_IgnoresVexNotAffected()
    {
        var ev = EvidenceRisk.Score(MakeEvaluation(critical: 2, high: 1, fixedCritical: 5, hardening: 3, clauses: ["4.2.3.4.2.1", "4.3.2.1", "4.2.3.4.2.1"]), "V", "M", "1", "e.json");
        Assert.Equal((2, 1, 3), (ev.OpenCritical, ev.OpenHigh, ev.HardeningFindings));
        Assert.Equal(["4.2.3.4.2.1", "4.3.2.1"], ev.Ts33117Failures);
        // 10*2 + 4*1 + min(20, 3*2) + 3*2 = 36
        Assert.Equal(36.0, ev.Score);
    }

    [Fact]
    public void Score_HardeningIsCappedAtTwenty()
    {
        Assert.Equal(20.0, EvidenceRisk.Score(MakeEvaluation(0, 0, 0, hardening: 50, clauses: []), "V", "M", "1", "e.json").Score);
    }

    [Fact]
    public void Assess_SameProductInCoreOutranksRan_AndTheVendorNameDoesNotMatter()
    {
        var inv = Csv(Header + ",model,software_version\n" +
            "ran-1,s1,n,standard,ran,gNB,Alpha,1,BB1,1.0\n" +
            "core-1,s2,n,core,core,AMF,Alpha,1,BB1,1.0\n" +
            "core-2,s3,n,core,core,AMF,Beta,1,BB1,1.0\n" +
            "core-3,s4,n,core,core,AMF,Beta,1,BB2,9.9\n");
        var evidence = new[]
        {
            EvidenceRisk.Score(MakeEvaluation(1, 0, 0, 0, []), "alpha", "bb1", "1.0", "a.json"),
            EvidenceRisk.Score(MakeEvaluation(1, 0, 0, 0, []), "Beta", "BB1", "1.0", "b.json"),
        };
        var r = EvidenceRisk.Assess(inv, evidence);
        Assert.Equal(3, r.Assessed);
        Assert.Equal(["core-1", "core-2", "ran-1"], r.TopElements.Select(i => i.Id));
        Assert.Equal(r.TopElements[0].Risk, r.TopElements[1].Risk); // same evidence, same domain, different vendor: same risk
        Assert.Equal(10.0 * 0.4, r.TopElements[2].Risk);
        var unassessed = Assert.Single(r.Unassessed);
        Assert.Equal(("Beta", "BB2", "9.9", 1), (unassessed.Vendor, unassessed.Model, unassessed.SoftwareVersion, unassessed.Elements));
    }

    [Fact]
    public void Assess_SensitiveSite_WeighsMore()
    {
        var inv = Csv(Header + ",model,software_version\n" +
            "a,s1,n,standard,ran,gNB,V,1,M,1\n" +
            "b,s2,n,sensitive,ran,gNB,V,1,M,1\n");
        var r = EvidenceRisk.Assess(inv, [EvidenceRisk.Score(MakeEvaluation(1, 0, 0, 0, []), "V", "M", "1", "e.json")]);
        Assert.Equal("b", r.TopElements[0].Id);
        Assert.Equal(r.TopElements[1].Risk * EvidenceRisk.SensitiveSiteFactor, r.TopElements[0].Risk, 9);
        Assert.Equal("s2", r.TopSites[0].Id);
    }

    [Fact]
    public void LoadLinks_ReadsEvaluationJsonRelativeToTheLinksFile_AndReportsBadOnes()
    {
        var dir = Directory.CreateTempSubdirectory("assay-risk-");
        try
        {
            using (var f = File.Create(Path.Combine(dir.FullName, "bbu.json")))
                new JsonReportWriter().Write(MakeEvaluation(3, 0, 0, 0, ["4.3.2.1"]), f);
            File.WriteAllText(Path.Combine(dir.FullName, "broken.json"), "{ not json");
            var links = Path.Combine(dir.FullName, "links.csv");
            File.WriteAllText(links, "vendor,model,software_version,evaluation\nHuawei,BBU5900,V100R019C10,bbu.json\n");
            var ev = Assert.Single(EvidenceRisk.LoadLinks(links).Evidence);
            Assert.Equal((3, 33.0), (ev.OpenCritical, ev.Score));

            // A broken or missing evaluation is reported against its product; the others are still scored.
            File.AppendAllText(links, "Nokia,AirScale,SRAN22R1,broken.json\nZTE,X,1,missing.json\n");
            var loaded = EvidenceRisk.LoadLinks(links);
            Assert.Equal("Huawei", Assert.Single(loaded.Evidence).Vendor);
            Assert.Equal(["Nokia", "ZTE"], loaded.Problems.Select(p => p.Vendor));
            Assert.Contains("links.csv:3: evaluation", loaded.Problems[0].Message);
            Assert.Contains("links.csv:4: evaluation", loaded.Problems[1].Message);

            // A links file that is itself malformed still stops the run.
            File.AppendAllText(links, "only-one-field\n");
            Assert.Throws<Assay.Network.Inventory.InventoryException>(() => EvidenceRisk.LoadLinks(links));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
