using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Planning;

/// <summary>
/// What a plan adds to its schedule from the cost table and the pack: low, expected and high totals
/// when the table gives ranges, the units and sources of the figures, the split of the cost by a
/// reimbursement programme's cut-off date, and deadlines that parameters or extensions set.
/// </summary>
internal static class PlanCosts
{
    /// <summary>The method statement a plan with ranges carries (docs/network.md, "Costs").</summary>
    public const string RangeMethod =
        "expected = sum over replaced elements of the row's unit_cost; low and high = the same sum at every row's unit_cost_low and unit_cost_high. " +
        "All ranges sit at the same end together, so low-high is the widest band the table allows, not a confidence interval. " +
        "Rows with one figure count it in all three.";

    public static PlanResult Complete(PlanResult plan, NetworkInventory inv, PolicyPack pack, CostTable costs)
    {
        var ranges = costs.HasRanges;
        var lines = new List<CostLine>(plan.Costs.Count);
        double low = 0, high = 0;
        foreach (var line in plan.Costs)
        {
            if (!NetworkDomains.TryParse(line.Domain, out var domain))
                throw new InvalidOperationException($"plan cost line with domain '{line.Domain}'");
            var row = costs.LookupRow(domain, line.Function)!.Value;
            var (unit, source) = costs.About(domain, line.Function);
            var l = line with { Unit = unit, Source = source };
            if (ranges)
            {
                l = l with { UnitCostLow = row.Low, UnitCostHigh = row.High, CostLow = row.Low * line.Elements, CostHigh = row.High * line.Elements };
                low += row.Low * line.Elements;
                high += row.High * line.Elements;
            }
            lines.Add(l);
        }

        var notes = plan.Notes.ToList();
        var deadlines = plan.Deadlines.ToList();
        for (var i = 0; i < deadlines.Count; i++)
        {
            var d = deadlines[i];
            var rules = pack.Rules.Where(r => r.DateBasis is not null && d.Rule.Split(", ").Contains(r.Id) && r.From == d.Date).ToList();
            if (rules.Count == 0)
                continue;
            var extended = rules.FirstOrDefault(r => r.ExtendedFrom is not null);
            deadlines[i] = d with
            {
                ExtendedFrom = extended?.ExtendedFrom,
                DateBasis = string.Join("; ", rules.Select(r => $"{r.Id}: {r.DateBasis}")),
                Message = extended is null ? d.Message : $"{d.Message} [EXTENDED deadline: {extended.DateBasis}]",
            };
        }
        foreach (var r in pack.Rules.Where(r => r.DateAssumption is not null))
            notes.Add($"{r.Id}: date {r.From:yyyy-MM-dd} from {r.DateBasis}; {r.DateAssumption}");

        return plan with
        {
            Costs = lines,
            Deadlines = deadlines,
            Notes = notes,
            TotalCostLow = ranges ? low : null,
            TotalCostHigh = ranges ? high : null,
            CostMethod = ranges ? RangeMethod : null,
            PriceYear = costs.Year,
            Reimbursement = pack.Reimbursement is { } terms ? Split(plan, inv, terms, costs, ranges) : null,
        };
    }

    private static ReimbursementSplit Split(PlanResult plan, NetworkInventory inv, ReimbursementTerms terms, CostTable costs, bool ranges)
    {
        var cutoff = terms.ObtainedOnOrBefore.DayNumber;
        var n = new int[3];
        var cost = new double[3];
        var low = new double[3];
        var high = new double[3];
        foreach (var r in plan.Replacements)
        {
            var e = inv.ElementIds.Find(r.Element);
            var installed = e < 0 ? NetworkInventory.Unknown : inv.Installed[e];
            var k = installed == NetworkInventory.Unknown ? 2 : installed <= cutoff ? 0 : 1;
            var row = e < 0 ? new CostRow(r.Cost, r.Cost, r.Cost, r.Effort) : costs.LookupRow(inv.Domain[e], inv.Functions[inv.Function[e]])!.Value;
            n[k]++;
            cost[k] += r.Cost;
            low[k] += row.Low;
            high[k] += row.High;
        }
        CostShare Share(int k) => new(n[k], cost[k], ranges ? low[k] : null, ranges ? high[k] : null);
        return new ReimbursementSplit
        {
            Program = terms.Program,
            ObtainedOnOrBefore = terms.ObtainedOnOrBefore,
            Eligible = Share(0),
            NotEligible = Share(1),
            UnknownDate = Share(2),
            Source = terms.Source,
        };
    }
}
