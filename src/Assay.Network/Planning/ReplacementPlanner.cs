using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Planning;

/// <summary>
/// Builds a month-by-month replacement plan for a policy pack.
/// <para>
/// What must go: every restricted element in the scope of an exclude, deadline or no_new_install
/// rule, due at the rule's date (or at the plan start when the date has passed); for each share cap,
/// the cheapest set of further elements (or sites) that brings the share under the cap by its date,
/// chosen by CP-SAT (<see cref="CapSelector"/>) because that is a covering knapsack.
/// </para>
/// <para>
/// When: earliest-deadline-first against a capacity of work units per month. Work is divisible across
/// month boundaries (a crew can finish a job begun last month), so the crews are one machine working
/// at rate C, and by Jackson's rule (EDD minimises the maximum lateness on one machine) no schedule
/// meets a deadline that EDF misses. The least capacity meeting every deadline d ahead of the start is
/// exactly max_d W(d) / M(d), with W(d) the work due on or before d and M(d) the whole months from the
/// start to d: necessary because that work must fit in those months, sufficient because EDF then
/// finishes it. Costs do not depend on the month, so the schedule does not change the cost.
/// </para>
/// </summary>
public static class ReplacementPlanner
{
    /// <summary>Longest schedule listed month by month (100 years); beyond it the months are summarised.</summary>
    public const int MaxMonths = 1200;

    /// <summary>Plans <paramref name="pack"/> on <paramref name="inventory"/> from the month of <paramref name="start"/>.</summary>
    public static PlanResult Plan(NetworkInventory inventory, PolicyPack pack, VendorDesignation designation, CostTable costs,
        double capacity, DateOnly start, string? scenario = null, double solverSeconds = 10)
    {
        if (!(capacity > 0) || !double.IsFinite(capacity))
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be a positive number of work units per month");
        var inv = inventory;
        var n = inv.Count;
        var notes = new List<string>();

        // cost and effort per element type, checked before any work so a missing row is one clear error
        var typeCost = new (double Cost, double Effort)[NetworkDomains.Count, inv.Functions.Count];
        var typeKnown = new bool[NetworkDomains.Count, inv.Functions.Count];
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        for (var e = 0; e < n; e++)
        {
            if (!designation.Restricted[inv.Vendor[e]])
                continue;
            var d = (int)inv.Domain[e];
            var f = inv.Function[e];
            if (typeKnown[d, f])
                continue;
            var c = costs.Lookup(inv.Domain[e], inv.Functions[f]);
            if (c is null)
                missing.Add($"{inv.Domain[e].ToName()},{inv.Functions[f]}");
            else
            {
                typeCost[d, f] = c.Value;
                typeKnown[d, f] = true;
            }
        }
        if (missing.Count > 0)
            throw new InventoryException($"the costs file has no row for {string.Join("; ", missing)}; add rows domain,function,unit_cost or a default '*,*,COST'");

        var startDay = new DateOnly(start.Year, start.Month, 1);
        var due = new int[n];
        var dueRule = new int[n];
        Array.Fill(due, int.MaxValue);
        Array.Fill(dueRule, -1);
        var rules = pack.Rules;

        // removals forced by exclude, deadline and no_new_install rules
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            if (!rule.Enforceable || rule.Kind == RuleKind.MaxShare)
                continue;
            if (rule.Unresolved is not null)
            {
                notes.Add($"{rule.Id}: not planned; {rule.Unresolved}");
                continue;
            }
            if (rule.Kind == RuleKind.NoNewInstall && !inv.HasInstalled)
            {
                notes.Add($"{rule.Id}: not planned; the inventory has no 'installed' column");
                continue;
            }
            var date = rule.From ?? startDay;
            var day = date.DayNumber;
            foreach (var e in ComplianceChecker.MatchingElements(inv, rule, designation))
            {
                if (day < due[e])
                {
                    due[e] = day;
                    dueRule[e] = r;
                }
            }
        }

        // share caps, in date order: elements chosen for an earlier cap count for later ones
        var selections = new List<SelectionOutcome>();
        var capOrder = Enumerable.Range(0, rules.Count)
            .Where(r => rules[r].Kind == RuleKind.MaxShare && rules[r].Enforceable && rules[r].Value is not null && rules[r].Unresolved is null)
            .OrderBy(r => rules[r].From ?? startDay).ThenBy(r => r).ToList();
        foreach (var r in capOrder)
        {
            var outcome = CapSelector.Select(inv, rules[r], r, designation, typeCost, due, dueRule, (rules[r].From ?? startDay).DayNumber, solverSeconds);
            selections.Add(outcome);
            if (outcome.Status == "greedy")
                notes.Add($"{rules[r].Id}: the solver found no solution within its deterministic work limit; the greedy selection (cheapest per unit of measure first) is used, optimality not proven (raise --time-limit; the result is the same on any machine)");
            if (outcome.Status == "feasible")
                notes.Add($"{rules[r].Id}: the solver stopped at its deterministic work limit (--time-limit); the selection is feasible and reproducible, within {outcome.Cost - (outcome.Bound ?? outcome.Cost):N0} of the optimum");
        }

