using System.Text;
using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Output;
using Assay.Network.Planning;
using Assay.Network.Policy;
using Assay.Network.Risk;

namespace Assay.Network.Tests;

/// <summary>
/// Golden files for the serialized outputs of the samples in samples/network (STYLE.md rule 9).
/// Set ASSAY_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
/// </summary>
public sealed class GoldenOutputTests
{
    private static readonly string Repo = FindRepo();
    private static string Sample(string name) => Path.Combine(Repo, "samples", "network", name);

    [Fact]
    public void CheckJson_SampleInventoryUkDvd_MatchesGolden()
    {
        var inv = InventoryLoader.Load(Sample("inventory.csv"), vendorsPath: Sample("vendors.csv"));
        var pack = BuiltinPolicyPacks.Find("uk-dvd")!;
        var result = ComplianceChecker.Check(inv, pack, new DateOnly(2026, 11, 25), VendorDesignation.Resolve(inv, pack, null));
        Compare("check-uk-dvd.json", Json(result));
    }

    [Fact]
    public void PlanJson_SampleInventoryCapScenario_MatchesGolden()
    {
        var inv = InventoryLoader.Load(Sample("inventory.csv"), vendorsPath: Sample("vendors.csv"));
        var pack = PolicyPackLoader.LoadFile(Sample("cap-25-traffic.yaml"));
        var plan = ReplacementPlanner.Plan(inv, pack, VendorDesignation.Resolve(inv, pack, null), CostTable.Load(Sample("costs.csv")), 2, new DateOnly(2026, 12, 1));
        Compare("plan-cap-25-traffic.json", Json(plan));
    }

    /// <summary>The sample inventory planned for two scenarios, as <c>--policy cap-25-traffic.yaml --compare full-removal.yaml</c> does.</summary>
    private static List<PlanResult> ComparedPlans()
    {
        var inv = InventoryLoader.Load(Sample("inventory.csv"), vendorsPath: Sample("vendors.csv"));
        var costs = CostTable.Load(Sample("costs.csv"));
        var plans = new[] { PolicyPackLoader.LoadFile(Sample("cap-25-traffic.yaml")), PolicyPackLoader.LoadFile(Sample("full-removal.yaml")) }
            .Select(pack => ReplacementPlanner.Plan(inv, pack, VendorDesignation.Resolve(inv, pack, null), costs, 2, new DateOnly(2026, 12, 1)))
            .ToList();
        return plans;
    }

    [Fact]
    public void PlanCompareJson_SampleInventoryTwoScenarios_MatchesGolden()
    {
        var plans = ComparedPlans();
        // The golden file was written from the document 'assay network plan --compare -f json' builds by
        // reflection, new { scenarios = plans.Select(NetworkReports.Summary).ToList() }: WriteCompareJson writes the same bytes.
        using var ms = new MemoryStream();
        NetworkReports.WriteCompareJson(plans, ms);
        Compare("plan-compare.json", Encoding.UTF8.GetString(ms.ToArray()));
    }

    [Fact]
    public void WriteJson_TypeThatIsNoNetworkDocument_IsNotSupported() =>
        // The generic overload writes through generated metadata only (Native AOT): a type without it is refused, not reflected over.
        Assert.Throws<NotSupportedException>(() => NetworkReports.WriteJson(new { scenarios = Array.Empty<PlanResult>() }, new MemoryStream()));

    [Fact]
    public void RiskJson_SampleInventoryTwoEvaluations_MatchesGolden()
    {
        var inv = InventoryLoader.Load(Sample("inventory.csv"), vendorsPath: Sample("vendors.csv"));
        EvaluationEvidence[] evidence =
        [
            new() { Vendor = "Huawei", Model = "BBU5900", SoftwareVersion = "V100R019C10", File = "bbu5900.json", OpenCritical = 2, OpenHigh = 3, OpenMedium = 1,
                HardeningFindings = 4, Ts33117Failures = ["4.2.3.4.2.1", "4.3.2.1"], Score = 41.25 },
            new() { Vendor = "Nokia", Model = "Cloud Packet Core", SoftwareVersion = "24.2", File = "cpc.json", OpenCritical = 0, OpenHigh = 1, OpenMedium = 7,
                HardeningFindings = 0, Ts33117Failures = [], Score = 11.0 / 3 },
        ];
        var risk = EvidenceRisk.Assess(inv, evidence, top: 5) with
        {
            LinkProblems = [new LinkProblem("ZTE", "ZXRAN V9200", "V5.10", "zxran.json", "links.csv:4: evaluation zxran.json: not an evaluation document")],
        };
        Compare("risk.json", Json(risk));
    }

    private static string Json<T>(T value)
    {
        using var ms = new MemoryStream();
        NetworkReports.WriteJson(value, ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Compare(string name, string actual)
    {
        var path = Path.Combine(Repo, "tests", "Assay.Network.Tests", "Golden", name);
        if (Environment.GetEnvironmentVariable("ASSAY_UPDATE_GOLDEN") == "1")
            File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with ASSAY_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string FindRepo()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Assay.slnx")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("the tests run inside the repository (Assay.slnx not found above the test binaries)");
    }
}
