using System.Globalization;
using Assay.Core.Model;
using Assay.History.Diff;
using Assay.Reports;
using Spectre.Console;

namespace Assay.History.Reports;

/// <summary>
/// The terminal summary of a release diff, what got worse first: vulnerabilities introduced, new
/// findings, hardening and TS 33.117 regressions; then what got better; then what merely changed
/// (components, files). Long lists are cut with a count of the rest (the JSON has everything).
/// </summary>
public sealed class DiffSummaryWriter : IDiffReportWriter
{
    private const int MaxRows = 20;

    public string Id => "summary";
    public string Description => "human-readable terminal summary, what got worse first (default)";
    public string FileExtension => ".txt";

    /// <summary>Colors and width when writing to a terminal; plain text otherwise.</summary>
    public bool Color { get; init; }
    public int Width { get; init; } = 120;

    public void Write(ReleaseDiffResult diff, Stream output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var console = TerminalConsole.Create(writer, Color, Width);
        Render(diff, console);
        writer.Flush();
    }

    private static void Render(ReleaseDiffResult d, IAnsiConsole c)
    {
        c.Write(new Rule($"[bold]Assay release diff[/] {S(Path.GetFileName(d.Old.Path))} → {S(Path.GetFileName(d.New.Path))}").LeftJustified());
        Side(c, "old", d.Old);
        Side(c, "new", d.New);
        if (d.Old.Errors > 0 || d.New.Errors > 0)
            c.MarkupLine("[yellow]a side has scan errors: what looks removed or added there may only be unread (see each evaluation's errors)[/]");
        c.WriteLine();

        c.Write(new Rule("[bold red]Worse[/]").LeftJustified());
        var worse = 0;
        worse += Vulnerabilities(c, "Vulnerabilities introduced", d.Vulnerabilities.Introduced);
        worse += Findings(c, "New findings", d.Findings.New);
        worse += Findings(c, "Findings that got more severe", [.. d.Findings.Updated.Where(f => f.Severity > f.Was)]);
        worse += Hardening(c, "Hardening regressions", d.Hardening.Regressions);
        worse += Requirements(c, "TS 33.117 requirements now failing", d.Ts33117.Regressions);
        if (worse == 0)
            c.MarkupLine("[green]nothing got worse[/]");
        c.WriteLine();

        c.Write(new Rule("[bold green]Better[/]").LeftJustified());
        var better = 0;
        better += Vulnerabilities(c, "Vulnerabilities resolved", d.Vulnerabilities.Resolved);
        better += Findings(c, "Fixed findings", d.Findings.Fixed);
        better += Findings(c, "Findings that got less severe", [.. d.Findings.Updated.Where(f => f.Severity < f.Was)]);
        better += Hardening(c, "Hardening improvements", d.Hardening.Improvements);
        better += Requirements(c, "TS 33.117 requirements now passing", d.Ts33117.Improvements);
        if (better == 0)
            c.MarkupLine("nothing got better");
        c.WriteLine();

        c.Write(new Rule("[bold]Changed[/]").LeftJustified());
        Components(c, d.Components);
        Files(c, d.Files);
        c.MarkupLine($"[bold]Still there[/]: {d.Findings.Unchanged:N0} findings unchanged, {d.Vulnerabilities.Open.Count:N0} vulnerabilities open");
    }

    private static void Side(IAnsiConsole c, string label, DiffInput i) =>
        c.MarkupLine($"{label}  {S(i.Path)}  [dim]{i.Size:N0} bytes · sha256 {S(i.Sha256.Length > 16 ? i.Sha256[..16] + "…" : i.Sha256)} · {i.Files:N0} entries, {i.Components:N0} components, {i.Findings:N0} findings{(i.Errors > 0 ? $", {i.Errors:N0} errors" : "")}[/]");

    private static int Vulnerabilities(IAnsiConsole c, string title, IReadOnlyList<VulnerabilityChange> items)
    {
        if (items.Count == 0)
            return 0;
        c.MarkupLine($"[bold]{title}[/] {items.Count:N0} ({Counts(items.Select(v => v.Severity))})");
        var table = new Table().Border(TableBorder.Simple).AddColumns("severity", "id", "component", "versions", "copies", "vex");
        foreach (var v in items.Take(MaxRows))
            table.AddRow(Sev(v.Severity), S(v.Id), S(v.Component), S(string.Join(", ", v.Versions)), v.Copies.ToString(CultureInfo.InvariantCulture), S(v.VexState ?? ""));
        c.Write(table);
        More(c, items.Count);
        return items.Count;
    }

