using Assay.Network.Planning;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class ReplacementPlannerTests
{
    private static readonly DateOnly Start = new(2026, 1, 1);

    /// <summary>n Huawei core elements and n RAN elements (half Huawei), one per site.</summary>
    private static string Network(int core, int ran)
    {
        var sb = new System.Text.StringBuilder(Header + "\n");
        for (var i = 0; i < core; i++)
            sb.Append($"core-{i},cs{i},north,core,core,AMF,Huawei,1\n");
        for (var i = 0; i < ran; i++)
            sb.Append($"ran-{i},rs{i},{(i % 2 == 0 ? "north" : "south")},standard,ran,gNB,{(i % 2 == 0 ? "Huawei" : "Nokia")},1\n");
        return sb.ToString();
    }

    private static PlanResult Plan(string csv, string rules, double capacity, CostTable? costs = null)
    {
        var inv = Csv(csv);
        return ReplacementPlanner.Plan(inv, Pack(rules), Restrict(inv, "Huawei"), costs ?? CostTable.Uniform(100), capacity, Start);
    }

    [Fact]
    public void Plan_EnoughCapacity_MeetsTheDeadlineAndCostsEveryElement()
    {
        // 12 core elements due 2026-06-30: 6 whole months (Jan..Jun); capacity 2 a month suffices exactly.
        var p = Plan(Network(12, 0), "  - {id: D, kind: deadline, scope: {domains: [core]}, from: 2026-06-30}\n", capacity: 2);
        Assert.True(p.Feasible);
        var d = Assert.Single(p.Deadlines);
        Assert.True(d.Met);
        Assert.Equal(6, d.MonthsAvailable);
        Assert.Equal(2.0, p.RequiredCapacity);
        Assert.Equal("2026-06", p.FinishMonth);
        Assert.Equal(12 * 100.0, p.TotalCost);
        Assert.Equal(6, p.Months.Count);
        Assert.All(p.Months, m => Assert.Equal(2, m.Replaced));
        Assert.Equal(0.0, p.Months[^1].Share["core"]);
    }

    [Fact]
    public void Plan_TooLittleCapacity_SaysWhichDeadlineFailsAndWhatCapacityWould()
    {
        // 12 elements by 2026-03-31 (3 months) at 2 a month: 6 done in time; 4 a month would do.
        var p = Plan(Network(12, 0), "  - {id: CORE-OUT, kind: deadline, scope: {domains: [core]}, from: 2026-03-31}\n", capacity: 2);
        Assert.False(p.Feasible);
        var d = Assert.Single(p.Deadlines);
        Assert.False(d.Met);
        Assert.Equal(4.0, d.RequiredCapacity);
        Assert.Equal("2026-06", d.CompletedMonth);
        Assert.Contains("CORE-OUT 2026-03-31: CANNOT be met", d.Message);
        Assert.Contains("capacity 4/month would meet it", d.Message);
    }

    [Fact]
    public void Plan_DeadlineNotOnAMonthEnd_CountsOnlyWholeMonthsBeforeIt()
    {
        // Due 2026-03-15: only Jan and Feb are whole months before it.
        Assert.Equal(1, ReplacementPlanner.LastUsableMonth(Start, new DateOnly(2026, 3, 15)));
        Assert.Equal(2, ReplacementPlanner.LastUsableMonth(Start, new DateOnly(2026, 3, 31)));
        Assert.Equal(-1, ReplacementPlanner.LastUsableMonth(Start, new DateOnly(2025, 12, 31)));
        var p = Plan(Network(4, 0), "  - {id: D, kind: deadline, scope: {domains: [core]}, from: 2026-03-15}\n", capacity: 2);
        Assert.True(p.Deadlines.Single().Met);
        Assert.Equal(2, p.Deadlines.Single().MonthsAvailable);
    }

    [Fact]
    public void Plan_TwoDeadlines_EarliestFirstAndCapacityIsTheWorstPrefix()
    {
        // core: 4 due 2026-02-28 (2 months); ran Huawei: 10 due 2026-12-31 (12 months).
        // Needed: max(4/2, (4+10)/12) = 2.
        var rules = "  - {id: CORE, kind: deadline, scope: {domains: [core]}, from: 2026-02-28}\n" +
                    "  - {id: RAN, kind: deadline, scope: {domains: [ran]}, from: 2026-12-31}\n";
        var p = Plan(Network(4, 20), rules, capacity: 2);
        Assert.Equal(2.0, p.RequiredCapacity);
        Assert.True(p.Feasible);
        Assert.Equal(["CORE", "RAN"], p.Deadlines.Select(d => d.Rule));
        Assert.All(p.Replacements.Take(4), r => Assert.Equal("core", r.Domain));
        Assert.Equal("2026-07", p.FinishMonth);
        // One unit less a month and the core deadline fails, though the total would still fit the year.
        var slow = Plan(Network(4, 20), rules, capacity: 1.5);
        Assert.False(slow.Deadlines[0].Met);
        Assert.True(slow.Deadlines[1].Met);
    }

    [Fact]
    public void Plan_PassedDeadline_IsOverdueAndScheduledFirst()
    {
        var p = Plan(Network(2, 0), "  - {id: OLD, kind: exclude, scope: {domains: [core]}, from: 2020-01-28}\n", capacity: 10);
        var d = Assert.Single(p.Deadlines);
        Assert.True(d.Overdue);
        Assert.Null(d.RequiredCapacity);
        Assert.Equal("2026-01", p.FinishMonth);
    }

    [Fact]
    public void Plan_ShareCap_ReplacesOnlyWhatTheCapNeeds()
    {
        // 10 RAN sites, 5 Huawei (50%). Cap 30% by sites: 5 - 3 = 2 sites must go.
        var p = Plan(Network(0, 10), "  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.3, measure: sites, from: 2026-12-31}\n", capacity: 5);
        var s = Assert.Single(p.Selections);
        Assert.Equal(("optimal", 2), (s.Status, s.Selected));
        Assert.Equal(2, p.ElementsReplaced);
        Assert.Equal(0.3, p.Months[^1].Share["ran"], 9);
    }

    [Fact]
    public void Plan_ShareCapByTraffic_SolverFindsTheCheaperSetThatGreedyMisses()
    {
        // Huawei RAN traffic: a=4 (cost 4), b=4 (cost 4), c=5 (cost 4.5); Nokia 7. Total 20, Huawei 13.
        // Cap 25%: at most 5 may stay, so at least 8 must go. By cost per unit of traffic, greedy takes
        // c (0.9) then a: cost 8.5. The optimum is a + b: exactly 8 for cost 8.
        var csv = Header + "\n" +
            "a,s1,n,standard,ran,gNB,Huawei,4\n" +
            "b,s2,n,standard,ran,eNB,Huawei,4\n" +
            "c,s3,n,standard,ran,RU,Huawei,5\n" +
            "d,s4,n,standard,ran,gNB,Nokia,7\n";
        var costs = new CostTable();
        costs.Set("ran", "gNB", 4);
        costs.Set("ran", "eNB", 4);
        costs.Set("ran", "RU", 4.5);
        var p = Plan(csv, "  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.25, measure: traffic, from: 2026-12-31}\n", capacity: 10, costs);
        Assert.Equal(8.0, p.TotalCost);
        Assert.Equal(["a", "b"], p.Replacements.Select(r => r.Element).Order());
        Assert.Equal("optimal", p.Selections.Single().Status);
    }

    [Fact]
    public void Plan_CapAfterDeadline_CountsElementsTheDeadlineAlreadyRemoves()
    {
        // RAN: 10 sites, 5 Huawei. A deadline removes Huawei at rs0 (north, sensitive-free) by mid-year:
        // then the 30% cap at year end needs only one more site, not two.
        var csv = Network(0, 10).Replace("rs0,north,standard", "rs0,north,sensitive");
        var rules = "  - {id: SENS, kind: deadline, scope: {site_classes: [sensitive]}, from: 2026-06-30}\n" +
                    "  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.3, measure: sites, from: 2026-12-31}\n";
        var p = Plan(csv, rules, capacity: 5);
        Assert.Equal(1, p.Selections.Single().Selected);
        Assert.Equal(2, p.ElementsReplaced);
    }

    [Fact]
    public void Plan_MissingCostRow_NamesTheElementTypes()
    {
        var costs = new CostTable();
        costs.Set("core", "AMF", 1);
        var e = Assert.Throws<Assay.Network.Inventory.InventoryException>(() =>
            Plan(Network(1, 2), "  - {id: D, kind: deadline, from: 2026-06-30}\n", capacity: 1, costs));
        Assert.Contains("ran,gNB", e.Message);
    }

    [Fact]
    public void CostTable_Read_LooksUpMostSpecificRowFirst()
    {
        var t = CostTable.Read(new StringReader("domain,function,unit_cost,effort,currency\nran,gNB,25000,1,GBP\nran,*,20000,2,GBP\n*,*,1,1,GBP\n"), "costs.csv");
        Assert.Equal("GBP", t.Currency);
        Assert.Equal((25000.0, 1.0), t.Lookup(Assay.Network.Inventory.NetworkDomain.Ran, "GNB"));
        Assert.Equal((20000.0, 2.0), t.Lookup(Assay.Network.Inventory.NetworkDomain.Ran, "eNB"));
        Assert.Equal((1.0, 1.0), t.Lookup(Assay.Network.Inventory.NetworkDomain.Core, "AMF"));
    }

    [Fact]
    public void CostTable_Read_BadRowsCarryLines()
    {
        var e = Assert.Throws<Assay.Network.Inventory.InventoryException>(() =>
            CostTable.Read(new StringReader("domain,function,unit_cost,effort\nradio,gNB,1,1\nran,gNB,-5,1\nran,eNB,5,0\n"), "costs.csv"));
        Assert.Contains("costs.csv:2: domain 'radio'", e.Message);
        Assert.Contains("costs.csv:3: unit_cost '-5'", e.Message);
        Assert.Contains("costs.csv:4: effort '0'", e.Message);
    }
}

