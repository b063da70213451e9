using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Assay.Network.Compliance;
using Assay.Network.Planning;
using Assay.Network.Risk;
using Assay.Reports;

namespace Assay.Network.Output;

/// <summary>Output formats of <c>assay network</c>: <c>table</c> (terminal), <c>json</c>, <c>csv</c> and <c>html</c>.</summary>
public static class NetworkReports
{
    /// <summary>The values of <c>-f</c>.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["csv", "html", "json", "table"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Element ids listed per violation in the terminal table (JSON and CSV list all).</summary>
    public const int TableElementsShown = 10;

    // ---------------- JSON ----------------

    /// <summary>
    /// Writes a document of <c>assay network</c>: a <see cref="CheckResult"/>, <see cref="PlanResult"/>
    /// or <see cref="RiskResult"/>, through generated metadata (<see cref="NetworkJson"/>). Any other
    /// type throws <see cref="NotSupportedException"/>; plans compared go through <see cref="WriteCompareJson"/>.
    /// </summary>
    public static void WriteJson<T>(T value, Stream output)
    {
        ArgumentNullException.ThrowIfNull(value);
        Write(value, NetworkJson.Options.GetTypeInfo(value.GetType()), output);
    }

    /// <summary>Plans compared (<c>--compare</c>): <c>{"scenarios": [...]}</c>, each plan as <see cref="Summary"/> gives it.</summary>
    public static void WriteCompareJson(IReadOnlyList<PlanResult> plans, Stream output)
    {
        ArgumentNullException.ThrowIfNull(plans);
        WriteJson(new PlanComparison([.. plans.Select(Summary)]), output);
    }

    /// <summary>The plan without its replacement list (for <c>--compare</c>, where each scenario's list would repeat the inventory).</summary>
    public static PlanResult Summary(PlanResult p) => p with { Replacements = [] };

    private static void Write(object value, JsonTypeInfo info, Stream output)
    {
        JsonSerializer.Serialize(output, value, info);
        output.WriteByte((byte)'\n');
    }

    // ---------------- check ----------------

    public static void WriteCheckTable(CheckResult r, TextWriter w)
    {
        w.WriteLine($"policy {r.Policy}: {r.PolicyTitle}");
        w.WriteLine($"inventory {r.Inventory}: {r.Elements:N0} elements at {r.Sites:N0} sites; checked at {r.At:yyyy-MM-dd}");
        w.WriteLine($"restricted vendors: {(r.RestrictedVendors.Count == 0 ? "(none)" : string.Join(", ", r.RestrictedVendors))} ({r.DesignationBasis})");
        w.WriteLine();
        w.WriteLine("RULES");
        w.WriteLine($"  {"rule",-16} {"status",-14} {"elements",9}  description");
        foreach (var o in r.Rules)
            w.WriteLine($"  {o.Rule,-16} {o.Status,-14} {o.Elements,9:N0}  {o.Description}{(o.FactStatus is null ? "" : $" [{o.FactStatus}]")}");
        foreach (var o in r.Rules.Where(o => o.DateBasis is not null))
            w.WriteLine($"  {o.Rule}: {(o.ExtendedFrom is null ? "date" : "EXTENDED deadline")} {o.From:yyyy-MM-dd} = {o.DateBasis}");
        foreach (var o in r.Rules.Where(o => o.Status == "not-checkable" && o.Note is not null))
            w.WriteLine($"  {o.Rule}: not checkable: {o.Note}");
        w.WriteLine();
        w.WriteLine("SHARES (restricted vendors, national and per region)");
        w.WriteLine($"  {"domain",-13} {"region",-18} {"elements",10} {"share",7} {"sites",8} {"share",7} {"cells",8} {"share",7} {"traffic",7}");
        foreach (var s in r.Shares)
            w.WriteLine($"  {s.Domain,-13} {s.Region ?? "(national)",-18} {s.Elements,10:N0} {s.ElementShare,7:P1} {s.Sites,8:N0} {s.SiteShare,7:P1} {s.Cells,8:N0} {s.CellShare,7:P1} {s.TrafficShare,7:P1}");
        w.WriteLine();
        if (r.Violations.Count == 0)
            w.WriteLine($"COMPLIANT at {r.At:yyyy-MM-dd}: no rule in force is violated.");
        else
        {
            w.WriteLine($"VIOLATIONS at {r.At:yyyy-MM-dd}: {r.Violations.Count}");
            foreach (var v in r.Violations)
            {
                w.WriteLine($"  {v.Rule}: {v.Message}");
                var shown = v.Elements.Take(TableElementsShown);
                w.WriteLine($"    elements: {string.Join(", ", shown)}{(v.Elements.Count > TableElementsShown ? $", ... ({v.Elements.Count:N0} in all; -f json or csv lists every one)" : "")}");
            }
        }
        var upcoming = r.Rules.Where(o => o.Status == "upcoming" && o.Elements > 0).ToList();
        if (upcoming.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("UPCOMING (violated on that date if nothing changes)");
            foreach (var o in upcoming.OrderBy(o => o.From))
                w.WriteLine($"  {o.From:yyyy-MM-dd}  {o.Rule,-16} {o.Elements,9:N0} element(s)  {o.Description}");
        }
        if (r.Assumptions.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("ASSUMPTIONS");
            foreach (var a in r.Assumptions)
                w.WriteLine($"  - {a}");
        }
    }

