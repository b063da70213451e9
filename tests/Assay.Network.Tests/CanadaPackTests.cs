using Assay.Network.Compliance;
using Assay.Network.Policy;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

/// <summary>
/// ca-2022, rule by rule: the ISED policy statement of 19 May 2022 (no new 4G/5G procurement from
/// 1 Sep 2022; existing 5G out by 28 Jun 2024; existing 4G out by 31 Dec 2027). The technology and
/// installed columns decide; Ericsson is outside the named vendors.
/// </summary>
public sealed class CanadaPackTests
{
    private const string Network = Header + ",technology,installed\n" +
        "g5,s1,east,standard,ran,gNB,Huawei,1,5G,2021-03-01\n" +       // existing 5G
        "ru,s1,east,standard,ran,RU,Huawei,1,4G/5G,2019-05-01\n" +      // dual-mode radio: its 5G makes it due in 2024
        "e4,s2,east,standard,ran,eNB,ZTE,1,4G,2016-01-01\n" +           // existing 4G
        "n5,s3,west,standard,ran,gNB,Huawei,1,5G,2022-09-01\n" +        // 5G installed on the first banned day
        "a4,s3,west,standard,ran,eNB,Huawei,1,4G,2022-08-31\n" +        // 4G installed the day before the ban
        "b4,s4,west,standard,ran,eNB,ZTE,1,4G,2022-09-01\n" +           // 4G installed on the first banned day
        "tr,s2,east,standard,transport,router,Huawei,1,,2018-01-01\n" + // no radio technology: outside the dated rules
        "er,s5,west,standard,ran,gNB,Ericsson,1,5G,2023-01-01\n";       // vendor outside the list

    private static readonly PolicyPack Pack = BuiltinPolicyPacks.Find("ca-2022")!;

    private static CheckResult At(string date) =>
        ComplianceChecker.Check(Csv(Network), Pack, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), VendorDesignation.Resolve(Csv(Network), Pack, null));

    private static RuleOutcome Rule(CheckResult r, string id) => r.Rules.Single(o => o.Rule == id);

    private static IReadOnlyList<string> Elements(CheckResult r, string id) => r.Violations.Single(v => v.Rule == id).Elements;

    [Fact]
    public void Designation_IsHuaweiAndZteByName()
    {
        var r = At("2025-01-01");
        Assert.Equal(["Huawei", "ZTE"], r.RestrictedVendors);
        Assert.StartsWith("named in pack ca-2022", r.DesignationBasis);
    }

    [Fact]
    public void Ca03_5GDeadline_DayBeforeIsUpcoming_DayOfIsViolated()
    {
        var before = Rule(At("2024-06-27"), "CA-2022-03");
        Assert.Equal(("upcoming", 3), (before.Status, before.Elements));
        var on = At("2024-06-28");
        Assert.Equal("violated", Rule(on, "CA-2022-03").Status);
        // 5G and the 4G/5G radio; not the 4G-only eNBs, not the router, not Ericsson
        Assert.Equal(["g5", "n5", "ru"], Elements(on, "CA-2022-03"));
        Assert.Equal("upcoming", Rule(on, "CA-2022-04").Status);
    }

    [Fact]
    public void Ca04_4GDeadline_DayBeforeIsUpcoming_DayOfIsViolated()
    {
        Assert.Equal(("upcoming", 4), (Rule(At("2027-12-30"), "CA-2022-04").Status, Rule(At("2027-12-30"), "CA-2022-04").Elements));
        var on = At("2027-12-31");
        // technology containing 4G, the dual-mode radio included (already due in 2024)
        Assert.Equal(["a4", "b4", "e4", "ru"], Elements(on, "CA-2022-04"));
    }

    [Fact]
    public void Ca01_No5GProcurementFromSeptember_InstallDateDecides()
    {
        Assert.Equal(("upcoming", 1), (Rule(At("2022-08-30"), "CA-2022-01").Status, Rule(At("2022-08-30"), "CA-2022-01").Elements));
        var r = At("2022-09-01");
        // installed 2022-09-01 is after the last allowed day (2022-08-31); the 2021 gNB is existing equipment
        Assert.Equal(["n5"], Elements(r, "CA-2022-01"));
    }

    [Fact]
    public void Ca02_No4GProcurementFromSeptember_TheDayBeforeIsAllowed()
    {
        var r = At("2023-01-01");
        Assert.Equal(["b4"], Elements(r, "CA-2022-02"));
    }

    [Fact]
    public void Ca05And06_ManagedServicesAndGpon_AreAdvisory()
    {
        var r = At("2030-01-01");
        Assert.Equal("advisory", Rule(r, "CA-2022-05").Status);
        Assert.Equal("advisory", Rule(r, "CA-2022-06").Status);
        Assert.DoesNotContain(r.Violations, v => v.Rule is "CA-2022-05" or "CA-2022-06");
    }

    [Fact]
    public void VendorOutsideTheList_IsNeverInAViolation()
    {
        var r = At("2030-01-01");
        Assert.DoesNotContain(r.Violations, v => v.Elements.Contains("er") || v.Elements.Contains("tr"));
    }

    [Fact]
    public void WithoutInstalledColumn_ProcurementRulesAreNotCheckable()
    {
        var inv = Csv(Header + ",technology\ng5,s1,east,standard,ran,gNB,Huawei,1,5G\n");
        var r = ComplianceChecker.Check(inv, Pack, new DateOnly(2025, 1, 1), VendorDesignation.Resolve(inv, Pack, null));
        Assert.Equal("not-checkable", Rule(r, "CA-2022-01").Status);
        Assert.Equal(["g5"], Elements(r, "CA-2022-03"));
    }
}