public sealed class ReplacementPlannerGeneratedTests
{
    [Fact]
    public void Plan_RegionalTrafficCap_OnAGeneratedNetwork_HoldsInEveryRegionAndIsReproducible()
    {
        var text = new StringWriter();
        Assay.Network.Generation.NetworkGenerator.Write(new Assay.Network.Generation.GeneratorOptions { Sites = 3000, Seed = 3 }, text);
        var inv = Csv(text.ToString());
        var pack = Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.2, measure: traffic, level: region, from: 2027-12-31}\n");
        var designation = Restrict(inv, "Huawei", "ZTE");
        var costs = new CostTable();
        costs.Set("ran", "gNB", 25000);
        costs.Set("ran", "eNB", 18000);
        costs.Set("*", "*", 20000);
        var first = ReplacementPlanner.Plan(inv, pack, designation, costs, 500, new DateOnly(2026, 1, 1), solverSeconds: 2);
        var second = ReplacementPlanner.Plan(inv, pack, designation, costs, 500, new DateOnly(2026, 1, 1), solverSeconds: 2);
        Assert.Equal(first.Replacements.Select(r => r.Element), second.Replacements.Select(r => r.Element));
        Assert.NotEmpty(first.Replacements);

        // After the plan, the restricted share of RAN traffic is at most 20% in every region.
        var replaced = first.Replacements.Select(r => r.Element).ToHashSet();
        var total = new double[inv.Regions.Count];
        var restricted = new double[inv.Regions.Count];
        for (var e = 0; e < inv.Count; e++)
        {
            if (inv.Domain[e] != Assay.Network.Inventory.NetworkDomain.Ran)
                continue;
            total[inv.RegionOf(e)] += inv.Weight[e];
            if (designation.Restricted[inv.Vendor[e]] && !replaced.Contains(inv.ElementIds[e]))
                restricted[inv.RegionOf(e)] += inv.Weight[e];
        }
        for (var g = 0; g < total.Length; g++)
            if (total[g] > 0)
                Assert.True(restricted[g] <= 0.2 * total[g] + 1e-6, $"region {inv.Regions[g]}: {restricted[g] / total[g]:P2}");
        // A cap replaces what it needs, not every restricted RAN element.
        var allRestricted = Enumerable.Range(0, inv.Count).Count(e => inv.Domain[e] == Assay.Network.Inventory.NetworkDomain.Ran && designation.Restricted[inv.Vendor[e]] && inv.Weight[e] > 0);
        Assert.True(first.ElementsReplaced < allRestricted);
    }
    [Fact]
    public void Plan_SharedCapUnderContention_IsTheSamePlanInEveryRun()
    {
        // Six plans at once on two cores, with a small work limit: with a wall-clock limit beside the
        // deterministic one, the contended runs stopped the search at different points and gave other
        // plans. The deterministic limit counts work, so every run must give the same plan.
        var text = new StringWriter();
        Assay.Network.Generation.NetworkGenerator.Write(new Assay.Network.Generation.GeneratorOptions { Sites = 3000, Seed = 7 }, text);
        var inv = Csv(text.ToString());
        var pack = Pack("  - {id: CAP, kind: max_share, scope: {domains: [ran]}, value: 0.15, measure: traffic, level: region, from: 2027-12-31}\n");
        var designation = Restrict(inv, "Huawei", "ZTE");
        var costs = new CostTable();
        costs.Set("ran", "gNB", 25000);
        costs.Set("ran", "eNB", 18000);
        costs.Set("*", "*", 20000);
        var plans = Enumerable.Range(0, 6).AsParallel().WithDegreeOfParallelism(6)
            .Select(_ => ReplacementPlanner.Plan(inv, pack, designation, costs, 500, new DateOnly(2026, 1, 1), solverSeconds: 0.5))
            .ToList();
        var first = plans[0];
        Assert.NotEmpty(first.Replacements);
        foreach (var plan in plans.Skip(1))
        {
            Assert.Equal(first.Replacements.Select(r => r.Element), plan.Replacements.Select(r => r.Element));
            Assert.Equal(first.TotalCost, plan.TotalCost);
            Assert.Equal(first.Selections.Select(x => x.Status), plan.Selections.Select(x => x.Status));
        }
    }

    [Fact]
    public void SolverParameters_LimitWorkNotWallTime()
    {
        // The plan must not depend on the machine's load: the only limit is CP-SAT's deterministic
        // time (a count of work), with one worker and a fixed seed. A wall-clock limit made
        // Plan_RegionalTrafficCap_... give another plan on a busy machine.
        var parameters = CapSelector.SolverParameters(2.5);
        Assert.Contains("max_deterministic_time:2.5", parameters, StringComparison.Ordinal);
        Assert.Contains("num_workers:1", parameters, StringComparison.Ordinal);
        Assert.DoesNotContain("max_time_in_seconds", parameters, StringComparison.Ordinal);
    }
}