    private static int Findings(IAnsiConsole c, string title, IReadOnlyList<FindingRef> items)
    {
        if (items.Count == 0)
            return 0;
        c.MarkupLine($"[bold]{title}[/] {items.Count:N0} ({Counts(items.Select(f => f.Severity))})");
        var table = new Table().Border(TableBorder.Simple).AddColumns("severity", "rule", "where", "what");
        foreach (var f in items.Take(MaxRows))
        {
            var severity = f.Was is { } was ? $"{Sev(was)} → {Sev(f.Severity)}" : Sev(f.Severity);
            table.AddRow(severity, S(f.RuleId), S(Shorten(f.Path, 60) + (f.Line is { } l ? $":{l}" : "")), S(Shorten(f.Title, 70)));
        }
        c.Write(table);
        More(c, items.Count);
        return items.Count;
    }

    private static int Hardening(IAnsiConsole c, string title, IReadOnlyList<HardeningChange> items)
    {
        if (items.Count == 0)
            return 0;
        c.MarkupLine($"[bold]{title}[/] {items.Count:N0} in {items.Select(h => h.Path).Distinct().Count():N0} binaries");
        var table = new Table().Border(TableBorder.Simple).AddColumns("binary", "property", "from", "to");
        foreach (var h in items.Take(MaxRows))
            table.AddRow(S(Shorten(h.Path, 60)), S(h.Property), S(h.From), S(h.To + (h.Functions.Count > 0 ? $" ({string.Join(", ", h.Functions)})" : "")));
        c.Write(table);
        More(c, items.Count);
        return items.Count;
    }

    private static int Requirements(IAnsiConsole c, string title, IReadOnlyList<RequirementChange> items)
    {
        if (items.Count == 0)
            return 0;
        c.MarkupLine($"[bold]{title}[/] {items.Count:N0}");
        foreach (var r in items.Take(MaxRows))
            c.MarkupLine($"  §{S(r.Section)} {S(r.Title)}: {S(r.From)} → {S(r.To)}");
        More(c, items.Count);
        return items.Count;
    }

    private static void Components(IAnsiConsole c, ComponentChanges components)
    {
        c.MarkupLine($"[bold]Components[/]: {components.Changed.Count:N0} changed, {components.Added.Count:N0} added, {components.Removed.Count:N0} removed");
        var rows = components.Changed.Select(x => (x.Name, $"{x.From} → {x.To}", x.Copies))
            .Concat(components.Added.Select(x => (x.Name, $"+ {x.Version}", x.Copies)))
            .Concat(components.Removed.Select(x => (x.Name, $"- {x.Version}", x.Copies))).ToList();
        if (rows.Count == 0)
            return;
        var table = new Table().Border(TableBorder.Simple).AddColumns("component", "version", "copies");
        foreach (var (name, version, copies) in rows.Take(MaxRows))
            table.AddRow(S(name), S(version), copies.ToString(CultureInfo.InvariantCulture));
        c.Write(table);
        More(c, rows.Count);
    }

    private static void Files(IAnsiConsole c, FileChanges files)
    {
        var aspects = files.Changed.SelectMany(f => f.What.Split(", ")).GroupBy(a => a, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
        var counts = string.Join(", ", aspects);
        c.MarkupLine($"[bold]Files[/]: {files.Changed.Count:N0} changed{(counts.Length > 0 ? $" ({S(counts)})" : "")}, {files.Added.Count:N0} added, {files.Removed.Count:N0} removed, {files.Unchanged:N0} unchanged");
        var rows = files.Changed.Where(f => f.Container is null).Select(f => ($"~ {f.Path}", f.What, f.From is null ? "" : $"{f.From} → {f.To}"))
            .Concat(files.Added.Where(f => f.Kind != "dir").Select(f => ($"+ {f.Path}", "added", f.Kind)))
            .Concat(files.Removed.Where(f => f.Kind != "dir").Select(f => ($"- {f.Path}", "removed", f.Kind))).ToList();
        if (rows.Count == 0)
            return;
        var table = new Table().Border(TableBorder.Simple).AddColumns("entry", "what", "detail");
        foreach (var (path, what, detail) in rows.Take(MaxRows))
            table.AddRow(S(Shorten(path, 80)), S(what), S(detail));
        c.Write(table);
        More(c, rows.Count);
    }

    private static void More(IAnsiConsole c, int count)
    {
        if (count > MaxRows)
            c.MarkupLine($"  [dim]… and {count - MaxRows:N0} more (-f json or -f html lists all)[/]");
    }

    private static string Counts(IEnumerable<Severity> severities) =>
        string.Join(", ", severities.GroupBy(s => s).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static string Sev(Severity s)
    {
        var name = s.ToString().ToLowerInvariant();
        return s switch
        {
            Severity.Critical => $"[bold red]{name}[/]",
            Severity.High => $"[red]{name}[/]",
            Severity.Medium => $"[yellow]{name}[/]",
            _ => name,
        };
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];

    /// <summary>Names from a vendor image must not drive the terminal: markup-escaped, control characters shown as \xNN.</summary>
    private static string S(string text) => SummaryReportWriter.Safe(text);
}