        // the jobs, earliest due first
        var jobs = new List<int>();
        for (var e = 0; e < n; e++)
            if (due[e] != int.MaxValue)
                jobs.Add(e);
        var keys = new long[jobs.Count];
        var order = jobs.ToArray();
        for (var i = 0; i < order.Length; i++)
            keys[i] = ((long)due[order[i]] << 25) | (uint)order[i];
        Array.Sort(keys, order);

        var domainTotal = new long[NetworkDomains.Count];
        var domainRestricted = new long[NetworkDomains.Count];
        for (var e = 0; e < n; e++)
        {
            domainTotal[(int)inv.Domain[e]]++;
            if (designation.Restricted[inv.Vendor[e]])
                domainRestricted[(int)inv.Domain[e]]++;
        }

        var monthOf = new int[order.Length];
        var cumulative = 0.0;
        var totalCost = 0.0;
        var costLines = new Dictionary<(int, int), (int Count, double Cost, double Effort)>();
        var sites = new HashSet<int>();
        for (var i = 0; i < order.Length; i++)
        {
            var e = order[i];
            var (cost, effort) = typeCost[(int)inv.Domain[e], inv.Function[e]];
            cumulative += effort;
            totalCost += cost;
            monthOf[i] = Math.Max(0, (int)Math.Ceiling(cumulative / capacity - 1e-9) - 1);
            var key = ((int)inv.Domain[e], inv.Function[e]);
            costLines.TryGetValue(key, out var line);
            costLines[key] = (line.Count + 1, line.Cost + cost, line.Effort + effort);
            sites.Add(inv.Site[e]);
        }

        // deadlines: each distinct due date, with all work due by then
        var deadlines = new List<DeadlineOutcome>();
        var required = 0.0;
        var feasible = true;
        var idx = 0;
        var cumEffort = 0.0;
        while (idx < order.Length)
        {
            var day = due[order[idx]];
            var ruleIds = new SortedSet<string>(StringComparer.Ordinal);
            var count = 0;
            var lastMonth = 0;
            while (idx < order.Length && due[order[idx]] == day)
            {
                var e = order[idx];
                ruleIds.Add(rules[dueRule[e]].Id);
                cumEffort += typeCost[(int)inv.Domain[e], inv.Function[e]].Effort;
                lastMonth = Math.Max(lastMonth, monthOf[idx]);
                count++;
                idx++;
            }
            var date = DateOnly.FromDayNumber(day);
            var lastUsable = LastUsableMonth(startDay, date);
            var overdue = lastUsable < 0;
            var met = !overdue && lastMonth <= lastUsable;
            double? need = overdue ? null : cumEffort / (lastUsable + 1);
            if (need is { } nv)
                required = Math.Max(required, nv);
            if (!overdue && !met)
                feasible = false;
            var rulesText = string.Join(", ", ruleIds);
            var doneMonth = MonthLabel(startDay, lastMonth);
            string message;
            if (overdue)
                message = $"{rulesText} {date:yyyy-MM-dd}: already passed at the plan start; {count:N0} element(s) overdue, done by {doneMonth} at this capacity";
            else if (met)
                message = $"{rulesText} {date:yyyy-MM-dd}: met; {count:N0} element(s), all work due by then done in {doneMonth}";
            else
                message = $"{rulesText} {date:yyyy-MM-dd}: CANNOT be met with capacity {capacity:0.##}/month: {cumEffort:N0} work units are due within {lastUsable + 1} month(s), done only in {doneMonth}; " +
                    $"capacity {Math.Ceiling(need!.Value):N0}/month would meet it";
            deadlines.Add(new DeadlineOutcome
            {
                Rule = rulesText,
                Date = date,
                Elements = count,
                CumulativeEffort = cumEffort,
                MonthsAvailable = Math.Max(0, lastUsable + 1),
                Met = met,
                Overdue = overdue,
                CompletedMonth = doneMonth,
                RequiredCapacity = need,
                Message = message,
            });
        }
        if (deadlines.Any(d => d.Overdue))
            notes.Add("some deadlines had passed before the plan start: their elements are scheduled first and reported as overdue");

