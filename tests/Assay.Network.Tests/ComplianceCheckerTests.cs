using Assay.Network.Compliance;
using Assay.Network.Policy;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class ComplianceCheckerTests
{
    // Two regions. north: 4 RAN sites (n1..n4), Huawei at n1 and n2. south: 2 RAN sites, Huawei at s1.
    // One core site with a Huawei MME; one sensitive site with a ZTE router.
    private const string Network = Header + ",cells,technology,installed\n" +
        "n1-gnb,n1,north,standard,ran,gNB,Huawei,3,3,5G,2022-01-10\n" +
        "n1-enb,n1,north,standard,ran,eNB,Huawei,1,3,4G,2015-01-10\n" +
        "n2-gnb,n2,north,standard,ran,gNB,Huawei,1,1,5G,2020-01-10\n" +
        "n3-gnb,n3,north,standard,ran,gNB,Ericsson,2,3,5G,2020-01-10\n" +
        "n4-gnb,n4,north,standard,ran,gNB,Nokia,2,3,5G,2020-01-10\n" +
        "s1-gnb,s1,south,standard,ran,gNB,Huawei,1,2,5G,2020-01-10\n" +
        "s2-gnb,s2,south,standard,ran,gNB,Nokia,1,2,5G,2020-01-10\n" +
        "c1-mme,c1,north,core,core,MME,Huawei,1,0,4G,2014-01-10\n" +
        "c1-amf,c1,north,core,core,AMF,Nokia,1,0,5G,2020-01-10\n" +
        "x1-rtr,x1,south,sensitive,transport,router,ZTE,1,0,,2018-01-10\n";

    [Fact]
    public void Exclude_RestrictedElementInScope_IsAViolationListingIt()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: CORE, kind: exclude, scope: {domains: [core]}, from: 2020-01-28}\n");
        var r = Check(inv, pack, "2024-01-01", "Huawei");
        var v = Assert.Single(r.Violations);
        Assert.Equal("CORE", v.Rule);
        Assert.Equal(["c1-mme"], v.Elements);
        Assert.False(r.Compliant);
    }

    [Fact]
    public void Exclude_BySiteClass_MatchesOnlyThatClass()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: SENS, kind: exclude, scope: {site_classes: [Sensitive]}}\n");
        Assert.Equal(["x1-rtr"], Check(inv, pack, "2024-01-01", "ZTE").Violations.Single().Elements);
        Assert.True(Check(inv, pack, "2024-01-01", "Huawei").Compliant);
    }

    [Fact]
    public void Exclude_ByFunction_MatchesCaseInsensitively()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: F, kind: exclude, scope: {functions: [enb]}}\n");
        Assert.Equal(["n1-enb"], Check(inv, pack, "2024-01-01", "Huawei").Violations.Single().Elements);
    }

    [Fact]
    public void Deadline_BeforeItsDate_IsUpcomingAndCompliant_AfterItIsViolated()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: D, kind: deadline, scope: {domains: [core]}, from: 2023-12-31}\n");
        var before = Check(inv, pack, "2023-12-30", "Huawei");
        Assert.True(before.Compliant);
        var outcome = Assert.Single(before.Rules);
        Assert.Equal(("upcoming", 1), (outcome.Status, outcome.Elements));
        // The deadline's own day is the first day the rule is in force.
        Assert.False(Check(inv, pack, "2023-12-31", "Huawei").Compliant);
    }

    [Fact]
    public void MaxShare_BySites_CountsASiteOnceAndComparesWithTheCap()
    {
        var inv = Csv(Network);
        // RAN sites: n1..n4, s1, s2 = 6; Huawei at n1, n2, s1 = 3 -> 50%.
        var r = Check(inv, Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.35, measure: sites}\n"), "2024-01-01", "Huawei");
        var v = Assert.Single(r.Violations);
        Assert.Equal(0.5, v.Share!.Value, 9);
        // 3 - 0.35 * 6 = 0.9 -> at least one site must go.
        Assert.Equal(1, v.Excess);
        Assert.Equal(["n1-enb", "n1-gnb", "n2-gnb", "s1-gnb"], v.Elements);
        Assert.True(Check(inv, Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.5, measure: sites}\n"), "2024-01-01", "Huawei").Compliant);
    }

    [Fact]
    public void MaxShare_ByElementsCellsAndTraffic_UseTheirOwnSums()
    {
        var inv = Csv(Network);
        string Rule(string measure, double cap) => $"  - {{id: CAP, kind: max_share, scope: {{domains: [ran]}}, value: {cap.ToString(System.Globalization.CultureInfo.InvariantCulture)}, measure: {measure}}}\n";
        // elements: 4 of 7 Huawei = 0.5714; cells: (3+3+1+2) of 17 = 0.5294; traffic: (3+1+1+1) of 11 = 0.5454.
        Assert.Equal(4.0 / 7, Check(inv, Pack(Rule("elements", 0.5)), "2024-01-01", "Huawei").Violations.Single().Share!.Value, 9);
        Assert.Equal(9.0 / 17, Check(inv, Pack(Rule("cells", 0.5)), "2024-01-01", "Huawei").Violations.Single().Share!.Value, 9);
        Assert.Equal(6.0 / 11, Check(inv, Pack(Rule("traffic", 0.5)), "2024-01-01", "Huawei").Violations.Single().Share!.Value, 9);
        Assert.True(Check(inv, Pack(Rule("cells", 0.53)), "2024-01-01", "Huawei").Compliant);
        Assert.False(Check(inv, Pack(Rule("traffic", 0.54)), "2024-01-01", "Huawei").Compliant);
    }

    [Fact]
    public void MaxShare_AtExactlyTheCap_IsCompliant()
    {
        var inv = Csv(Network);
        Assert.True(Check(inv, Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.5, measure: sites}\n"), "2024-01-01", "Huawei").Compliant);
    }

    [Fact]
    public void MaxShare_PerRegion_ReportsEachRegionOverTheCap()
    {
        var inv = Csv(Network);
        // By sites: north 2 of 4 = 50%, south 1 of 2 = 50%; by elements: north 3 of 5 = 60%, south 1 of 2 = 50%.
        var pack = Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.55, measure: elements, level: region}\n");
        var v = Assert.Single(Check(inv, pack, "2024-01-01", "Huawei").Violations);
        Assert.Equal("north", v.Region);
        Assert.Equal(["n1-enb", "n1-gnb", "n2-gnb"], v.Elements);
    }

    [Fact]
    public void NoNewInstall_FlagsOnlyElementsInstalledAfterTheDate()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: NNI, kind: no_new_install, scope: {technology: 5G}, from: 2021-09-30}\n");
        Assert.Equal(["n1-gnb"], Check(inv, pack, "2024-01-01", "Huawei").Violations.Single().Elements);
    }

    [Fact]
    public void NoNewInstall_WithoutInstalledColumn_IsNotCheckableRatherThanCompliantByAccident()
    {
        var inv = Csv(Header + "\ne1,s1,n,standard,ran,gNB,Huawei,1\n");
        var r = Check(inv, Pack("  - {id: NNI, kind: no_new_install, from: 2021-09-30}\n"), "2024-01-01", "Huawei");
        Assert.Equal("not-checkable", r.Rules.Single().Status);
        Assert.Empty(r.Violations);
    }

    [Fact]
    public void Technology_WithColumn_ScopesTheRule_WithoutColumn_AppliesToAllAndSaysSo()
    {
        var pack = Pack("  - {id: G5, kind: exclude, scope: {technology: 5G}}\n");
        var withColumn = Check(Csv(Network), pack, "2024-01-01", "Huawei", "ZTE");
        Assert.Equal(["n1-gnb", "n2-gnb", "s1-gnb"], withColumn.Violations.Single().Elements); // not the 4G eNB/MME nor the router without technology
        Assert.Empty(withColumn.Assumptions);

        var plain = Csv(Header + "\ne1,s1,n,standard,ran,eNB,Huawei,1\n");
        var r = Check(plain, pack, "2024-01-01", "Huawei");
        Assert.Equal(["e1"], r.Violations.Single().Elements);
        Assert.Contains(r.Assumptions, a => a.Contains("applies to 5G only", StringComparison.Ordinal));
    }

    [Fact]
    public void Advisory_Rule_IsListedButNeverViolated()
    {
        var r = Check(Csv(Network), Pack("  - {id: ADV, kind: exclude, scope: {domains: [ran]}, enforceable: false}\n"), "2024-01-01", "Huawei");
        Assert.True(r.Compliant);
        Assert.Equal("advisory", r.Rules.Single().Status);
    }

    [Fact]
    public void Designation_PackDefaultsAreUsedAndReportedAsAnAssumption()
    {
        var inv = Csv(Network);
        var pack = BuiltinPolicyPacks.Find("uk-2020")!;
        var r = ComplianceChecker.Check(inv, pack, new DateOnly(2024, 1, 1), VendorDesignation.Resolve(inv, pack, null));
        Assert.Equal(["Huawei", "ZTE"], r.RestrictedVendors);
        Assert.Contains(r.Assumptions, a => a.StartsWith("restricted vendors not given", StringComparison.Ordinal));
    }

    [Fact]
    public void Designation_UnknownVendorName_IsReported()
    {
        var r = Check(Csv(Network), Pack("  - {id: C, kind: exclude, scope: {domains: [core]}}\n"), "2024-01-01", "Huawai");
        Assert.True(r.Compliant);
        Assert.Contains(r.Assumptions, a => a.Contains("Huawai", StringComparison.Ordinal) && a.Contains("do not occur", StringComparison.Ordinal));
    }

    [Fact]
    public void Shares_NationalAndRegionalRows_AddUp()
    {
        var inv = Csv(Network);
        var shares = ComplianceChecker.ComputeShares(inv, Restrict(inv, "Huawei").Restricted);
        var national = shares.Single(s => s.Domain == "ran" && s.Region is null);
        Assert.Equal((7L, 4L, 6L, 3L, 17L, 9L), (national.Elements, national.RestrictedElements, national.Sites, national.RestrictedSites, national.Cells, national.RestrictedCells));
        var regions = shares.Where(s => s.Domain == "ran" && s.Region is not null).ToList();
        Assert.Equal(national.Elements, regions.Sum(s => s.Elements));
        Assert.Equal(national.RestrictedSites, regions.Sum(s => s.RestrictedSites));
    }

    [Fact]
    public void BuiltinUkDvd_OnTheSampleShapedNetwork_FindsCoreAndSensitiveViolations()
    {
        var inv = Csv(Network);
        var r = Check(inv, BuiltinPolicyPacks.Find("uk-dvd")!, "2024-06-01", "Huawei", "ZTE");
        Assert.Contains(r.Violations, v => v.Rule == "UK-DVD-05" && v.Elements.SequenceEqual(["c1-mme"]));
        Assert.Contains(r.Violations, v => v.Rule == "UK-DVD-02" && v.Elements.SequenceEqual(["x1-rtr"]));
        Assert.Equal("upcoming", r.Rules.Single(o => o.Rule == "UK-DVD-07").Status);
    }
}
