using System.Globalization;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Assay.Reports;

/// <summary>
/// The terminal summary: what the input is, the nesting of formats, counts by kind and type,
/// regions nobody recognised, what the catalog, analyzers and matcher found, and what could not
/// be unpacked and why.
/// </summary>
public sealed class SummaryReportWriter : IReportWriter
{
    private const int MaxTreeChildren = 25;
    private const int MaxErrors = 15;
    private const int MaxRegions = 10;

    public string Id => "summary";
    public string Description => "human-readable terminal summary (default)";
    public string FileExtension => ".txt";

    /// <summary>Colors and width when writing to a terminal; plain text otherwise.</summary>
    public bool Color { get; init; }
    public int Width { get; init; } = 120;

    public void Write(Evaluation evaluation, Stream output)
    {
        using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var console = TerminalConsole.Create(writer, Color, Width);
        // numbers as the other reports write them (29,295 under any culture): the output is compared and parsed
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            Render(evaluation, console);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
        writer.Flush();
    }

    private static void Render(Evaluation e, IAnsiConsole console)
    {
        console.Write(new Rule($"[bold]Assay evaluation[/] of {Safe(Path.GetFileName(e.Input.Path))}").LeftJustified());
        console.MarkupLine($"size {e.Input.Size:N0} bytes   sha256 {e.Input.Sha256}");
        var completeness = e.Completeness;
        console.MarkupLine(completeness.Status switch
        {
            CompletenessStatus.Complete => "[green]complete[/]: every container Assay recognised was unpacked and inspected",
            CompletenessStatus.Incomplete => $"[white on red] INCOMPLETE [/] part of the input could not be unpacked or inspected: {Safe(string.Join("; ", completeness.Reasons))} (see Errors)",
            _ => $"[white on red] NOT UNDERSTOOD [/] {Safe(string.Join("; ", completeness.Reasons))}: nothing below describes the delivery's content",
        });
        console.WriteLine();

        console.Write(new Rule("[bold]Formats[/]").LeftJustified());
        console.Write(FormatTree(e));
        console.WriteLine();

        var kinds = e.Files.GroupBy(f => f.Kind.ToName()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
        var types = e.Files.Where(f => f.Type is not null).GroupBy(f => f.Type!.Class).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
        console.MarkupLine($"[bold]Entries[/] {e.Files.Count:N0}: {Safe(string.Join(", ", kinds))}");
        console.MarkupLine($"[bold]File types[/]: {Safe(string.Join(", ", types))}");
        var elf = e.Files.Where(f => f.Type?.Class == "elf").GroupBy(f => f.Type!.Arch ?? "?").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        if (elf.Any())
            console.MarkupLine($"[bold]ELF by architecture[/]: {Safe(string.Join(", ", elf))}");
        console.WriteLine();

        var regions = e.Chunks.Where(c => c.Format is "unknown").OrderByDescending(c => c.Length).Take(MaxRegions).ToList();
        if (regions.Count > 0)
        {
            console.Write(new Rule("[bold]Unrecognised regions[/]").LeftJustified());
            var table = new Table().Border(TableBorder.Simple).AddColumns("where", "offset", "length", "entropy", "note");
            foreach (var r in regions)
                table.AddRow(Safe(Shorten(r.Path, 50)), $"0x{r.Offset:x}", r.Length.ToString("N0", CultureInfo.InvariantCulture), r.Entropy?.ToString("0.00", CultureInfo.InvariantCulture) ?? "", Safe(r.Note ?? ""));
            console.Write(table);
        }

        if (e.Components.Count > 0)
        {
            console.Write(new Rule("[bold]Components[/]").LeftJustified());
            var byName = e.Components.GroupBy(c => c.Name).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(20);
            var table = new Table().Border(TableBorder.Simple).AddColumns("component", "copies", "versions", "end of support");
            foreach (var g in byName)
            {
                var versions = g.Select(c => c.Version).Distinct().OrderBy(v => v, StringComparer.Ordinal).ToList();
                var eol = g.Any(c => c.Support is { Supported: false }) ? "[red]unsupported[/]" : "";
                table.AddRow(Safe(g.Key), g.Count().ToString(CultureInfo.InvariantCulture), Safe(string.Join(", ", versions.Take(6)) + (versions.Count > 6 ? ", …" : "")), eol);
            }
            console.Write(table);
            console.MarkupLine($"{e.Components.Count:N0} components ({e.Components.Select(c => c.Name).Distinct().Count():N0} distinct)");
            console.WriteLine();
        }

        if (e.Vulnerabilities.Count > 0)
        {
            console.Write(new Rule("[bold]Known vulnerabilities[/]").LeftJustified());
            console.MarkupLine(SeverityLine(e.Vulnerabilities.Select(v => v.Severity)));
            var exploited = e.Vulnerabilities.Where(v => v.Kev is not null).Select(v => v.Id).Distinct().Count();
            if (exploited > 0)
                console.MarkupLine($"[bold red]{exploited} known exploited[/] (CISA KEV)");
            // Exploited first (KEV, then EPSS), then severity: what to fix first.
            foreach (var v in VulnerabilityOrder.ByExploitation(e.Vulnerabilities).Take(10))
            {
                var kev = v.Kev is { } k ? $" [bold red]{VulnerabilityOrder.KevLabel(v)}[/] [dim](added {k.DateAdded:yyyy-MM-dd}{(k.DueDate is { } due ? $", due {due:yyyy-MM-dd}" : "")})[/]" : "";
                var epss = v.Epss is not null ? $" [dim]EPSS {Safe(VulnerabilityOrder.EpssLabel(v))}[/]" : "";
                console.MarkupLine($"  {Badge(v.Severity)} {Safe(v.Id)} {Safe(v.Component)} {Safe(v.Version)}{kev}{epss}{(v.VexState is { } s ? $" [dim](VEX: {Safe(s)})[/]" : "")}");
            }
            console.WriteLine();
        }

        if (e.PlatformConditional.Count > 0)
        {
            console.MarkupLine($"[dim]{e.PlatformConditional.Count:N0} more apply only on a platform not among the components (not counted):[/]");
            foreach (var v in e.PlatformConditional.OrderBy(v => v.Id, StringComparer.Ordinal).Take(5))
                console.MarkupLine($"  [dim]{Safe(v.Id)} {Safe(v.Component)} {Safe(v.Version)}: applies only on {Safe(v.AppliesOnlyOn ?? "?")}[/]");
            console.WriteLine();
        }

        if (e.Findings.Count > 0)
        {
            console.Write(new Rule("[bold]Findings[/]").LeftJustified());
            console.MarkupLine(SeverityLine(e.Findings.Select(f => f.Severity)));
            foreach (var g in e.Findings.GroupBy(f => (f.RuleId, f.Severity, f.Title)).OrderByDescending(g => g.Key.Severity).ThenBy(g => g.Key.RuleId, StringComparer.Ordinal).Take(25))
                console.MarkupLine($"  {Badge(g.Key.Severity)} {Safe(g.Key.RuleId)} {Safe(g.Key.Title)} ({g.Count()}x){(g.Count() == 1 ? $" [dim]{Safe(VirtualPath.Inner(g.First().Path))}[/]" : "")}");
            console.WriteLine();
        }

        Requirements(e, console);

        console.Write(new Rule($"[bold]Errors[/] ({e.Errors.Count})").LeftJustified());
        if (e.Errors.Count == 0)
        {
            console.MarkupLine(completeness.Status == CompletenessStatus.NotUnderstood
                ? "none, but nothing in the input was recognised (see above)"
                : "none: everything recognised was unpacked");
        }
        else
        {
            foreach (var error in e.Errors.Take(MaxErrors))
                console.MarkupLine($"  [yellow]{Safe(error.Category.ToName())}[/] {Safe(Shorten(error.Path, 60))} [dim]{Safe(error.Handler)}[/]: {Safe(error.Message)}");
            if (e.Errors.Count > MaxErrors)
                console.MarkupLine($"  … and {e.Errors.Count - MaxErrors} more (see -f json)");
        }
    }

    /// <summary>
    /// The TS 33.117 table: failing clauses with their rules, passed clauses with the number of
    /// checks that ran, then the clauses nothing in the image let Assay check and those that need
    /// the running product.
    /// </summary>
    private static void Requirements(Evaluation e, IAnsiConsole console)
    {
        var rows = RequirementTable.Read(e);
        if (rows.Count == 0)
            return;
        console.Write(new Rule("[bold]3GPP TS 33.117[/] (Rel-16 clause numbering)").LeftJustified());
        int Count(string status) => rows.Count(r => r.Status == status);
        console.MarkupLine($"[red]failed {Count("fail")}[/]   [green]passed {Count("pass")}[/] (checks ran, nothing failed)   not checked {Count("not-checked")} (nothing in the image to examine)   not testable from an image {Count("not-testable")}");
        var shown = rows.Where(r => r.Status is "fail" or "pass").OrderBy(r => r.Status == "fail" ? 0 : 1).ToList();
        if (shown.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumns("clause", "requirement", "status");
            foreach (var r in shown)
            {
                var status = r.Status == "fail"
                    ? $"[red]failed[/]: {Safe(string.Join(", ", r.FailedRules))}"
                    : $"[green]passed[/] ({r.Checks:N0} checks ran)";
                table.AddRow(Safe(r.Section), Safe(Shorten(r.Title, 70)), status);
            }
            console.Write(table);
        }
        var notChecked = rows.Where(r => r.Status == "not-checked").Select(r => r.Section).ToList();
        if (notChecked.Count > 0)
            console.MarkupLine($"[dim]not checked: {Safe(string.Join(", ", notChecked))}[/]");
        console.WriteLine();
    }

    private static Tree FormatTree(Evaluation e)
    {
        var containers = e.Files.Where(f => f.Format is not null).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var entriesByContainer = e.Files.GroupBy(f => Parent(f.Path) ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var rootPath = e.Files.FirstOrDefault(f => Parent(f.Path) is null)?.Path ?? Path.GetFileName(e.Input.Path);
        var tree = new Tree(Label(rootPath, containers, entriesByContainer, isRoot: true));
        var children = containers.Keys.Where(p => p != rootPath).GroupBy(p => NearestContainer(p, containers) ?? rootPath).ToDictionary(g => g.Key, g => g.OrderBy(x => x, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        Add(tree, rootPath);
        return tree;

        void Add(IHasTreeNodes node, string path)
        {
            if (!children.TryGetValue(path, out var list))
                return;
            foreach (var child in list.Take(MaxTreeChildren))
            {
                var sub = node.AddNode(Label(child, containers, entriesByContainer, isRoot: false));
                Add(sub, child);
            }
            if (list.Count > MaxTreeChildren)
                node.AddNode($"[dim]… {list.Count - MaxTreeChildren} more containers[/]");
        }
    }

    private static IRenderable Label(string path, Dictionary<string, FileRecord> containers, Dictionary<string, int> entries, bool isRoot)
    {
        var name = isRoot ? path : path[(path.LastIndexOf("!/", StringComparison.Ordinal) + 2)..];
        var text = Safe(Shorten(name, 70));
        if (containers.TryGetValue(path, out var file))
        {
            entries.TryGetValue(path, out var count);
            text += $" [green]{Safe(file.Type?.Description ?? file.Format!)}[/]";
            if (count > 0)
                text += $" [dim]({count:N0} entries)[/]";
        }
        return new Markup(text);
    }

    /// <summary>The virtual path of the container an entry was unpacked from, or null for the input.</summary>
    private static string? Parent(string path)
    {
        var i = path.LastIndexOf("!/", StringComparison.Ordinal);
        return i < 0 ? null : path[..i];
    }

    private static string? NearestContainer(string path, Dictionary<string, FileRecord> containers)
    {
        for (var p = Parent(path); p is not null; p = Parent(p))
        {
            if (containers.ContainsKey(p))
                return p;
        }
        return null;
    }

    private static string SeverityLine(IEnumerable<Severity> severities)
    {
        var counts = severities.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        return string.Join("  ", new[] { Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Info }
            .Select(s => $"{Badge(s)} {counts.GetValueOrDefault(s)}"));
    }

    private static string Badge(Severity s) => s switch
    {
        Severity.Critical => "[white on red]critical[/]",
        Severity.High => "[red]high[/]",
        Severity.Medium => "[yellow]medium[/]",
        Severity.Low => "[blue]low[/]",
        _ => "[dim]info[/]",
    };

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];

    /// <summary>Markup-escaped, with control characters (C0, DEL, C1) shown as \xNN: names from a vendor image must not drive the analyst's terminal.</summary>
    internal static string Safe(string text) => Markup.Escape(Printable(text));

    internal static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
            return text;
        var sb = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c < ' ' || (c >= '\u007f' && c <= '\u009f'))
                sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