        // months, with the restricted share per domain at each month's end
        var months = new List<PlanMonth>();
        var remaining = (long[])domainRestricted.Clone();
        var monthCost = 0.0;
        var runningCost = 0.0;
        var j = 0;
        var lastMonthIndex = order.Length == 0 ? -1 : monthOf[^1];
        if (lastMonthIndex >= MaxMonths)
            notes.Add($"the schedule runs {lastMonthIndex + 1:N0} months; the month table stops after {MaxMonths} (raise --capacity)");
        for (var m = 0; m <= Math.Min(lastMonthIndex, MaxMonths - 1); m++)
        {
            var replaced = 0;
            var effort = 0.0;
            monthCost = 0;
            while (j < order.Length && monthOf[j] == m)
            {
                var e = order[j];
                var (cost, eff) = typeCost[(int)inv.Domain[e], inv.Function[e]];
                remaining[(int)inv.Domain[e]]--;
                replaced++;
                effort += eff;
                monthCost += cost;
                j++;
            }
            runningCost += monthCost;
            months.Add(new PlanMonth
            {
                Month = MonthLabel(startDay, m),
                Replaced = replaced,
                Effort = effort,
                Cost = monthCost,
                CumulativeCost = runningCost,
                Share = SharePerDomain(domainTotal, remaining),
            });
        }

        var replacements = new PlannedReplacement[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var e = order[i];
            var (cost, effort) = typeCost[(int)inv.Domain[e], inv.Function[e]];
            replacements[i] = new PlannedReplacement(inv.ElementIds[e], inv.Sites[inv.Site[e]], inv.Domain[e].ToName(), inv.Functions[inv.Function[e]],
                inv.Vendors[inv.Vendor[e]], rules[dueRule[e]].Id, DateOnly.FromDayNumber(due[e]), MonthLabel(startDay, monthOf[i]), cost, effort);
        }

        return PlanCosts.Complete(new PlanResult
        {
            Scenario = scenario ?? pack.Id,
            Policy = pack.Id,
            Start = MonthLabel(startDay, 0),
            Capacity = capacity,
            Currency = costs.Currency,
            RestrictedVendors = designation.Names,
            ElementsReplaced = order.Length,
            SitesTouched = sites.Count,
            TotalCost = totalCost,
            TotalEffort = cumulative,
            FinishMonth = order.Length == 0 ? null : MonthLabel(startDay, monthOf[^1]),
            Feasible = feasible,
            RequiredCapacity = required,
            Deadlines = deadlines,
            Costs = costLines.OrderBy(kv => kv.Key.Item1).ThenBy(kv => inv.Functions[kv.Key.Item2], StringComparer.Ordinal)
                .Select(kv => new CostLine(((NetworkDomain)kv.Key.Item1).ToName(), inv.Functions[kv.Key.Item2], kv.Value.Count,
                    typeCost[kv.Key.Item1, kv.Key.Item2].Cost, kv.Value.Cost, kv.Value.Effort)).ToList(),
            Months = months,
            InitialShare = SharePerDomain(domainTotal, domainRestricted),
            Selections = selections,
            Replacements = replacements,
            Notes = notes,
        }, inventory, pack, costs);
    }

    /// <summary>Restricted share by elements per domain, for domains present.</summary>
    internal static IReadOnlyDictionary<string, double> SharePerDomain(long[] total, long[] restricted)
    {
        var share = new SortedDictionary<string, double>(StringComparer.Ordinal);
        for (var d = 0; d < total.Length; d++)
            if (total[d] > 0)
                share[((NetworkDomain)d).ToName()] = (double)restricted[d] / total[d];
        return share;
    }

    /// <summary>
    /// Index (from the start month, 0-based) of the last month whose work counts for a deadline: the
    /// deadline's own month when it is that month's last day, else the month before. Negative: passed.
    /// </summary>
    internal static int LastUsableMonth(DateOnly startMonth, DateOnly deadline)
    {
        var index = (deadline.Year - startMonth.Year) * 12 + deadline.Month - startMonth.Month;
        return deadline.Day == DateTime.DaysInMonth(deadline.Year, deadline.Month) ? index : index - 1;
    }

    internal static string MonthLabel(DateOnly startMonth, int index) =>
        index > (9000 - startMonth.Year) * 12
            ? $"start+{index:N0} months"
            : startMonth.AddMonths(index).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
