using System.CommandLine;
using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Cli.Commands;

/// <summary><c>assay scan IMAGE</c>: unpack a vendor delivery and evaluate it.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var binder = new ScanOptionsBinder();
        var format = new Option<string>("--format", "-f")
        {
            Description = $"Report format: {string.Join(", ", ReportWriters.All.Select(w => w.Id))}.",
            DefaultValueFactory = _ => "summary",
        };
        format.AcceptOnlyFromAmong([.. ReportWriters.All.Select(w => w.Id)]);
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the report to this file (default: standard output)." };
        var extract = new Option<DirectoryInfo?>("--extract") { Description = "Also write the unpacked tree into this folder (created if absent); nothing is written outside it, links are never followed." };
        var failOn = new Option<string?>("--fail-on") { Description = "Exit with 1 when a finding or vulnerability is at least this severe: critical, high, medium, low, info." };
        failOn.AcceptOnlyFromAmong("critical", "high", "medium", "low", "info");

        var command = new Command("scan", "Unpack a vendor delivery recursively and evaluate it.\n" +
            "Exit codes: 0 done, 1 findings at or over --fail-on, 2 usage error, 3 input unreadable, 4 internal error.")
        { format, output, extract, failOn };
        binder.AddTo(command);
        command.SetAction(parse =>
        {
            var request = binder.Bind(parse) with { ExtractDirectory = parse.GetValue(extract)?.FullName };
            if (ScanOptionsBinder.CheckInput(request.InputPath) is { } bad)
                return bad;
            var writer = ReportWriters.Find(parse.GetValue(format)!)!;
            Evaluation evaluation;
            try
            {
                evaluation = ScanRunner.Run(request, binder.ShowProgress(parse));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            ReportOutput.Write(writer, evaluation, parse.GetValue(output));
            return Gate(evaluation, ScanOptionsBinder.ParseSeverity(parse.GetValue(failOn)));
        });
        return command;
    }

    /// <summary>Exit code for CI: 1 when anything reaches the threshold.</summary>
    public static int Gate(Evaluation evaluation, Severity? threshold)
    {
        if (threshold is not { } t)
            return ExitCodes.Ok;
        var over = evaluation.Findings.Count(f => f.Severity >= t)
            + evaluation.Vulnerabilities.Count(v => v.Severity >= t && v.VexState is not ("not_affected" or "fixed"));
        if (over == 0)
            return ExitCodes.Ok;
        Console.Error.WriteLine($"assay: {over} findings or vulnerabilities at or over '{t.ToString().ToLowerInvariant()}' (--fail-on)");
        return ExitCodes.FindingsOverThreshold;
    }
}
