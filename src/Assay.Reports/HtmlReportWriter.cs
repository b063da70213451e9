using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Reports;

/// <summary>
/// One self-contained HTML page for people who read an evaluation: the input, the nesting of
/// formats, components and their support status, known vulnerabilities, findings, the TS 33.117
/// table, unrecognised regions, errors and the full file list. No script, no external resources;
/// every value from the input is HTML-encoded.
/// </summary>
public sealed class HtmlReportWriter : IReportWriter
{
    private const int MaxFileRows = 20_000;

    public string Id => "html";
    public string Description => "self-contained HTML report (no script, no external resources)";
    public string FileExtension => ".html";

    public void Write(Evaluation evaluation, Stream output)
    {
        var html = new StringBuilder(1 << 16);
        var name = Path.GetFileName(evaluation.Input.Path);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Assay evaluation of ").Append(E(name)).Append("</title>\n<style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24;max-width:1400px}h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ccd;padding-bottom:.2em}")
            .Append("table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #dde;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f4f8}")
            .Append("code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}.sev{font-weight:600;padding:0 .4em;border-radius:3px}")
            .Append(".critical{background:#7a0010;color:#fff}.high{background:#d1242f;color:#fff}.medium{background:#f0b400}.low{background:#5d8fd6;color:#fff}.info,.none{background:#ddd}")
            .Append(".pass{color:#1a7f37}.fail{color:#d1242f;font-weight:600}.not-testable,.not-checked{color:#666}.banner{padding:.5em 1em;border-radius:6px;font-weight:600}.banner.complete{background:#e6f4ea;color:#1a7f37}.banner.incomplete,.banner.not_understood{background:#fde7e9;color:#a40e26}ul.tree{list-style:none;padding-left:1.2em}ul.tree li::before{content:'└ ';color:#999}")
            .Append(".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #dde;border-radius:6px;padding:.6em 1em;min-width:9em}.card b{font-size:1.4em;display:block}</style></head><body>\n");
        html.Append("<h1>Assay evaluation of ").Append(E(name)).Append("</h1>\n<p class=\"mono\">").Append(E(evaluation.Input.Path)).Append("<br>size ")
            .Append(evaluation.Input.Size.ToString("N0", CultureInfo.InvariantCulture)).Append(" bytes · sha256 ").Append(E(evaluation.Input.Sha256))
            .Append("<br>").Append(E(evaluation.Tool.Name)).Append(' ').Append(E(evaluation.Tool.Version)).Append(" · ").Append(E(evaluation.FinishedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</p>\n");

        Banner(html, evaluation.Completeness);
        Cards(html, evaluation);
        FormatTree(html, evaluation);
        Components(html, evaluation);
        Vulnerabilities(html, evaluation);
        Findings(html, evaluation);
        Requirements(html, evaluation);
        Regions(html, evaluation);
        Errors(html, evaluation);
        Files(html, evaluation);
        html.Append("</body></html>\n");
        var bytes = Encoding.UTF8.GetBytes(html.ToString());
        output.Write(bytes);
    }

    private static void Cards(StringBuilder html, Evaluation e)
    {
        html.Append("<div class=\"cards\">");
        Card(html, "entries", e.Files.Count);
        Card(html, "ELF files", e.Files.Count(f => f.Type?.Class == "elf"));
        Card(html, "components", e.Components.Count);
        Card(html, "vulnerabilities", e.Vulnerabilities.Count);
        Card(html, "critical + high findings", e.Findings.Count(f => f.Severity >= Severity.High));
        Card(html, "errors", e.Errors.Count);
        html.Append("</div>\n");
    }

    private static void Card(StringBuilder html, string label, int value) =>
        html.Append("<div class=\"card\"><b>").Append(value.ToString("N0", CultureInfo.InvariantCulture)).Append("</b>").Append(E(label)).Append("</div>");

    private static void FormatTree(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Formats</h2>\n");
        var containers = e.Files.Where(f => f.Format is not null).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (containers.Count == 0)
        {
            html.Append("<p>No container format recognised.</p>\n");
            return;
        }
        var children = containers.GroupBy(c => Parent(c.Path, containers) ?? "").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        void Add(string parent)
        {
            if (!children.TryGetValue(parent, out var list))
                return;
            html.Append("<ul class=\"tree\">");
            foreach (var c in list)
            {
                html.Append("<li><code>").Append(E(Last(c.Path))).Append("</code> — ").Append(E(c.Type?.Description ?? c.Format!));
                Add(c.Path);
                html.Append("</li>");
            }
            html.Append("</ul>");
        }
        Add("");
        html.Append('\n');
    }

    private static void Components(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Components</h2>\n");
        if (e.Components.Count == 0)
        {
            html.Append("<p>None identified.</p>\n");
            return;
        }
        html.Append("<table><tr><th>component</th><th>version</th><th>type</th><th>support</th><th>location</th><th>identifiers</th></tr>\n");
        foreach (var c in e.Components)
        {
            var support = c.Support is { } s ? (s.Supported ? "supported" : $"<span class=\"fail\">ended{(s.EndOfSupport is { } d ? " " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}</span>") : "";
            html.Append("<tr><td>").Append(E(c.Name)).Append("</td><td>").Append(E(c.Version)).Append("</td><td>").Append(E(c.Type)).Append("</td><td>").Append(support)
                .Append("</td><td class=\"mono\">").Append(E(c.Location)).Append("</td><td class=\"mono\">").Append(E(c.Purl ?? "")).Append(c.Cpe is null ? "" : "<br>" + E(c.Cpe)).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Vulnerabilities(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Known vulnerabilities</h2>\n");
        if (e.Vulnerabilities.Count == 0)
        {
            html.Append("<p>None matched (or no vulnerability database was used).</p>\n");
            return;
        }
        html.Append("<p>Ordered by exploitation: listed in CISA's Known Exploited Vulnerabilities catalog first, then by EPSS probability, then severity.</p>\n");
        html.Append("<table><tr><th>id</th><th>exploited (KEV)</th><th>EPSS</th><th>severity</th><th>CVSS v3.1</th><th>CVSS v4.0</th><th>component</th><th>VEX</th><th>why it matched</th></tr>\n");
        foreach (var v in VulnerabilityOrder.ByExploitation(e.Vulnerabilities))
        {
            var kev = v.Kev is { } k
                ? $"<strong>{E(VulnerabilityOrder.KevLabel(v))}</strong> added {k.DateAdded.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" + (k.DueDate is { } due ? $", due {due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : "")
                : "";
            html.Append("<tr><td>").Append(E(v.Id)).Append("</td><td>").Append(kev).Append("</td><td>").Append(v.Epss is null ? "" : E(VulnerabilityOrder.EpssLabel(v)))
                .Append("</td><td>").Append(Badge(v.Severity)).Append("</td><td>")
                .Append(v.CvssV31Score?.ToString("0.0", CultureInfo.InvariantCulture) ?? "").Append("</td><td>")
                .Append(v.CvssV40Score?.ToString("0.0", CultureInfo.InvariantCulture) ?? "").Append("</td><td>").Append(E($"{v.Component} {v.Version}"))
                .Append(v.MayBeBackported ? " <small>(distribution package: fix may be back-ported)</small>" : "").Append("</td><td>").Append(E(v.VexState ?? ""))
                .Append("</td><td class=\"mono\">").Append(E(v.MatchedBy ?? "")).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Findings(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Findings</h2>\n");
        if (e.Findings.Count == 0)
        {
            html.Append("<p>None.</p>\n");
            return;
        }
        html.Append("<table><tr><th>severity</th><th>rule</th><th>finding</th><th>where</th><th>evidence</th><th>TS 33.117</th></tr>\n");
        foreach (var f in e.Findings.OrderByDescending(f => f.Severity).ThenBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(Badge(f.Severity)).Append("</td><td><code>").Append(E(f.RuleId)).Append("</code></td><td>").Append(E(f.Title))
                .Append("</td><td class=\"mono\">").Append(E(f.Path)).Append(f.Line is { } l ? $":{l}" : "").Append("</td><td class=\"mono\">").Append(E(f.Evidence ?? ""))
                .Append("</td><td>").Append(E(string.Join(", ", f.Requirements))).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>The TS 33.117 table from the analyzers' summary (typed, or JSON read back from disk).</summary>
    private static void Requirements(StringBuilder html, Evaluation e)
    {
        var rows = RequirementTable.Read(e);
        if (rows.Count == 0)
            return;
        html.Append("<h2>3GPP TS 33.117 requirements</h2>\n<table><tr><th>clause</th><th>requirement</th><th>status</th><th>checks ran</th><th>rules that failed</th></tr>\n");
        foreach (var row in rows)
        {
            html.Append("<tr><td>").Append(E(row.Section)).Append("</td><td>").Append(E(row.Title)).Append("</td><td class=\"").Append(E(row.Status)).Append("\">")
                .Append(E(row.Status)).Append("</td><td>").Append(row.Status is "pass" or "fail" ? row.Checks.ToString(CultureInfo.InvariantCulture) : "")
                .Append("</td><td><code>").Append(E(string.Join(", ", row.FailedRules))).Append("</code></td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Regions(StringBuilder html, Evaluation e)
    {
        var regions = e.Chunks.Where(c => c.Format is "unknown" or "padding").ToList();
        if (regions.Count == 0)
            return;
        html.Append("<h2>Unrecognised regions and padding</h2>\n<table><tr><th>where</th><th>offset</th><th>length</th><th>entropy</th><th>note</th></tr>\n");
        foreach (var r in regions)
        {
            html.Append("<tr><td class=\"mono\">").Append(E(r.Path)).Append("</td><td>0x").Append(r.Offset.ToString("x", CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(r.Length.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(r.Entropy?.ToString("0.00", CultureInfo.InvariantCulture) ?? "")
                .Append("</td><td>").Append(E(r.Note ?? r.Format)).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>Whether the input was understood, first thing on the page: an evaluation of an unreadable delivery must not look clean.</summary>
    private static void Banner(StringBuilder html, Completeness completeness)
    {
        var text = completeness.Status switch
        {
            CompletenessStatus.Complete => "Complete: every container Assay recognised was unpacked and inspected.",
            CompletenessStatus.Incomplete => "Incomplete: part of the input could not be unpacked or inspected (" + string.Join("; ", completeness.Reasons) + "); see Errors.",
            _ => "Not understood: " + string.Join("; ", completeness.Reasons) + ". Nothing in this evaluation describes the delivery's content.",
        };
        html.Append("<p class=\"banner ").Append(completeness.Name).Append("\">").Append(E(text)).Append("</p>\n");
    }

    private static void Errors(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Errors</h2>\n");
        if (e.Errors.Count == 0)
        {
            html.Append(e.Completeness.Status == CompletenessStatus.NotUnderstood ? "<p>None, but nothing was recognised (see above).</p>\n" : "<p>None: everything recognised was unpacked.</p>\n");
            return;
        }
        html.Append("<table><tr><th>category</th><th>where</th><th>by</th><th>message</th></tr>\n");
        foreach (var x in e.Errors)
        {
            html.Append("<tr><td>").Append(E(x.Category.ToName())).Append("</td><td class=\"mono\">").Append(E(x.Path)).Append(x.Offset is { } o ? $" @0x{o:x}" : "")
                .Append("</td><td>").Append(E(x.Handler)).Append("</td><td>").Append(E(x.Message)).Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void Files(StringBuilder html, Evaluation e)
    {
        html.Append("<h2>Files</h2>\n<details><summary>").Append(e.Files.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" entries</summary>\n")
            .Append("<table><tr><th>path</th><th>kind</th><th>mode</th><th>size</th><th>type</th><th>sha256 / target</th></tr>\n");
        foreach (var f in e.Files.Take(MaxFileRows))
        {
            html.Append("<tr><td class=\"mono\">").Append(E(f.Path)).Append("</td><td>").Append(E(f.Kind.ToName())).Append("</td><td>").Append(E(f.Mode ?? ""))
                .Append("</td><td>").Append(f.Size?.ToString(CultureInfo.InvariantCulture) ?? "").Append("</td><td>").Append(E(f.Type?.Description ?? ""))
                .Append("</td><td class=\"mono\">").Append(E(f.Target is not null ? "→ " + f.Target : f.Sha256 ?? "")).Append("</td></tr>\n");
        }
        html.Append("</table>");
        if (e.Files.Count > MaxFileRows)
            html.Append("<p>… ").Append(e.Files.Count - MaxFileRows).Append(" more in the JSON evaluation.</p>");
        html.Append("</details>\n");
    }

    private static string Badge(Severity s) => $"<span class=\"sev {s.ToString().ToLowerInvariant()}\">{s.ToString().ToLowerInvariant()}</span>";

    private static string? Parent(string path, List<FileRecord> containers)
    {
        for (var i = path.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal); i > 0; i = path.LastIndexOf(VirtualPath.Separator, i - 1, StringComparison.Ordinal))
        {
            var candidate = path[..i];
            if (containers.Exists(c => c.Path == candidate))
                return candidate;
        }
        return null;
    }

    private static string Last(string path)
    {
        var i = path.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal);
        return i < 0 ? path : path[(i + 2)..];
    }

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
}
