using Assay.Network.Inventory;
using Assay.Network.Planning;
using Assay.Network.Policy;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

/// <summary>Cost tables with ranges, units and a price year; overlays; the reimbursement split of a plan.</summary>
public sealed class CostRangeTests
{
    private const string RangeCsv =
        "domain,function,unit_cost,unit_cost_low,unit_cost_high,effort,currency,year,unit,source\n" +
        "ran,eNB,150,100,200,1,USD,2021,per baseband unit,test figures\n" +
        "*,*,50,,,1,USD,2021,,\n";

    private const string Network = Header + ",technology,installed\n" +
        "a,s1,co,standard,ran,eNB,Huawei,1,4G,2019-05-01\n" +
        "b,s1,co,standard,transport,microwave,ZTE,1,,2020-06-30\n" +
        "c,s2,co,standard,transport,router,Huawei,1,,2020-07-01\n" +
        "d,s3,ne,standard,ran,eNB,Huawei,1,4G,\n" +
        "e,s4,ne,standard,ran,eNB,Ericsson,1,4G,2020-01-01\n";

    [Fact]
    public void Read_RangesUnitsAndYear()
    {
        var t = CostTable.Read(new StringReader(RangeCsv), "c.csv");
        Assert.Equal(new CostRow(100, 150, 200, 1), t.LookupRow(NetworkDomain.Ran, "enb"));
        Assert.Equal(new CostRow(50, 50, 50, 1), t.LookupRow(NetworkDomain.Core, "AMF"));
        Assert.Equal(("USD", 2021, true), (t.Currency, t.Year!.Value, t.HasRanges));
        Assert.Equal(("per baseband unit", "test figures"), t.About(NetworkDomain.Ran, "eNB"));
    }

