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
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = Color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        Render(evaluation, console);
        writer.Flush();
    }

    private static void Render(Evaluation e, IAnsiConsole console)
    {
        console.Write(new Rule($"[bold]Assay evaluation[/] of {Markup.Escape(Path.GetFileName(e.Input.Path))}").LeftJustified());
        console.MarkupLine($"size {e.Input.Size:N0} bytes   sha256 {e.Input.Sha256}");
        console.WriteLine();

        console.Write(new Rule("[bold]Formats[/]").LeftJustified());
        console.Write(FormatTree(e));
        console.WriteLine();

        var kinds = e.Files.GroupBy(f => f.Kind.ToName()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
        var types = e.Files.Where(f => f.Type is not null).GroupBy(f => f.Type!.Class).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}");
        console.MarkupLine($"[bold]Entries[/] {e.Files.Count:N0}: {Markup.Escape(string.Join(", ", kinds))}");
        console.MarkupLine($"[bold]File types[/]: {Markup.Escape(string.Join(", ", types))}");
        var elf = e.Files.Where(f => f.Type?.Class == "elf").GroupBy(f => f.Type!.Arch ?? "?").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        if (elf.Any())
            console.MarkupLine($"[bold]ELF by architecture[/]: {Markup.Escape(string.Join(", ", elf))}");
        console.WriteLine();

        var regions = e.Chunks.Where(c => c.Format is "unknown").OrderByDescending(c => c.Length).Take(MaxRegions).ToList();
        if (regions.Count > 0)
        {
            console.Write(new Rule("[bold]Unrecognised regions[/]").LeftJustified());
            var table = new Table().Border(TableBorder.Simple).AddColumns("where", "offset", "length", "entropy", "note");
            foreach (var r in regions)
                table.AddRow(Markup.Escape(Shorten(r.Path, 50)), $"0x{r.Offset:x}", r.Length.ToString("N0", CultureInfo.InvariantCulture), r.Entropy?.ToString("0.00", CultureInfo.InvariantCulture) ?? "", Markup.Escape(r.Note ?? ""));
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
                table.AddRow(Markup.Escape(g.Key), g.Count().ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", versions.Take(6)) + (versions.Count > 6 ? ", …" : "")), eol);
            }
            console.Write(table);
            console.MarkupLine($"{e.Components.Count:N0} components ({e.Components.Select(c => c.Name).Distinct().Count():N0} distinct)");
            console.WriteLine();
        }

        if (e.Vulnerabilities.Count > 0)
        {
            console.Write(new Rule("[bold]Known vulnerabilities[/]").LeftJustified());
            console.MarkupLine(SeverityLine(e.Vulnerabilities.Select(v => v.Severity)));
            foreach (var v in e.Vulnerabilities.OrderByDescending(v => v.Severity).ThenByDescending(v => v.CvssV31Score).ThenBy(v => v.Id, StringComparer.Ordinal).Take(10))
                console.MarkupLine($"  {Badge(v.Severity)} {Markup.Escape(v.Id)} {Markup.Escape(v.Component)} {Markup.Escape(v.Version)}{(v.VexState is { } s ? $" [dim](VEX: {Markup.Escape(s)})[/]" : "")}");
            console.WriteLine();
        }

        if (e.Findings.Count > 0)
        {
            console.Write(new Rule("[bold]Findings[/]").LeftJustified());
            console.MarkupLine(SeverityLine(e.Findings.Select(f => f.Severity)));
            foreach (var g in e.Findings.GroupBy(f => (f.RuleId, f.Severity, f.Title)).OrderByDescending(g => g.Key.Severity).ThenBy(g => g.Key.RuleId, StringComparer.Ordinal).Take(25))
                console.MarkupLine($"  {Badge(g.Key.Severity)} {Markup.Escape(g.Key.RuleId)} {Markup.Escape(g.Key.Title)} ({g.Count()}x){(g.Count() == 1 ? $" [dim]{Markup.Escape(VirtualPath.Inner(g.First().Path))}[/]" : "")}");
            console.WriteLine();
        }

        console.Write(new Rule($"[bold]Errors[/] ({e.Errors.Count})").LeftJustified());
        if (e.Errors.Count == 0)
        {
            console.MarkupLine("none: everything recognised was unpacked");
        }
        else
        {
            foreach (var error in e.Errors.Take(MaxErrors))
                console.MarkupLine($"  [yellow]{Markup.Escape(error.Category)}[/] {Markup.Escape(Shorten(error.Path, 60))} [dim]{Markup.Escape(error.Handler)}[/]: {Markup.Escape(error.Message)}");
            if (e.Errors.Count > MaxErrors)
                console.MarkupLine($"  … and {e.Errors.Count - MaxErrors} more (see -f json)");
        }
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
        var text = Markup.Escape(Shorten(name, 70));
        if (containers.TryGetValue(path, out var file))
        {
            entries.TryGetValue(path, out var count);
            text += $" [green]{Markup.Escape(file.Type?.Description ?? file.Format!)}[/]";
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
}
