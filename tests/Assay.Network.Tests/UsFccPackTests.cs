using Assay.Network.Compliance;
using Assay.Network.Policy;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

/// <summary>
/// us-fcc: the Reimbursement Program's dates are the provider's own, given as pack parameters. The
/// removal deadline is one year after the initial disbursement (or at the earliest one year after the
/// allocation), an extension is reported as such, and no covered equipment may be obtained after the
/// allocation was approved.
/// </summary>
public sealed class UsFccPackTests
{
    private const string Network = Header + ",technology,installed\n" +
        "a,s1,co,standard,ran,eNB,Huawei,1,4G,2019-05-01\n" +
        "b,s1,co,standard,transport,microwave,ZTE,1,,2020-06-30\n" +
        "c,s2,co,standard,transport,router,Huawei,1,,2020-07-01\n" +
        "d,s3,ne,standard,ran,eNB,Huawei,1,4G,2022-07-16\n" +
        "e,s4,ne,standard,ran,eNB,Ericsson,1,4G,2022-08-01\n";

    private static readonly PolicyPack Pack = BuiltinPolicyPacks.Find("us-fcc")!;

    private static CheckResult At(string date, params string[] parameters)
    {
        var inv = Csv(Network);
        var pack = PackParameters.Apply(Pack, PackParameters.Parse(parameters));
        return ComplianceChecker.Check(inv, pack, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), VendorDesignation.Resolve(inv, pack, null));
    }

    private static RuleOutcome Rule(CheckResult r, string id) => r.Rules.Single(o => o.Rule == id);

    [Fact]
    public void WithoutParameters_TheProviderDeadlinesAreNotCheckable_AndSaySo()
    {
        var r = At("2030-01-01");
        var rr02 = Rule(r, "US-RR-02");
        Assert.Equal("not-checkable", rr02.Status);
        Assert.Contains("--param disbursement=", rr02.Note);
        Assert.Contains("--param allocation=", rr02.Note);
        Assert.Equal("not-checkable", Rule(r, "US-RR-01").Status);
        Assert.True(r.Compliant);
    }

    [Fact]
    public void Rr02_OneYearAfterDisbursement_DayBeforeIsUpcoming_DayOfIsViolated()
    {
        var before = Rule(At("2023-10-28", "disbursement=2022-10-29"), "US-RR-02");
        Assert.Equal(("upcoming", 4, new DateOnly(2023, 10, 29)), (before.Status, before.Elements, before.From!.Value));
        Assert.Equal("disbursement 2022-10-29 + 12 months", before.DateBasis);
        var on = At("2023-10-29", "disbursement=2022-10-29");
        // every Huawei and ZTE element, whatever its domain or technology; not Ericsson
        Assert.Equal(["a", "b", "c", "d"], on.Violations.Single(v => v.Rule == "US-RR-02").Elements);
    }

    [Fact]
    public void Rr02_AllocationOnly_UsesTheEarliestPossibleDeadline_AsAnAssumption()
    {
        var r = At("2023-07-15", "allocation=2022-07-15");
        Assert.Equal(new DateOnly(2023, 7, 15), Rule(r, "US-RR-02").From);
        Assert.Equal("violated", Rule(r, "US-RR-02").Status);
        Assert.Contains(r.Assumptions, a => a.StartsWith("US-RR-02: date 2023-07-15 from allocation 2022-07-15 + 12 months", StringComparison.Ordinal) && a.Contains("earliest", StringComparison.Ordinal));
        // the disbursement, when given, wins over the fallback
        Assert.Equal(new DateOnly(2023, 11, 24), Rule(At("2023-07-15", "allocation=2022-07-15", "disbursement=2022-11-24"), "US-RR-02").From);
    }

    [Fact]
    public void Rr02_Extension_MovesTheDeadline_AndIsReportedAsAnExtension()
    {
        var before = Rule(At("2024-04-28", "disbursement=2022-10-29", "extended_to=2024-04-29"), "US-RR-02");
        Assert.Equal(("upcoming", new DateOnly(2024, 4, 29), new DateOnly(2023, 10, 29)), (before.Status, before.From!.Value, before.ExtendedFrom!.Value));
        Assert.Contains("extended from 2023-10-29", before.Description);
        Assert.Contains("6 month(s) beyond 2023-10-29", before.DateBasis);
        Assert.Equal("violated", Rule(At("2024-04-29", "disbursement=2022-10-29", "extended_to=2024-04-29"), "US-RR-02").Status);
    }

    [Fact]
    public void Rr02_AnExtensionEarlierThanTheDeadline_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => At("2024-01-01", "disbursement=2022-10-29", "extended_to=2023-01-01"));
        Assert.Contains("earlier than its date 2023-10-29", e.Message);
    }

    [Fact]
    public void Rr01_NothingObtainedAfterTheAllocation_InstallDateDecides()
    {
        var before = Rule(At("2022-07-14", "allocation=2022-07-15"), "US-RR-01");
        Assert.Equal(("upcoming", 1), (before.Status, before.Elements));
        var on = At("2022-07-15", "allocation=2022-07-15");
        Assert.Equal(["d"], on.Violations.Single(v => v.Rule == "US-RR-01").Elements);
    }

    [Fact]
    public void Reimbursement_CoversEquipmentObtainedOnOrBeforeJune30_2020()
    {
        Assert.Equal(new DateOnly(2020, 6, 30), Pack.Reimbursement!.ObtainedOnOrBefore);
        Assert.Equal("advisory", Rule(At("2024-01-01"), "US-STCNA-01").Status);
    }
}