    /// <summary>One row per violating element: <c>rule,kind,region,element_id,message</c>.</summary>
    public static void WriteCheckCsv(CheckResult r, TextWriter w)
    {
        w.WriteLine("rule,kind,region,element_id,message");
        foreach (var v in r.Violations)
            foreach (var e in v.Elements)
                w.WriteLine($"{Csv(v.Rule)},{v.Kind},{Csv(v.Region ?? "")},{Csv(e)},{Csv(v.Message)}");
    }

    public static void WriteCheckHtml(CheckResult r, TextWriter w)
    {
        HtmlHead(w, $"Assay network check: {r.Policy}");
        w.WriteLine($"<h1>Policy {H(r.Policy)} at {r.At:yyyy-MM-dd}: {(r.Compliant ? "<span class=ok>compliant</span>" : $"<span class=bad>{r.Violations.Count} violation(s)</span>")}</h1>");
        w.WriteLine($"<p>{H(r.PolicyTitle)}. Inventory {H(r.Inventory)}: {r.Elements:N0} elements at {r.Sites:N0} sites. Restricted vendors: {H(string.Join(", ", r.RestrictedVendors))} ({H(r.DesignationBasis)}).</p>");
        w.WriteLine("<h2>Rules</h2><table><tr><th>rule</th><th>status</th><th>elements</th><th>description</th><th>fact</th><th>source</th></tr>");
        foreach (var o in r.Rules)
            w.WriteLine($"<tr class=\"{H(o.Status)}\"><td>{H(o.Rule)}</td><td>{H(o.Status)}</td><td class=n>{o.Elements:N0}</td><td>{H(o.Description)}</td><td>{H(o.FactStatus ?? "")}</td><td>{H(o.Source ?? "")}</td></tr>");
        w.WriteLine("</table>");
        w.WriteLine("<h2>Restricted share by domain</h2>");
        w.WriteLine(ShareBarsSvg(r.Shares.Where(s => s.Region is null).Select(s => (s.Domain, s.ElementShare, s.SiteShare)).ToList()));
        w.WriteLine("<table><tr><th>domain</th><th>region</th><th>elements</th><th>share</th><th>sites</th><th>share</th><th>cells</th><th>share</th><th>traffic share</th></tr>");
        foreach (var s in r.Shares)
            w.WriteLine($"<tr><td>{H(s.Domain)}</td><td>{H(s.Region ?? "(national)")}</td><td class=n>{s.Elements:N0}</td><td class=n>{s.ElementShare:P1}</td><td class=n>{s.Sites:N0}</td><td class=n>{s.SiteShare:P1}</td><td class=n>{s.Cells:N0}</td><td class=n>{s.CellShare:P1}</td><td class=n>{s.TrafficShare:P1}</td></tr>");
        w.WriteLine("</table>");
        if (r.Violations.Count > 0)
        {
            w.WriteLine("<h2>Violations</h2>");
            foreach (var v in r.Violations)
            {
                w.WriteLine($"<h3>{H(v.Rule)}</h3><p>{H(v.Message)}</p><details><summary>{v.Elements.Count:N0} element(s)</summary><p class=ids>");
                foreach (var e in v.Elements.Take(5000))
                    w.Write($"{H(e)} ");
                if (v.Elements.Count > 5000)
                    w.Write($"... ({v.Elements.Count - 5000:N0} more in the JSON output)");
                w.WriteLine("</p></details>");
            }
        }
        if (r.Assumptions.Count > 0)
        {
            w.WriteLine("<h2>Assumptions</h2><ul>");
            foreach (var a in r.Assumptions)
                w.WriteLine($"<li>{H(a)}</li>");
            w.WriteLine("</ul>");
        }
        w.WriteLine("</body></html>");
    }

