using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Policy;
using Google.OrTools.Sat;

namespace Assay.Network.Planning;

/// <summary>
/// Chooses what to replace so that a max_share rule holds at its date, at least cost: per group
/// (the nation, or each region), the restricted amount left must be at most cap × total. That is a
/// covering knapsack (minimise Σ cost·x subject to Σ amount·x ≥ need), which greedy does not solve
/// exactly when amounts differ (cells, traffic), so it goes to CP-SAT. Candidates that are
/// interchangeable (same group, amount and cost) are one integer variable counting how many to take,
/// which keeps the model small for a national network: a few hundred to a few thousand variables.
/// </summary>
internal static class CapSelector
{
    /// <summary>Traffic weights are summed in hundredths; each candidate's amount is rounded down and the need up, so the cap holds.</summary>
    private const double TrafficScale = 100;

    /// <summary>Costs go to the solver in hundredths of the currency unit (integers).</summary>
    private const double CostScale = 100;

    public static SelectionOutcome Select(NetworkInventory inv, PolicyRule rule, int ruleIndex, VendorDesignation designation,
        (double Cost, double Effort)[,] typeCost, int[] due, int[] dueRule, int day, double solverSeconds)
    {
        var matcher = new ScopeMatcher(inv, rule.Scope);
        var cap = rule.Value!.Value;
        var groups = rule.Level == ShareLevel.National ? 1 : inv.Regions.Count;
        var restricted = designation.Restricted;

        // Units: an element, or for the sites measure a site with all of its in-scope restricted elements.
        var total = new double[groups];
        var left = new double[groups]; // restricted amount still present at the rule's date
        var unitElements = new List<int[]>();
        var unitGroup = new List<int>();
        var unitAmount = new List<long>();
        var unitCost = new List<long>();
        if (rule.Measure == ShareMeasure.Sites)
        {
            var siteInScope = new bool[inv.Sites.Count];
            var siteOpen = new List<int>?[inv.Sites.Count];
            var siteRestricted = new bool[inv.Sites.Count];
            for (var e = 0; e < inv.Count; e++)
            {
                if (!matcher.Matches(e))
                    continue;
                var s = inv.Site[e];
                siteInScope[s] = true;
                if (!restricted[inv.Vendor[e]])
                    continue;
                siteRestricted[s] = true;
                if (due[e] > day)
                    (siteOpen[s] ??= []).Add(e);
            }
            for (var s = 0; s < siteInScope.Length; s++)
            {
                if (!siteInScope[s])
                    continue;
                var g = groups == 1 ? 0 : inv.SiteRegion[s];
                total[g]++;
                if (siteOpen[s] is { } open)
                {
                    left[g]++;
                    unitElements.Add([.. open]);
                    unitGroup.Add(g);
                    unitAmount.Add(1);
                    var c = 0.0;
                    foreach (var e in open)
                        c += typeCost[(int)inv.Domain[e], inv.Function[e]].Cost;
                    unitCost.Add((long)Math.Round(c * CostScale));
                }
            }
        }
        else
        {
            for (var e = 0; e < inv.Count; e++)
            {
                if (!matcher.Matches(e))
                    continue;
                var g = groups == 1 ? 0 : inv.RegionOf(e);
                double amount = rule.Measure switch
                {
                    ShareMeasure.Cells => inv.Cells[e],
                    ShareMeasure.Traffic => inv.Weight[e],
                    _ => 1,
                };
                total[g] += amount;
                if (!restricted[inv.Vendor[e]] || due[e] <= day)
                    continue;
                left[g] += amount;
                var scaled = rule.Measure == ShareMeasure.Traffic ? (long)Math.Floor(amount * TrafficScale) : (long)amount;
                if (scaled <= 0)
                    continue;
                unitElements.Add([e]);
                unitGroup.Add(g);
                unitAmount.Add(scaled);
                unitCost.Add((long)Math.Round(typeCost[(int)inv.Domain[e], inv.Function[e]].Cost * CostScale));
            }
        }

        var scale = rule.Measure == ShareMeasure.Traffic ? TrafficScale : 1;
        var need = new long[groups];
        var anyNeed = false;
        for (var g = 0; g < groups; g++)
        {
            var excess = left[g] - cap * total[g];
            need[g] = excess > 1e-9 ? (long)Math.Ceiling(excess * scale - 1e-9) : 0;
            anyNeed |= need[g] > 0;
        }
        var measureName = rule.Measure.ToString().ToLowerInvariant();
        if (!anyNeed)
            return new SelectionOutcome { Rule = rule.Id, Measure = measureName, Selected = 0, Cost = 0, Status = "none-needed", Variables = 0 };

        // classes of interchangeable units, in a stable order
        var classes = new Dictionary<(int Group, long Amount, long Cost), List<int>>();
        for (var u = 0; u < unitElements.Count; u++)
        {
            if (need[unitGroup[u]] <= 0)
                continue;
            var key = (unitGroup[u], unitAmount[u], unitCost[u]);
            if (!classes.TryGetValue(key, out var members))
                classes[key] = members = [];
            members.Add(u);
        }
        var keys = classes.Keys.OrderBy(k => k.Group).ThenBy(k => k.Cost).ThenByDescending(k => k.Amount).ToList();

        // Each unit belongs to exactly one group, so the groups are independent problems: one small
        // model per group solves much faster than one large model. Each gets the greedy solution
        // (cheapest cost per unit of measure first) as a hint, so a time-limited run still returns a
        // good plan, and the solver's bound says how far from optimal it can be.
        var take = new long[keys.Count];
        var allOptimal = true;
        var greedyUsed = false;
        var bound = 0.0;
        var needGroups = Enumerable.Range(0, groups).Count(g => need[g] > 0);
        for (var g = 0; g < groups; g++)
        {
            if (need[g] <= 0)
                continue;
            var ks = new List<int>();
            var available = 0L;
            for (var k = 0; k < keys.Count; k++)
            {
                if (keys[k].Group != g)
                    continue;
                ks.Add(k);
                available += keys[k].Amount * classes[keys[k]].Count;
            }
            if (available < need[g])
                return new SelectionOutcome { Rule = rule.Id, Measure = measureName, Selected = 0, Cost = 0, Status = "infeasible", Variables = keys.Count };
            var model = new CpModel();
            var vars = new IntVar[ks.Count];
            for (var i = 0; i < ks.Count; i++)
                vars[i] = model.NewIntVar(0, classes[keys[ks[i]]].Count, $"c{ks[i]}");
            model.Add(LinearExpr.WeightedSum(vars, ks.Select(k => keys[k].Amount)) >= need[g]);
            model.Minimize(LinearExpr.WeightedSum(vars, ks.Select(k => keys[k].Cost)));
            var greedy = new long[ks.Count];
            var remaining = need[g];
            foreach (var i in Enumerable.Range(0, ks.Count).OrderBy(i => (double)keys[ks[i]].Cost / keys[ks[i]].Amount).ThenBy(i => i))
            {
                var k = ks[i];
                greedy[i] = remaining <= 0 ? 0 : Math.Min(classes[keys[k]].Count, (remaining + keys[k].Amount - 1) / keys[k].Amount);
                remaining -= greedy[i] * keys[k].Amount;
                model.AddHint(vars[i], greedy[i]);
            }
            var solver = new CpSolver { StringParameters = SolverParameters(solverSeconds / needGroups) };
            var status = solver.Solve(model);
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                allOptimal &= status == CpSolverStatus.Optimal;
                bound += solver.BestObjectiveBound / CostScale;
                for (var i = 0; i < ks.Count; i++)
                    take[ks[i]] = solver.Value(vars[i]);
            }
            else
            {
                // No solution within the time limit (a loaded machine): the greedy cover is feasible by
                // construction; no bound is proven for this group.
                allOptimal = false;
                greedyUsed = true;
                for (var i = 0; i < ks.Count; i++)
                    take[ks[i]] = greedy[i];
            }
        }

