using System.Runtime.CompilerServices;
using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Compliance;

/// <summary>
/// Checks an inventory against a policy pack at a date. Each rule is one pass over the element
/// arrays through a <see cref="ScopeMatcher"/>; shares are summed in arrays indexed by group, and
/// site-based measures use per-site stamps, so the check is linear in the inventory and allocates
/// only its result.
/// </summary>
public static class ComplianceChecker
{
    /// <summary>Inventories of at least this many elements have their rules evaluated on several cores.</summary>
    public const int ParallelFrom = 100_000;

    /// <summary>Checks <paramref name="inventory"/> against <paramref name="pack"/> at <paramref name="at"/>.</summary>
    public static CheckResult Check(NetworkInventory inventory, PolicyPack pack, DateOnly at, VendorDesignation designation)
    {
        var assumptions = new List<string>();
        if (designation.Basis.StartsWith("pack default", StringComparison.Ordinal))
            assumptions.Add($"restricted vendors not given (--high-risk or a vendors file): assumed {string.Join(", ", designation.Names)} ({designation.Basis})");
        var missing = designation.Names.Where(n => inventory.Vendors.Find(n) < 0 && !inventory.Vendors.Values.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
            assumptions.Add($"restricted vendor(s) {string.Join(", ", missing)} do not occur in the inventory (check the spelling)");

        // Each rule is one pass over the arrays, and the share table one more: on a large inventory they
        // run side by side (they only read the inventory); the results are assembled in rule order.
        var rules = pack.Rules;
        var passes = new List<Violation>?[rules.Count];
        IReadOnlyList<ShareRow>? shares = null;
        void Pass(int r)
        {
            if (r == rules.Count)
            {
                shares = ComputeShares(inventory, designation.Restricted);
                return;
            }
            var rule = rules[r];
            if (!rule.Enforceable || rule.Unresolved is not null || (rule.Kind == RuleKind.NoNewInstall && !inventory.HasInstalled))
                return;
            var m = new ScopeMatcher(inventory, rule.Scope);
            passes[r] = rule.Kind == RuleKind.MaxShare ? CheckShare(inventory, rule, m, designation) : [CheckPresence(inventory, rule, m, designation)];
        }
        if (inventory.Count >= ParallelFrom)
            Parallel.For(0, rules.Count + 1, new ParallelOptions { MaxDegreeOfParallelism = InventoryLoader.DefaultWorkers }, Pass);
        else
            for (var r = 0; r <= rules.Count; r++)
                Pass(r);

        var violations = new List<Violation>();
        var outcomes = new List<RuleOutcome>();
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            var inForce = rule.InForce(at);
            if (!rule.Enforceable)
            {
                outcomes.Add(Outcome(rule, "advisory", 0));
                continue;
            }
            if (rule.Unresolved is not null)
            {
                // A date that depends on a parameter nobody gave is unknown, not "always in force".
                outcomes.Add(Outcome(rule, "not-checkable", 0) with { Note = rule.Unresolved });
                continue;
            }
            if (rule.DateAssumption is not null)
                assumptions.Add($"{rule.Id}: date {rule.From:yyyy-MM-dd} from {rule.DateBasis}; {rule.DateAssumption}");
            var matcher = new ScopeMatcher(inventory, rule.Scope);
            if (matcher.AssumesTechnology)
                assumptions.Add($"{rule.Id}: applies to {rule.Scope.Technology} only, but some elements have no technology; they were counted in scope");
            if (matcher.AssumesManaged)
                assumptions.Add($"{rule.Id}: applies to management of {string.Join("/", rule.Scope.ManagedDomains.Select(d => d.ToName()))}, but the inventory has no 'manages' column; every management element was counted in scope");
            if (rule.Kind == RuleKind.NoNewInstall && !inventory.HasInstalled)
            {
                outcomes.Add(Outcome(rule, "not-checkable", 0) with { Note = "needs the 'installed' column (install date) in the inventory" });
                continue;
            }
            var found = passes[r]!;
            found.RemoveAll(v => v.Elements.Count == 0 && v.Share is null);
            var count = found.Sum(v => v.Elements.Count);
            if (found.Count == 0)
                outcomes.Add(Outcome(rule, inForce ? "compliant" : "upcoming", 0));
            else
            {
                outcomes.Add(Outcome(rule, inForce ? "violated" : "upcoming", count));
                if (inForce)
                    violations.AddRange(found);
            }
        }
        return new CheckResult
        {
            Policy = pack.Id,
            PolicyTitle = pack.Title,
            At = at,
            Inventory = inventory.Source,
            Elements = inventory.Count,
            Sites = inventory.Sites.Count,
            RestrictedVendors = designation.Names,
            DesignationBasis = designation.Basis,
            Violations = violations,
            Rules = outcomes,
            Shares = shares!,
            Assumptions = assumptions.Distinct().ToList(),
        };
    }