    // ---------------- plan ----------------

    public static void WritePlanTable(PlanResult p, TextWriter w, int monthsShown = 36)
    {
        w.WriteLine($"plan {p.Scenario} (policy {p.Policy}) from {p.Start}, capacity {p.Capacity:0.##} work units/month; restricted: {string.Join(", ", p.RestrictedVendors)}");
        w.WriteLine($"  {p.ElementsReplaced:N0} elements at {p.SitesTouched:N0} sites; cost {Money(p.TotalCost, p.Currency)}{Range(p.TotalCostLow, p.TotalCostHigh, p.Currency)}{(p.PriceYear is { } y ? $" ({y} prices)" : "")}; effort {p.TotalEffort:N0}; finish {p.FinishMonth ?? "-"}");
        w.WriteLine($"  {(p.Feasible ? "every deadline ahead of the start is met" : "NOT every deadline can be met")}; capacity needed to meet them all: {Math.Ceiling(p.RequiredCapacity):N0}/month");
        w.WriteLine();
        w.WriteLine("DEADLINES");
        foreach (var d in p.Deadlines)
            w.WriteLine($"  {(d.Overdue ? "overdue" : d.Met ? "met" : "MISSED"),-8} {d.Message}");
        if (p.Selections.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("SHARE CAPS (cheapest replacements that meet the cap, CP-SAT)");
            foreach (var s in p.Selections)
                w.WriteLine($"  {s.Rule,-16} {s.Status,-12} {s.Selected,8:N0} {s.Measure,-9} {Money(s.Cost, p.Currency),16}  ({s.Variables} variables)");
        }
        w.WriteLine();
        w.WriteLine("COST BY ELEMENT TYPE");
        foreach (var c in p.Costs)
            w.WriteLine($"  {c.Domain,-13} {c.Function,-20} {c.Elements,9:N0} x {Money(c.UnitCost, p.Currency),12} = {Money(c.Cost, p.Currency),16}{Range(c.CostLow, c.CostHigh, p.Currency)}{(c.Unit is null ? "" : $"  [{c.Unit}]")}");
        w.WriteLine($"  {"total",-13} {"",-20} {p.ElementsReplaced,9:N0}   {"",12}   {Money(p.TotalCost, p.Currency),16}{Range(p.TotalCostLow, p.TotalCostHigh, p.Currency)}");
        if (p.CostMethod is not null)
            w.WriteLine($"  low/expected/high: {p.CostMethod}");
        if (p.Reimbursement is { } rb)
        {
            w.WriteLine();
            w.WriteLine($"REIMBURSEMENT ({rb.Program}: equipment obtained on or before {rb.ObtainedOnOrBefore:yyyy-MM-dd}; the install date stands in for the date obtained)");
            w.WriteLine($"  eligible         {rb.Eligible.Elements,9:N0} elements  {Money(rb.Eligible.Cost, p.Currency),18}{Range(rb.Eligible.CostLow, rb.Eligible.CostHigh, p.Currency)}");
            w.WriteLine($"  not eligible     {rb.NotEligible.Elements,9:N0} elements  {Money(rb.NotEligible.Cost, p.Currency),18}{Range(rb.NotEligible.CostLow, rb.NotEligible.CostHigh, p.Currency)}");
            if (rb.UnknownDate.Elements > 0)
                w.WriteLine($"  no install date  {rb.UnknownDate.Elements,9:N0} elements  {Money(rb.UnknownDate.Cost, p.Currency),18}{Range(rb.UnknownDate.CostLow, rb.UnknownDate.CostHigh, p.Currency)}");
        }
        w.WriteLine();
        w.WriteLine("SCHEDULE (month: replaced, cost, restricted share by elements at month end)");
        foreach (var m in p.Months.Take(monthsShown))
            w.WriteLine($"  {m.Month}  {m.Replaced,8:N0}  {Money(m.Cost, p.Currency),14}  {string.Join("  ", m.Share.Select(kv => $"{kv.Key} {kv.Value:P1}"))}");
        if (p.Months.Count > monthsShown)
            w.WriteLine($"  ... {p.Months.Count - monthsShown} more month(s) (-f json, csv or html list all)");
        foreach (var n in p.Notes)
            w.WriteLine($"note: {n}");
    }

