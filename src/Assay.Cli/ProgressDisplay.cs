using Assay.Core.Pipeline;
using Spectre.Console;

namespace Assay.Cli;

/// <summary>
/// Progress of a long scan on standard error: a live Spectre.Console status on a terminal, plain
/// lines every few seconds otherwise (CI logs), nothing on stdout (which may carry the report).
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static T Run<T>(ScanProgress progress, string input, Func<T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!Console.IsErrorRedirected && console.Profile.Capabilities.Interactive)
        {
            return console.Progress()
                .AutoClear(true)
                .HideCompleted(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(Assay.Reports.SummaryReportWriter.Printable(Describe(progress, input))), maxValue: 1);
                    task.IsIndeterminate = true;
                    var job = Task.Run(work);
                    while (!job.Wait(150))
                    {
                        task.Description = Markup.Escape(Assay.Reports.SummaryReportWriter.Printable(Describe(progress, input)));
                        ctx.Refresh();
                    }
                    task.Value = 1;
                    return job.GetAwaiter().GetResult();
                });
        }
        var started = DateTime.UtcNow;
        var running = Task.Run(work);
        while (!running.Wait(PlainInterval))
            Console.Error.WriteLine($"assay: {(DateTime.UtcNow - started).TotalSeconds:0}s {Assay.Reports.SummaryReportWriter.Printable(Describe(progress, input))}");
        return running.GetAwaiter().GetResult();
    }

    private static string Describe(ScanProgress p, string input)
    {
        var current = p.Current is { } c ? Shorten(c, 60) : Path.GetFileName(input);
        var cached = p.FromCache > 0 ? $" ({p.FromCache:N0} from the cache)" : "";
        return $"scanning {current}: {p.Files:N0} files{cached}, {p.BytesHashed / 1048576.0:N0} MB, {p.Containers:N0} containers";
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];
}