    [Fact]
    public void Load_Fcc2021ByName_SaysTheTableIsNotShippedAndWhatToGive()
    {
        var e = Assert.Throws<InventoryException>(() => CostTable.Load("fcc-2021"));
        Assert.Contains("no built-in copy", e.Message, StringComparison.Ordinal);
        Assert.Contains(CostTable.FullHeader, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("domain,function,unit_cost,unit_cost_low\nran,eNB,1,1\n", "needs both unit_cost_low and unit_cost_high")]
    [InlineData("domain,function,unit_cost,low,high\nran,eNB,300,100,200\n", "c.csv:2: unit_cost 300 is not within unit_cost_low 100 .. unit_cost_high 200")]
    [InlineData("domain,function,unit_cost,low,high\nran,eNB,150,100,\n", "c.csv:2: unit_cost_low '100' and unit_cost_high '' must both be numbers")]
    [InlineData("domain,function,unit_cost,currency\nran,eNB,1,usd\n", "c.csv:2: currency 'usd' is not an ISO 4217 code")]
    [InlineData("domain,function,unit_cost,year\nran,eNB,1,2021\nran,gNB,1,2022\n", "c.csv:3: price year 2022 differs from 2021")]
    public void Read_BadRanges_AreErrorsWithTheirLine(string csv, string expected)
    {
        var e = Assert.Throws<InventoryException>(() => CostTable.Read(new StringReader(csv), "c.csv"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Overlay_LaterRowsWin_OtherRowsStay_CurrenciesMustAgree()
    {
        var published = CostTable.Read(new StringReader(RangeCsv), "published.csv");
        var mine = CostTable.Read(new StringReader("domain,function,unit_cost,currency\nran,eNB,120,USD\n"), "mine.csv");
        var t = published.Overlay(mine);
        Assert.Equal(new CostRow(120, 120, 120, 1), t.LookupRow(NetworkDomain.Ran, "eNB"));
        Assert.Equal((null, null), t.About(NetworkDomain.Ran, "eNB"));
        Assert.Equal(new CostRow(50, 50, 50, 1), t.LookupRow(NetworkDomain.Transport, "router"));
        Assert.Equal((2021, "published.csv + mine.csv"), (t.Year!.Value, t.Origin));
        var euros = CostTable.Read(new StringReader("domain,function,unit_cost,currency\nran,eNB,120,EUR\n"), "eur.csv");
        var e = Assert.Throws<InventoryException>(() => published.Overlay(euros));
        Assert.Contains("costs in EUR cannot override published.csv in USD", e.Message);
    }

    [Fact]
    public void Plan_WithRanges_ReportsLowExpectedHighAndTheMethod()
    {
        var inv = Csv(Network);
        var pack = Pack("  - {id: ALL, kind: deadline, from: 2030-12-31}\n");
        var plan = ReplacementPlanner.Plan(inv, pack, Restrict(inv, "Huawei", "ZTE"), CostTable.Read(new StringReader(RangeCsv), "c.csv"), 10, new DateOnly(2026, 1, 1));
        // two eNBs at 100/150/200, a microwave and a router at 50
        Assert.Equal((300.0, 400.0, 500.0), (plan.TotalCostLow!.Value, plan.TotalCost, plan.TotalCostHigh!.Value));
        Assert.Contains("widest band", plan.CostMethod);
        var enb = plan.Costs.Single(c => c.Function == "eNB");
        Assert.Equal((200.0, 400.0, "per baseband unit"), (enb.CostLow!.Value, enb.CostHigh!.Value, enb.Unit));
        Assert.Equal(2021, plan.PriceYear);
        Assert.Null(plan.Reimbursement);
        var single = ReplacementPlanner.Plan(inv, pack, Restrict(inv, "Huawei"), CostTable.Uniform(10), 10, new DateOnly(2026, 1, 1));
        Assert.Null(single.TotalCostLow);
        Assert.Null(single.CostMethod);
    }

    [Fact]
    public void Plan_UsFcc_SplitsTheCostByTheReimbursementCutoff_AndReportsTheExtension()
    {
        var inv = Csv(Network);
        var pack = PackParameters.Apply(BuiltinPolicyPacks.Find("us-fcc")!, PackParameters.Parse(["disbursement=2026-03-01", "extended_to=2027-09-01"]));
        var plan = ReplacementPlanner.Plan(inv, pack, Compliance.VendorDesignation.Resolve(inv, pack, null), CostTable.Read(new StringReader(RangeCsv), "c.csv"), 10, new DateOnly(2026, 1, 1));
        var rb = plan.Reimbursement!;
        // a (2019) and b (the cut-off day itself) are eligible; c (a day later) is not; d has no install date
        Assert.Equal((2, 200.0), (rb.Eligible.Elements, rb.Eligible.Cost));
        Assert.Equal((1, 50.0), (rb.NotEligible.Elements, rb.NotEligible.Cost));
        Assert.Equal((1, 150.0, 100.0, 200.0), (rb.UnknownDate.Elements, rb.UnknownDate.Cost, rb.UnknownDate.CostLow!.Value, rb.UnknownDate.CostHigh!.Value));
        var deadline = plan.Deadlines.Single();
        Assert.Equal((new DateOnly(2027, 9, 1), new DateOnly(2027, 3, 1)), (deadline.Date, deadline.ExtendedFrom!.Value));
        Assert.Contains("EXTENDED deadline", deadline.Message);
        // without the parameters the deadline is not planned, and the plan says why
        var bare = ReplacementPlanner.Plan(inv, BuiltinPolicyPacks.Find("us-fcc")!, Compliance.VendorDesignation.Resolve(inv, pack, null), CostTable.Uniform(1, currency: "USD"), 10, new DateOnly(2026, 1, 1));
        Assert.Equal(0, bare.ElementsReplaced);
        Assert.Contains(bare.Notes, n => n.StartsWith("US-RR-02: not planned", StringComparison.Ordinal) && n.Contains("--param disbursement=", StringComparison.Ordinal));
    }
}