    /// <summary>One row per replacement, in schedule order.</summary>
    public static void WritePlanCsv(PlanResult p, TextWriter w)
    {
        w.WriteLine("month,element_id,site_id,domain,function,vendor,rule,due,cost,effort");
        foreach (var r in p.Replacements)
            w.WriteLine($"{r.Month},{Csv(r.Element)},{Csv(r.Site)},{r.Domain},{Csv(r.Function)},{Csv(r.Vendor)},{Csv(r.Rule)},{r.Due:yyyy-MM-dd},{r.Cost.ToString("0.##", Inv)},{r.Effort.ToString("0.##", Inv)}");
    }

    public static void WriteCompareTable(IReadOnlyList<PlanResult> plans, TextWriter w)
    {
        w.WriteLine("SCENARIOS (side by side)");
        w.WriteLine($"  {"scenario",-20} {"elements",10} {"sites",8} {"cost",18} {"finish",8} {"deadlines",10} {"capacity needed",16}");
        foreach (var p in plans)
        {
            var met = p.Deadlines.Count(d => d.Met);
            var ahead = p.Deadlines.Count(d => !d.Overdue);
            w.WriteLine($"  {p.Scenario,-20} {p.ElementsReplaced,10:N0} {p.SitesTouched,8:N0} {Money(p.TotalCost, p.Currency),18} {p.FinishMonth ?? "-",8} {$"{met}/{ahead} met",10} {Math.Ceiling(p.RequiredCapacity),12:N0}/mo");
        }
        if (plans.Count >= 2)
        {
            var baseline = plans.MinBy(p => p.TotalCost)!;
            foreach (var p in plans.Where(p => p != baseline))
                w.WriteLine($"  {p.Scenario} costs {Money(p.TotalCost - baseline.TotalCost, p.Currency)} more than {baseline.Scenario} ({p.ElementsReplaced - baseline.ElementsReplaced:N0} more elements)");
        }
        foreach (var p in plans)
        {
            w.WriteLine();
            WritePlanTable(p, w, monthsShown: 12);
        }
    }

    public static void WriteCompareCsv(IReadOnlyList<PlanResult> plans, TextWriter w)
    {
        w.WriteLine("scenario,policy,elements,sites,cost,cost_low,cost_high,currency,effort,finish,feasible,required_capacity");
        foreach (var p in plans)
            w.WriteLine($"{Csv(p.Scenario)},{Csv(p.Policy)},{p.ElementsReplaced},{p.SitesTouched},{p.TotalCost.ToString("0.##", Inv)},{p.TotalCostLow?.ToString("0.##", Inv)},{p.TotalCostHigh?.ToString("0.##", Inv)},{p.Currency},{p.TotalEffort.ToString("0.##", Inv)},{p.FinishMonth},{(p.Feasible ? "true" : "false")},{Math.Ceiling(p.RequiredCapacity).ToString(Inv)}");
    }

    /// <summary>HTML page for one or more plans: per scenario, the share-over-time chart per domain (SVG, no script), deadlines and costs.</summary>
    public static void WritePlanHtml(IReadOnlyList<PlanResult> plans, TextWriter w)
    {
        HtmlHead(w, plans.Count == 1 ? $"Assay replacement plan: {plans[0].Scenario}" : "Assay replacement plans compared");
        if (plans.Count > 1)
        {
            w.WriteLine("<h1>Scenarios compared</h1><table><tr><th>scenario</th><th>elements</th><th>sites</th><th>cost</th><th>finish</th><th>deadlines met</th><th>capacity needed / month</th></tr>");
            foreach (var p in plans)
                w.WriteLine($"<tr><td>{H(p.Scenario)}</td><td class=n>{p.ElementsReplaced:N0}</td><td class=n>{p.SitesTouched:N0}</td><td class=n>{H(Money(p.TotalCost, p.Currency))}</td><td>{H(p.FinishMonth ?? "-")}</td><td class=n>{p.Deadlines.Count(d => d.Met)}/{p.Deadlines.Count(d => !d.Overdue)}</td><td class=n>{Math.Ceiling(p.RequiredCapacity):N0}</td></tr>");
            w.WriteLine("</table>");
        }
        foreach (var p in plans)
        {
            w.WriteLine($"<h1>Plan {H(p.Scenario)} <small>(policy {H(p.Policy)})</small></h1>");
            w.WriteLine($"<p>From {H(p.Start)} at {p.Capacity:N0} work units a month: {p.ElementsReplaced:N0} elements at {p.SitesTouched:N0} sites, {H(Money(p.TotalCost, p.Currency))}, finished {H(p.FinishMonth ?? "-")}. " +
                $"{(p.Feasible ? "<span class=ok>Every deadline ahead is met.</span>" : "<span class=bad>Not every deadline can be met.</span>")} Capacity that meets them all: {Math.Ceiling(p.RequiredCapacity):N0} a month.</p>");
            w.WriteLine("<h2>Restricted share over time, by domain (elements)</h2>");
            w.WriteLine(ShareChartSvg(p));
            w.WriteLine("<h2>Deadlines</h2><ul>");
            foreach (var d in p.Deadlines)
                w.WriteLine($"<li class=\"{(d.Overdue ? "upcoming" : d.Met ? "compliant" : "violated")}\">{H(d.Message)}</li>");
            w.WriteLine("</ul><h2>Cost by element type</h2><table><tr><th>domain</th><th>function</th><th>elements</th><th>unit cost</th><th>cost</th></tr>");
            foreach (var c in p.Costs)
                w.WriteLine($"<tr><td>{H(c.Domain)}</td><td>{H(c.Function)}</td><td class=n>{c.Elements:N0}</td><td class=n>{H(Money(c.UnitCost, p.Currency))}{H(Range(c.UnitCostLow, c.UnitCostHigh, p.Currency))}</td><td class=n>{H(Money(c.Cost, p.Currency))}</td></tr>");
            w.WriteLine($"<tr><th colspan=2>total</th><th class=n>{p.ElementsReplaced:N0}</th><th></th><th class=n>{H(Money(p.TotalCost, p.Currency))}{H(Range(p.TotalCostLow, p.TotalCostHigh, p.Currency))}</th></tr></table>");
            if (p.CostMethod is not null)
                w.WriteLine($"<p>Low, expected and high: {H(p.CostMethod)}</p>");
            if (p.Reimbursement is { } rb)
                w.WriteLine($"<p>{H(rb.Program)} (obtained on or before {rb.ObtainedOnOrBefore:yyyy-MM-dd}): eligible {rb.Eligible.Elements:N0} elements, {H(Money(rb.Eligible.Cost, p.Currency))}; " +
                    $"not eligible {rb.NotEligible.Elements:N0}, {H(Money(rb.NotEligible.Cost, p.Currency))}; no install date {rb.UnknownDate.Elements:N0}, {H(Money(rb.UnknownDate.Cost, p.Currency))}.</p>");
            if (p.Notes.Count > 0)
            {
                w.WriteLine("<ul>");
                foreach (var n in p.Notes)
                    w.WriteLine($"<li>{H(n)}</li>");
                w.WriteLine("</ul>");
            }
        }
        w.WriteLine("</body></html>");
    }

    // ---------------- risk ----------------

    public static void WriteRiskTable(RiskResult r, TextWriter w)
    {
        w.WriteLine($"inventory {r.Inventory}: {r.Elements:N0} elements, {r.Assessed:N0} linked to {r.Evaluations.Count} evaluation(s)");
        w.WriteLine();
        w.WriteLine("EVALUATIONS");
        foreach (var e in r.Evaluations)
            w.WriteLine($"  {e.Vendor} {e.Model} {e.SoftwareVersion}: score {e.Score:0.#} ({e.OpenCritical} critical, {e.OpenHigh} high, {e.OpenMedium} medium open; {e.HardeningFindings} hardening; {e.Ts33117Failures.Count} TS 33.117 clauses failed) [{e.File}]");
        w.WriteLine();
        w.WriteLine("WHERE THE RISK SITS: elements");
        foreach (var i in r.TopElements)
            w.WriteLine($"  {i.Risk,8:0.0}  {i.Id,-28} {i.Domain,-12} {i.Region,-16} {i.Vendor} {i.Product}");
        w.WriteLine();
        w.WriteLine("WHERE THE RISK SITS: sites");
        foreach (var i in r.TopSites)
            w.WriteLine($"  {i.Risk,8:0.0}  {i.Id,-28} {i.Region,-16} {i.Product}");
        w.WriteLine();
        w.WriteLine("BY VENDOR (same measure for every vendor)");
        foreach (var v in r.Vendors)
            w.WriteLine($"  {v.Vendor,-12} {v.Elements,9:N0} elements, {v.Assessed,9:N0} assessed, total risk {v.TotalRisk,10:0.0}, mean {v.MeanRisk,6:0.0}");
        if (r.LinkProblems.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("LINKED EVALUATIONS NOT READ (their products are ranked as not yet evaluated)");
            foreach (var p in r.LinkProblems)
                w.WriteLine($"  {p.Vendor} {p.Model} {p.SoftwareVersion}: {p.Message}");
        }
        if (r.Unassessed.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("NOT YET EVALUATED (deployed product versions without an evaluation)");
            foreach (var u in r.Unassessed.Take(20))
                w.WriteLine($"  {u.Elements,9:N0}  {u.Vendor} {u.Model} {u.SoftwareVersion}");
        }
    }

    public static void WriteRiskCsv(RiskResult r, TextWriter w)
    {
        w.WriteLine("kind,id,site,region,domain,vendor,product,risk");
        foreach (var i in r.TopElements)
            w.WriteLine($"element,{Csv(i.Id)},{Csv(i.Site)},{Csv(i.Region)},{i.Domain},{Csv(i.Vendor)},{Csv(i.Product)},{i.Risk.ToString("0.###", Inv)}");
        foreach (var i in r.TopSites)
            w.WriteLine($"site,{Csv(i.Id)},{Csv(i.Site)},{Csv(i.Region)},,,{Csv(i.Product)},{i.Risk.ToString("0.###", Inv)}");
    }

    public static void WriteRiskHtml(RiskResult r, TextWriter w)
    {
        HtmlHead(w, "Assay network risk");
        w.WriteLine($"<h1>Where the risk sits</h1><p>{r.Elements:N0} elements; {r.Assessed:N0} linked to {r.Evaluations.Count} evaluation(s).</p>");
        w.WriteLine("<h2>Elements</h2><table><tr><th>risk</th><th>element</th><th>domain</th><th>region</th><th>vendor</th><th>product</th><th>basis</th></tr>");
        foreach (var i in r.TopElements)
            w.WriteLine($"<tr><td class=n>{i.Risk:0.0}</td><td>{H(i.Id)}</td><td>{H(i.Domain)}</td><td>{H(i.Region)}</td><td>{H(i.Vendor)}</td><td>{H(i.Product)}</td><td>{H(i.Basis)}</td></tr>");
        w.WriteLine("</table><h2>Vendors</h2><table><tr><th>vendor</th><th>elements</th><th>assessed</th><th>total risk</th><th>mean</th></tr>");
        foreach (var v in r.Vendors)
            w.WriteLine($"<tr><td>{H(v.Vendor)}</td><td class=n>{v.Elements:N0}</td><td class=n>{v.Assessed:N0}</td><td class=n>{v.TotalRisk:0.0}</td><td class=n>{v.MeanRisk:0.0}</td></tr>");
        w.WriteLine("</table>");
        if (r.LinkProblems.Count > 0)
        {
            w.WriteLine("<h2>Linked evaluations not read</h2><table><tr><th>product</th><th>problem</th></tr>");
            foreach (var p in r.LinkProblems)
                w.WriteLine($"<tr><td>{H($"{p.Vendor} {p.Model} {p.SoftwareVersion}")}</td><td>{H(p.Message)}</td></tr>");
            w.WriteLine("</table>");
        }
        w.WriteLine("</body></html>");
    }

    // ---------------- helpers ----------------

    private static readonly string[] Colors = ["#c0392b", "#2471a3", "#229954", "#7d3c98", "#b9770e", "#566573"];

    /// <summary>A line chart (SVG) of the restricted share per domain at each month's end, with deadline markers.</summary>
    internal static string ShareChartSvg(PlanResult p)
    {
        const int width = 820, height = 300, left = 50, right = 150, top = 15, bottom = 40;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var months = p.Months;
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"restricted share over time\">");
        sb.Append(Inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"#fafafa\" stroke=\"#999\"/>");
        for (var pct = 0; pct <= 100; pct += 25)
        {
            var y = top + plotH - plotH * pct / 100.0;
            sb.Append(Inv, $"<line x1=\"{left}\" x2=\"{left + plotW}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/><text x=\"{left - 5}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"end\">{pct}%</text>");
        }
        if (months.Count == 0)
        {
            sb.Append(Inv, $"<text x=\"{left + 10}\" y=\"{top + 20}\" font-size=\"12\">nothing to replace</text></svg>");
            return sb.ToString();
        }
        var steps = months.Count; // x = 0 is the start, x = i + 1 the end of month i
        double X(int i) => left + plotW * (double)i / steps;
        double Y(double share) => top + plotH - plotH * share;
        var domains = months[0].Share.Keys.ToList();
        var initial = InitialShares(p, domains);
        for (var d = 0; d < domains.Count; d++)
        {
            var points = new StringBuilder();
            points.Append(Inv, $"{X(0):0.#},{Y(initial[d]):0.#} ");
            for (var i = 0; i < months.Count; i++)
                points.Append(Inv, $"{X(i + 1):0.#},{Y(months[i].Share[domains[d]]):0.#} ");
            var color = Colors[d % Colors.Length];
            sb.Append(Inv, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>");
            sb.Append(Inv, $"<line x1=\"{left + plotW + 10}\" x2=\"{left + plotW + 30}\" y1=\"{top + 12 + d * 18}\" y2=\"{top + 12 + d * 18}\" stroke=\"{color}\" stroke-width=\"3\"/>");
            sb.Append(Inv, $"<text x=\"{left + plotW + 35}\" y=\"{top + 16 + d * 18}\" font-size=\"12\">{H(domains[d])}</text>");
        }
        foreach (var dl in p.Deadlines.Where(d => !d.Overdue))
        {
            var idx = Math.Min(steps, dl.MonthsAvailable);
            var x = X(idx);
            sb.Append(Inv, $"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{top}\" y2=\"{top + plotH}\" stroke=\"{(dl.Met ? "#229954" : "#c0392b")}\" stroke-dasharray=\"4 3\"/>");
            sb.Append(Inv, $"<text x=\"{x + 2:0.#}\" y=\"{top + 10}\" font-size=\"10\" fill=\"#333\">{H(dl.Date.ToString("yyyy-MM-dd", Inv))}</text>");
        }
        sb.Append(Inv, $"<text x=\"{left}\" y=\"{height - 10}\" font-size=\"11\">{H(p.Start)}</text>");
        sb.Append(Inv, $"<text x=\"{left + plotW}\" y=\"{height - 10}\" font-size=\"11\" text-anchor=\"end\">{H(months[^1].Month)}</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static double[] InitialShares(PlanResult p, List<string> domains)
    {
        var result = new double[domains.Count];
        for (var d = 0; d < domains.Count; d++)
            result[d] = p.InitialShare.GetValueOrDefault(domains[d]);
        return result;
    }

    private static string ShareBarsSvg(IReadOnlyList<(string Domain, double Elements, double Sites)> rows)
    {
        const int rowH = 26, left = 110, barW = 500;
        var height = rows.Count * rowH + 30;
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{left + barW + 80}\" height=\"{height}\" role=\"img\" aria-label=\"restricted share by domain\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var y = 10 + i * rowH;
            sb.Append(Inv, $"<text x=\"{left - 8}\" y=\"{y + 14}\" font-size=\"12\" text-anchor=\"end\">{H(rows[i].Domain)}</text>");
            sb.Append(Inv, $"<rect x=\"{left}\" y=\"{y}\" width=\"{barW}\" height=\"9\" fill=\"#eee\"/><rect x=\"{left}\" y=\"{y}\" width=\"{barW * rows[i].Elements:0.#}\" height=\"9\" fill=\"#c0392b\"/>");
            sb.Append(Inv, $"<rect x=\"{left}\" y=\"{y + 10}\" width=\"{barW}\" height=\"9\" fill=\"#eee\"/><rect x=\"{left}\" y=\"{y + 10}\" width=\"{barW * rows[i].Sites:0.#}\" height=\"9\" fill=\"#2471a3\"/>");
            sb.Append(Inv, $"<text x=\"{left + barW + 6}\" y=\"{y + 9}\" font-size=\"11\">{rows[i].Elements:P1}</text><text x=\"{left + barW + 6}\" y=\"{y + 19}\" font-size=\"11\">{rows[i].Sites:P1}</text>");
        }
        sb.Append(Inv, $"<text x=\"{left}\" y=\"{height - 4}\" font-size=\"11\"><tspan fill=\"#c0392b\">elements</tspan> / <tspan fill=\"#2471a3\">sites</tspan></text></svg>");
        return sb.ToString();
    }

    private static void HtmlHead(TextWriter w, string title)
    {
        w.WriteLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        w.WriteLine($"<title>{H(title)}</title>");
        w.WriteLine("<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;font-size:13px}" +
            "td.n,th.n{text-align:right}.ok{color:#229954}.bad{color:#c0392b}tr.violated td,li.violated{color:#c0392b}tr.upcoming td,li.upcoming{color:#b9770e}.ids{font-family:monospace;font-size:12px}</style></head><body>");
    }

    private static string H(string s) => WebUtility.HtmlEncode(s);

    /// <summary>
    /// A CSV field: quoted when needed, and a text starting with <c>=</c>, <c>+</c> or <c>@</c> gets a
    /// leading apostrophe so that a spreadsheet does not run an id from a hostile inventory as a formula.
    /// </summary>
    internal static string Csv(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '@')
            s = "'" + s;
        return s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    internal static string Money(double amount, string currency) => $"{currency} {amount.ToString("N0", Inv)}";

    /// <summary><c> (low .. high)</c> when a range is known, else empty.</summary>
    private static string Range(double? low, double? high, string currency) =>
        low is { } l && high is { } h ? $" (range {Money(l, currency)} .. {h.ToString("N0", Inv)})" : "";
}