    private static RuleOutcome Outcome(PolicyRule rule, string status, int elements) => new()
    {
        Rule = rule.Id,
        Kind = rule.KindName,
        Description = rule.Describe(),
        From = rule.From,
        Status = status,
        Elements = elements,
        FactStatus = rule.FactStatus,
        Source = rule.Source,
        Note = rule.Note,
        DateBasis = rule.DateBasis,
        ExtendedFrom = rule.ExtendedFrom,
    };

    /// <summary>The in-scope restricted elements of a rule (exclude, deadline) or those installed after its date (no_new_install).</summary>
    public static int[] MatchingElements(NetworkInventory inv, PolicyRule rule, VendorDesignation designation)
    {
        var matcher = new ScopeMatcher(inv, rule.Scope);
        return Collect(inv, rule, matcher, designation.Restricted);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int[] Collect(NetworkInventory inv, PolicyRule rule, ScopeMatcher matcher, bool[] restricted)
    {
        var hits = new List<int>();
        var vendor = inv.Vendor;
        var installedAfter = rule.Kind == RuleKind.NoNewInstall && rule.From is { } f ? f.DayNumber : int.MinValue;
        var installed = inv.Installed;
        for (var e = 0; e < inv.Count; e++)
        {
            if (!restricted[vendor[e]] || !matcher.Matches(e))
                continue;
            if (installed[e] != NetworkInventory.Unknown ? installed[e] > installedAfter : installedAfter == int.MinValue)
                hits.Add(e);
        }
        return [.. hits];
    }

    private static Violation CheckPresence(NetworkInventory inv, PolicyRule rule, ScopeMatcher matcher, VendorDesignation designation)
    {
        var hits = Collect(inv, rule, matcher, designation.Restricted);
        var what = rule.Kind switch
        {
            RuleKind.NoNewInstall => $"{hits.Length} element(s) of restricted vendors installed in {rule.Scope} after {rule.From:yyyy-MM-dd}",
            RuleKind.Deadline => $"{hits.Length} element(s) of restricted vendors remain in {rule.Scope}; removal due by {rule.From:yyyy-MM-dd}",
            _ => $"{hits.Length} element(s) of restricted vendors in {rule.Scope}, which the rule excludes",
        };
        return new Violation { Rule = rule.Id, Kind = rule.KindName, Message = what, Elements = Ids(inv, hits) };
    }

    private static List<Violation> CheckShare(NetworkInventory inv, PolicyRule rule, ScopeMatcher matcher, VendorDesignation designation)
    {
        var groups = rule.Level == ShareLevel.National ? 1 : inv.Regions.Count;
        var measures = ShareMeasures.Compute(inv, matcher, designation.Restricted, rule.Measure, rule.Level);
        var cap = rule.Value!.Value;
        var result = new List<Violation>();
        for (var g = 0; g < groups; g++)
        {
            var total = measures.Total[g];
            var restricted = measures.Restricted[g];
            if (total <= 0)
                continue;
            var share = restricted / total;
            // A small tolerance keeps a share exactly at the cap (35 of 100) from failing on rounding.
            if (share <= cap + 1e-12)
                continue;
            var excess = restricted - cap * total;
            if (rule.Measure is ShareMeasure.Elements or ShareMeasure.Sites or ShareMeasure.Cells)
                excess = Math.Ceiling(excess - 1e-9);
            var members = new List<int>();
            var vendor = inv.Vendor;
            for (var e = 0; e < inv.Count; e++)
            {
                if (designation.Restricted[vendor[e]] && matcher.Matches(e) && (groups == 1 || inv.RegionOf(e) == g))
                    members.Add(e);
            }
            var region = groups == 1 ? null : inv.Regions[g];
            var measureName = rule.Measure.ToString().ToLowerInvariant();
            result.Add(new Violation
            {
                Rule = rule.Id,
                Kind = rule.KindName,
                Region = region,
                Share = share,
                Cap = cap,
                Excess = excess,
                Message = $"restricted share of {rule.Scope}{(region is null ? "" : $" in region {region}")} is {share:P1} by {measureName}, over the cap of {cap:P0}; " +
                    $"at least {excess:0.##} {(excess == 1 && measureName != "traffic" ? measureName[..^1] : measureName)} must move to other vendors",
                Elements = Ids(inv, members),
            });
        }
        return result;
    }

    internal static IReadOnlyList<string> Ids(NetworkInventory inv, IReadOnlyList<int> elements)
    {
        var ids = new string[elements.Count];
        for (var i = 0; i < ids.Length; i++)
            ids[i] = inv.ElementIds[elements[i]];
        Array.Sort(ids, StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Per domain, national then per region: elements, sites, cells and traffic, total and restricted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<ShareRow> ComputeShares(NetworkInventory inv, bool[] restricted)
    {
        var regions = inv.Regions.Count;
        var width = regions + 1; // slot 0: national; slot r + 1: region r
        var n = NetworkDomains.Count * width;
        var elements = new long[n];
        var rElements = new long[n];
        var cells = new long[n];
        var rCells = new long[n];
        var traffic = new double[n];
        var rTraffic = new double[n];
        var siteAny = new byte[inv.Sites.Count];
        var siteRestricted = new byte[inv.Sites.Count];
        var domain = inv.Domain;
        var site = inv.Site;
        var vendor = inv.Vendor;
        var siteRegion = inv.SiteRegion;
        var cellCol = inv.Cells;
        var weight = inv.Weight;
        for (var e = 0; e < inv.Count; e++)
        {
            var d = (int)domain[e];
            var s = site[e];
            var bit = (byte)(1 << d);
            var national = d * width;
            var regional = national + siteRegion[s] + 1;
            elements[national]++;
            elements[regional]++;
            cells[national] += cellCol[e];
            cells[regional] += cellCol[e];
            traffic[national] += weight[e];
            traffic[regional] += weight[e];
            siteAny[s] |= bit;
            if (restricted[vendor[e]])
            {
                rElements[national]++;
                rElements[regional]++;
                rCells[national] += cellCol[e];
                rCells[regional] += cellCol[e];
                rTraffic[national] += weight[e];
                rTraffic[regional] += weight[e];
                siteRestricted[s] |= bit;
            }
        }
        var sites = new long[n];
        var rSites = new long[n];
        for (var s = 0; s < siteAny.Length; s++)
        {
            for (var d = 0; d < NetworkDomains.Count; d++)
            {
                var bit = 1 << d;
                if ((siteAny[s] & bit) == 0)
                    continue;
                var national = d * width;
                var regional = national + siteRegion[s] + 1;
                sites[national]++;
                sites[regional]++;
                if ((siteRestricted[s] & bit) != 0)
                {
                    rSites[national]++;
                    rSites[regional]++;
                }
            }
        }
        var rows = new List<ShareRow>();
        foreach (var d in NetworkDomains.All)
        {
            for (var slot = 0; slot < width; slot++)
            {
                var i = (int)d * width + slot;
                if (elements[i] == 0)
                    continue;
                rows.Add(new ShareRow
                {
                    Domain = d.ToName(),
                    Region = slot == 0 ? null : inv.Regions[slot - 1],
                    Elements = elements[i],
                    RestrictedElements = rElements[i],
                    Sites = sites[i],
                    RestrictedSites = rSites[i],
                    Cells = cells[i],
                    RestrictedCells = rCells[i],
                    Traffic = traffic[i],
                    RestrictedTraffic = rTraffic[i],
                });
            }
        }
        // Regions sorted by name inside each domain, national row first.
        return rows.OrderBy(r => r.Domain == "core" ? 0 : r.Domain == "ran" ? 1 : r.Domain == "transport" ? 2 : r.Domain == "management" ? 3 : r.Domain == "oss" ? 4 : 5)
            .ThenBy(r => r.Region is null ? 0 : 1).ThenBy(r => r.Region, StringComparer.Ordinal).ToList();
    }
}

/// <summary>Total and restricted amount of a measure per group (national: one group; region: one per region).</summary>
internal sealed class ShareMeasures
{
    public required double[] Total { get; init; }
    public required double[] Restricted { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ShareMeasures Compute(NetworkInventory inv, ScopeMatcher matcher, bool[] restricted, ShareMeasure measure, ShareLevel level)
    {
        var groups = level == ShareLevel.National ? 1 : inv.Regions.Count;
        var total = new double[groups];
        var rest = new double[groups];
        var siteState = measure == ShareMeasure.Sites ? new byte[inv.Sites.Count] : null; // bit 1: in scope, bit 2: restricted
        var vendor = inv.Vendor;
        for (var e = 0; e < inv.Count; e++)
        {
            if (!matcher.Matches(e))
                continue;
            var r = restricted[vendor[e]];
            if (siteState is not null)
            {
                siteState[inv.Site[e]] |= (byte)(r ? 3 : 1);
                continue;
            }
            var g = groups == 1 ? 0 : inv.RegionOf(e);
            double amount = measure switch
            {
                ShareMeasure.Cells => inv.Cells[e],
                ShareMeasure.Traffic => inv.Weight[e],
                _ => 1,
            };
            total[g] += amount;
            if (r)
                rest[g] += amount;
        }
        if (siteState is not null)
        {
            for (var s = 0; s < siteState.Length; s++)
            {
                if (siteState[s] == 0)
                    continue;
                var g = groups == 1 ? 0 : inv.SiteRegion[s];
                total[g]++;
                if (siteState[s] == 3)
                    rest[g]++;
            }
        }
        return new ShareMeasures { Total = total, Restricted = rest };
    }
}