        var selected = 0;
        var cost = 0.0;
        for (var k = 0; k < keys.Count; k++)
        {
            var members = classes[keys[k]];
            for (var i = 0; i < take[k]; i++)
            {
                foreach (var e in unitElements[members[i]])
                {
                    if (day < due[e])
                    {
                        due[e] = day;
                        dueRule[e] = ruleIndex;
                        cost += typeCost[(int)inv.Domain[e], inv.Function[e]].Cost;
                    }
                }
                selected++;
            }
        }
        return new SelectionOutcome
        {
            Rule = rule.Id,
            Measure = measureName,
            Selected = selected,
            Cost = cost,
            Status = allOptimal ? "optimal" : greedyUsed ? "greedy" : "feasible",
            Bound = greedyUsed ? null : bound,
            Variables = keys.Count,
        };
    }

    /// <summary>
    /// CP-SAT parameters for one group: one worker and only a deterministic time limit (a count of
    /// work, not of seconds) keep the result reproducible: same inventory, same plan, on any machine
    /// and under any load. A wall-clock limit (<c>max_time_in_seconds</c>) would stop the search at a
    /// different point on a busy machine, and must never be added here.
    /// </summary>
    internal static string SolverParameters(double deterministicSeconds) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"max_deterministic_time:{deterministicSeconds} num_workers:1 random_seed:1");
}
