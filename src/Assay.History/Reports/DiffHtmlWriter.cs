using System.Globalization;
using System.Net;
using System.Text;
using Assay.Core.Model;
using Assay.History.Diff;

namespace Assay.History.Reports;

/// <summary>
/// One self-contained HTML page of a release diff, like the scan report: no script, no external
/// resources, every value from the inputs HTML-encoded. What got worse first, then what got better,
/// then components and files; every list complete.
/// </summary>
public sealed class DiffHtmlWriter : IDiffReportWriter
{
    public string Id => "html";
    public string Description => "self-contained HTML page (no script, no external resources)";
    public string FileExtension => ".html";

    public void Write(ReleaseDiffResult diff, Stream output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var h = new StringBuilder(1 << 16);
        var title = $"Assay release diff: {Path.GetFileName(diff.Old.Path)} → {Path.GetFileName(diff.New.Path)}";
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;max-width:1400px}h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ccd;padding-bottom:.2em}")
            .Append("h2.worse{color:#a40e26}h2.better{color:#1a7f37}h3{margin-bottom:.2em}")
            .Append("table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #dde;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f4f8}")
            .Append("code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}.sev{font-weight:600;padding:0 .4em;border-radius:3px}")
            .Append(".critical{background:#7a0010;color:#fff}.high{background:#d1242f;color:#fff}.medium{background:#f0b400}.low{background:#5d8fd6;color:#fff}.info,.none{background:#ddd}")
            .Append(".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #dde;border-radius:6px;padding:.6em 1em;min-width:9em}.card b{font-size:1.4em;display:block}")
            .Append(".card.bad b{color:#a40e26}.card.good b{color:#1a7f37}</style></head><body>\n");
        h.Append("<h1>").Append(E(title)).Append("</h1>\n<table>");
        Input(h, "old", diff.Old);
        Input(h, "new", diff.New);
        h.Append("</table>\n");

        h.Append("<div class=\"cards\">");
        Card(h, "vulnerabilities introduced", diff.Vulnerabilities.Introduced.Count, bad: true);
        Card(h, "new findings", diff.Findings.New.Count, bad: true);
        Card(h, "hardening regressions", diff.Hardening.Regressions.Count, bad: true);
        Card(h, "TS 33.117 now failing", diff.Ts33117.Regressions.Count, bad: true);
        Card(h, "vulnerabilities resolved", diff.Vulnerabilities.Resolved.Count, bad: false);
        Card(h, "fixed findings", diff.Findings.Fixed.Count, bad: false);
        Card(h, "components changed", diff.Components.Changed.Count + diff.Components.Added.Count + diff.Components.Removed.Count, bad: null);
        Card(h, "files changed", diff.Files.Changed.Count + diff.Files.Added.Count + diff.Files.Removed.Count, bad: null);
        h.Append("</div>\n");

        h.Append("<h2 class=\"worse\">Worse</h2>\n");
        Vulnerabilities(h, "Vulnerabilities introduced", diff.Vulnerabilities.Introduced);
        Findings(h, "New findings", diff.Findings.New);
        Findings(h, "Findings whose severity changed", diff.Findings.Updated);
        Hardening(h, "Hardening regressions", diff.Hardening.Regressions);
        Requirements(h, "TS 33.117 requirements now failing", diff.Ts33117.Regressions);

        h.Append("<h2 class=\"better\">Better</h2>\n");
        Vulnerabilities(h, "Vulnerabilities resolved", diff.Vulnerabilities.Resolved);
        Findings(h, "Fixed findings", diff.Findings.Fixed);
        Hardening(h, "Hardening improvements", diff.Hardening.Improvements);
        Requirements(h, "TS 33.117 requirements now passing", diff.Ts33117.Improvements);

        h.Append("<h2>Changed</h2>\n");
        Components(h, diff.Components);
        Vulnerabilities(h, "Vulnerabilities still open", diff.Vulnerabilities.Open);
        h.Append("<p>").Append(diff.Findings.Unchanged.ToString("N0", CultureInfo.InvariantCulture)).Append(" findings unchanged.</p>\n");
        Files(h, diff.Files);
        h.Append("</body></html>\n");
        output.Write(Encoding.UTF8.GetBytes(h.ToString()));
    }

    private static void Input(StringBuilder h, string label, DiffInput i) =>
        h.Append("<tr><th>").Append(label).Append("</th><td class=\"mono\">").Append(E(i.Path)).Append("<br>").Append(i.Size.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" bytes · sha256 ").Append(E(i.Sha256)).Append(" · Assay ").Append(E(i.ToolVersion)).Append(" · ")
            .Append(i.Files.ToString("N0", CultureInfo.InvariantCulture)).Append(" entries, ").Append(i.Components.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" components, ").Append(i.Findings.ToString("N0", CultureInfo.InvariantCulture)).Append(" findings, ")
            .Append(i.Errors.ToString("N0", CultureInfo.InvariantCulture)).Append(" scan errors</td></tr>");

    private static void Card(StringBuilder h, string label, int count, bool? bad)
    {
        var cls = bad switch { true when count > 0 => " bad", false when count > 0 => " good", _ => "" };
        h.Append("<div class=\"card").Append(cls).Append("\"><b>").Append(count.ToString("N0", CultureInfo.InvariantCulture)).Append("</b>").Append(E(label)).Append("</div>");
    }

    private static void Vulnerabilities(StringBuilder h, string title, IReadOnlyList<VulnerabilityChange> items)
    {
        if (items.Count == 0)
            return;
        Heading(h, title, items.Count);
        h.Append("<table><tr><th>severity</th><th>id</th><th>component</th><th>versions</th><th>CVSS 3.1</th><th>copies</th><th>VEX</th></tr>\n");
        foreach (var v in items)
        {
            h.Append("<tr><td>").Append(Sev(v.Severity)).Append("</td><td>").Append(E(v.Id)).Append("</td><td>").Append(E(v.Component)).Append("</td><td>")
                .Append(E(string.Join(", ", v.Versions))).Append("</td><td>").Append(v.CvssV31Score?.ToString("0.0", CultureInfo.InvariantCulture) ?? "")
                .Append("</td><td>").Append(v.Copies.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(v.VexState ?? "")).Append("</td></tr>\n");
        }
        h.Append("</table>\n");
    }

    private static void Findings(StringBuilder h, string title, IReadOnlyList<FindingRef> items)
    {
        if (items.Count == 0)
            return;
        Heading(h, title, items.Count);
        h.Append("<table><tr><th>severity</th><th>rule</th><th>where</th><th>what</th><th>fingerprint</th></tr>\n");
        foreach (var f in items)
        {
            h.Append("<tr><td>");
            if (f.Was is { } was)
                h.Append(Sev(was)).Append(" → ");
            h.Append(Sev(f.Severity)).Append("</td><td>").Append(E(f.RuleId)).Append("</td><td class=\"mono\">").Append(E(f.Path));
            if (f.Line is { } line)
                h.Append(':').Append(line.ToString(CultureInfo.InvariantCulture));
            h.Append("</td><td>").Append(E(f.Title));
            if (f.Evidence is { } evidence)
                h.Append("<br><code>").Append(E(evidence)).Append("</code>");
            h.Append("</td><td class=\"mono\">").Append(E(f.Fingerprint)).Append("</td></tr>\n");
        }
        h.Append("</table>\n");
    }

    private static void Hardening(StringBuilder h, string title, IReadOnlyList<HardeningChange> items)
    {
        if (items.Count == 0)
            return;
        Heading(h, title, items.Count);
        h.Append("<table><tr><th>binary</th><th>property</th><th>from</th><th>to</th></tr>\n");
        foreach (var c in items)
        {
            h.Append("<tr><td class=\"mono\">").Append(E(c.Path)).Append("</td><td>").Append(E(c.Property)).Append("</td><td>").Append(E(c.From)).Append("</td><td>").Append(E(c.To));
            if (c.Functions.Count > 0)
                h.Append(" (").Append(E(string.Join(", ", c.Functions))).Append(')');
            h.Append("</td></tr>\n");
        }
        h.Append("</table>\n");
    }

    private static void Requirements(StringBuilder h, string title, IReadOnlyList<RequirementChange> items)
    {
        if (items.Count == 0)
            return;
        Heading(h, title, items.Count);
        h.Append("<table><tr><th>clause</th><th>requirement</th><th>from</th><th>to</th></tr>\n");
        foreach (var r in items)
            h.Append("<tr><td>§").Append(E(r.Section)).Append("</td><td>").Append(E(r.Title)).Append("</td><td>").Append(E(r.From)).Append("</td><td>").Append(E(r.To)).Append("</td></tr>\n");
        h.Append("</table>\n");
    }

    private static void Components(StringBuilder h, ComponentChanges c)
    {
        var count = c.Changed.Count + c.Added.Count + c.Removed.Count;
        if (count == 0)
            return;
        Heading(h, "Components", count);
        h.Append("<table><tr><th>component</th><th>change</th><th>copies</th><th>where</th></tr>\n");
        foreach (var x in c.Changed)
            Row(x.Name, $"{x.From} → {x.To}", x.Copies, x.Paths);
        foreach (var x in c.Added)
            Row(x.Name, "added " + x.Version, x.Copies, x.Paths);
        foreach (var x in c.Removed)
            Row(x.Name, "removed " + x.Version, x.Copies, x.Paths);
        h.Append("</table>\n");

        void Row(string name, string change, int copies, IReadOnlyList<string> paths) =>
            h.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(change)).Append("</td><td>").Append(copies.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td class=\"mono\">").Append(string.Join("<br>", paths.Select(E))).Append("</td></tr>\n");
    }

    private static void Files(StringBuilder h, FileChanges f)
    {
        Heading(h, "Files", f.Changed.Count + f.Added.Count + f.Removed.Count);
        h.Append("<p>").Append(f.Unchanged.ToString("N0", CultureInfo.InvariantCulture)).Append(" entries unchanged (a modification time alone is not a change).</p>\n");
        h.Append("<table><tr><th>entry</th><th>change</th><th>detail</th></tr>\n");
        foreach (var c in f.Changed)
        {
            h.Append("<tr><td class=\"mono\">").Append(E(c.Path));
            if (c.OldPath is { } old)
                h.Append("<br>was ").Append(E(old));
            h.Append("</td><td>").Append(E(c.What)).Append("</td><td>");
            if (c.From is not null)
                h.Append(E(c.From)).Append(" → ").Append(E(c.To ?? ""));
            h.Append("</td></tr>\n");
        }
        foreach (var a in f.Added)
            h.Append("<tr><td class=\"mono\">").Append(E(a.Path)).Append("</td><td>added</td><td>").Append(E(a.Kind)).Append("</td></tr>\n");
        foreach (var r in f.Removed)
            h.Append("<tr><td class=\"mono\">").Append(E(r.Path)).Append("</td><td>removed</td><td>").Append(E(r.Kind)).Append("</td></tr>\n");
        h.Append("</table>\n");
    }

    private static void Heading(StringBuilder h, string title, int count) =>
        h.Append("<h3>").Append(E(title)).Append(" (").Append(count.ToString("N0", CultureInfo.InvariantCulture)).Append(")</h3>\n");

    private static string Sev(Severity s)
    {
        var name = s.ToString().ToLowerInvariant();
        return $"<span class=\"sev {name}\">{name}</span>";
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
