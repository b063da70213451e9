using System.CommandLine;
using Assay.Core.Model;
using Assay.History;
using Assay.History.Diff;
using Assay.History.Reports;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay diff OLD NEW</c>: what changed from one release to the next. Each side is a delivery
/// (scanned here, with every <c>assay scan</c> option) or an evaluation written earlier by
/// <c>assay scan -f json</c>; the comparison is <see cref="ReleaseDiff.Compare"/>.
/// </summary>
internal static class DiffCommand
{
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "info"];

    public static Command Create()
    {
        var binder = new ScanOptionsBinder();
        var old = CliOptions.InputArgument("OLD", "The earlier release: a delivery to scan, or its evaluation (assay scan -f json).");
        var @new = CliOptions.InputArgument("NEW", "The later release: a delivery to scan, or its evaluation.");
        var format = CliOptions.Choice("--format",
            $"Report format: {string.Join(", ", DiffReportWriters.All.Select(w => w.Id))} (SARIF with baselineState new/unchanged/updated/absent).",
            [.. DiffReportWriters.All.Select(w => w.Id)], "summary", "-f");
        var output = CliOptions.OutputFile("--output", "Write the report to this file (default: standard output). Its folder must exist; a regular file is replaced atomically, a device, FIFO or link is written through.", "-o");
        var failOnNew = CliOptions.Choice("--fail-on-new",
            "Exit with 1 when something new is at least this severe: a new finding, a finding raised to it, a vulnerability introduced " +
            "(not set aside by VEX). One of critical, high, medium, low, info.", Severities, null);

        var command = new Command("diff", "Compare two releases: components, vulnerabilities, findings (by fingerprint), files, hardening " +
            "and the TS 33.117 table, what got worse first. Files match by their path inside the delivery, not by container names.\n" +
            "Exit codes: 0 done, 1 something new at or over --fail-on-new, 2 usage error, 3 input unreadable, 4 internal error,\n" +
            "5 done but a release was not completely understood (unpacking errors, limits, or nothing recognised).")
        { old, @new, format, output, failOnNew };
        binder.AddOptionsTo(command);
        command.SetAction(parse =>
        {
            var writer = DiffReportWriters.Find(parse.GetValue(format)!)
                ?? throw new InvalidOperationException($"diff report writer '{parse.GetValue(format)}' is not registered in DiffReportWriters");
            var (before, code) = Load(parse, binder, parse.GetValue(old)!);
            if (before is null)
                return code;
            (var after, code) = Load(parse, binder, parse.GetValue(@new)!);
            if (after is null)
                return code;
            var diff = ReleaseDiff.Compare(before, after);
            ReportOutput.Write(writer.Id, (stream, terminal) =>
            {
                var target = terminal && writer is DiffSummaryWriter ? new DiffSummaryWriter { Color = true, Width = ReportOutput.TerminalWidth } : writer;
                target.Write(diff, stream);
            }, parse.GetValue(output));
            return Exit(diff, before, after, parse.GetValue(failOnNew) is { } t ? Enum.Parse<Severity>(t, ignoreCase: true) : null);
        });
        return command;
    }

    /// <summary>An evaluation document is read; anything else is scanned like <c>assay scan</c> would. Null and an exit code when it cannot be used.</summary>
    private static (Evaluation? Evaluation, int Code) Load(ParseResult parse, ScanOptionsBinder binder, string input)
    {
        var request = binder.Bind(parse, input);
        if (ScanOptionsBinder.CheckInputs(request) is { } bad)
            return (null, bad);
        try
        {
            if (EvaluationDocument.LooksLikeEvaluation(request.InputPath))
                return (EvaluationDocument.Read(request.InputPath), ExitCodes.Ok);
            return (ScanRunner.Run(request, binder.ShowProgress(parse)), ExitCodes.Ok);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"assay: {e.Message}");
            return (null, ExitCodes.InputUnreadable);
        }
    }

    /// <summary>1 when something new reaches the threshold; else 5 when a release was not completely understood; else 0.</summary>
    private static int Exit(ReleaseDiffResult diff, Evaluation before, Evaluation after, Severity? threshold)
    {
        var code = ExitCodes.Ok;
        if (threshold is { } t && ReleaseDiff.CountNewAtOrAbove(diff, t) is var over and > 0)
        {
            Console.Error.WriteLine($"assay: {over} new findings or vulnerabilities at or over '{t.ToString().ToLowerInvariant()}' (--fail-on-new)");
            code = ExitCodes.FindingsOverThreshold;
        }
        foreach (var (side, e) in new[] { ("old", before), ("new", after) })
        {
            var completeness = Completeness.Assess(e);
            if (completeness.Status == CompletenessStatus.Complete)
                continue;
            Console.Error.WriteLine($"assay: the {side} release was not completely understood ({string.Join("; ", completeness.Reasons)}): what looks added or removed there may only be unread");
            if (code == ExitCodes.Ok)
                code = ExitCodes.Incomplete;
        }
        return code;
    }
}
