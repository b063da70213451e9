using System.Globalization;
using Assay.History.Build;
using Assay.Reports;
using Spectre.Console;

namespace Assay.History.Reports;

/// <summary>
/// The terminal summary of a build verification: the verdict first, the inputs, counts per status,
/// what each normalisation set aside, then every entry that is not identical, with the ELF sections
/// that differ (so a reader sees at once whether code changed or only debug information) or the
/// differing byte ranges.
/// </summary>
public sealed class VerifySummaryWriter : IVerifyReportWriter
{
    private const int MaxRows = 40;
    private const int MaxRanges = 4;

    public string Id => "summary";
    public string Description => "human-readable terminal summary, the verdict first (default)";
    public string FileExtension => ".txt";

    /// <summary>Colors and width when writing to a terminal; plain text otherwise.</summary>
    public bool Color { get; init; }
    public int Width { get; init; } = 120;

    public void Write(VerifyResult result, Stream output)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var console = TerminalConsole.Create(writer, Color, Width);
        Render(result, console);
        writer.Flush();
    }

    private static void Render(VerifyResult r, IAnsiConsole c)
    {
        var verdict = r.Verdict == VerifyResult.Reproducible ? "[bold green]reproducible[/]" : "[bold red]not reproducible[/]";
        c.Write(new Rule($"[bold]Assay build verification[/]: {verdict}").LeftJustified());
        c.MarkupLine($"delivered  {S(r.Delivered.Path)}  [dim]{r.Delivered.Size:N0} bytes · sha256 {S(r.Delivered.Sha256)} · tree {S(r.Delivered.Root)}[/]");
        c.MarkupLine($"rebuilt    {S(r.Rebuilt.Path)}  [dim]{r.Rebuilt.Size:N0} bytes · sha256 {S(r.Rebuilt.Sha256)} · tree {S(r.Rebuilt.Root)}[/]");
        c.MarkupLine($"normalised {(r.Normalisations.Count == 0 ? "nothing (strict)" : S(string.Join(", ", r.Normalisations)))}");
        c.MarkupLine($"entries    {string.Join(", ", r.Counts.Where(kv => kv.Value > 0).Select(kv => $"{kv.Value:N0} {kv.Key}"))}");
        c.MarkupLine($"unexplained bytes {r.UnexplainedBytes:N0}");
        if (!r.Complete)
            c.MarkupLine($"[yellow]incomplete: the scans reported errors ({r.Delivered.Errors:N0} delivered, {r.Rebuilt.Errors:N0} rebuilt); what was not read was not compared[/]");
        if (r.Normalised.Any(kv => kv.Value > 0))
            c.MarkupLine($"set aside  {S(string.Join(", ", r.Normalised.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} in {kv.Value:N0} entries")))}");
        c.WriteLine();

        var shown = r.Files.Where(f => f.Status != FileVerdict.Identical).OrderBy(f => Rank(f.Status)).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (shown.Count == 0)
        {
            c.MarkupLine("[green]every entry is identical[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("status", "entry", "what", "detail");
        foreach (var f in shown.Take(MaxRows))
            table.AddRow(Status(f.Status), S(Shorten(f.Path, 60)), S(string.Join(", ", f.What)), S(Detail(f)));
        c.Write(table);
        if (shown.Count > MaxRows)
            c.MarkupLine($"  [dim]… and {shown.Count - MaxRows:N0} more (-f json lists every entry)[/]");
    }

    private static string Detail(FileVerdict f)
    {
        var parts = new List<string>();
        var sections = f.Sections.Where(s => s.Status is not (FileVerdict.Identical or FileVerdict.Normalised)).ToList();
        if (sections.Count > 0)
        {
            parts.Add((f.Sections.Any(s => s.Status == FileVerdict.Identical) ? "differ: " : "") +
                      string.Join(", ", sections.Select(s => s.Status == FileVerdict.Differs ? s.Name : $"{s.Name} ({s.Status})")));
            var same = f.Sections.Where(s => s.Status == FileVerdict.Identical).Select(s => s.Name).Where(n => n is ".text" or ".rodata" or ".data").ToList();
            if (same.Count > 0)
                parts.Add("identical: " + string.Join(", ", same));
        }
        if (f.Ranges.Count > 0)
        {
            parts.Add("bytes " + string.Join(", ", f.Ranges.Take(MaxRanges).Select(r => string.Create(CultureInfo.InvariantCulture, $"0x{r.Offset:x}+{r.Length}")))
                + (f.Ranges.Count > MaxRanges ? $" (+{f.Ranges.Count - MaxRanges} ranges)" : ""));
        }
        parts.AddRange(f.NormalisedBy.Select(n => $"{n.Normalisation}: {n.Detail}"));
        if (f.UnexplainedBytes > 0)
            parts.Add($"{f.UnexplainedBytes:N0} unexplained bytes");
        if (f.Note is { } note)
            parts.Add(note);
        return string.Join("; ", parts);
    }

    private static int Rank(string status) => status switch
    {
        FileVerdict.Differs => 0,
        FileVerdict.OnlyDelivered => 1,
        FileVerdict.OnlyRebuilt => 2,
        _ => 3,
    };

    private static string Status(string status) => status switch
    {
        FileVerdict.Differs => "[red]differs[/]",
        FileVerdict.OnlyDelivered or FileVerdict.OnlyRebuilt => $"[red]{status}[/]",
        FileVerdict.Normalised => "[yellow]normalised[/]",
        _ => status,
    };

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];

    private static string S(string text) => SummaryReportWriter.Safe(text);
}
