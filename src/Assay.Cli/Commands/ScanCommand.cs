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
        var format = CliOptions.Choice("--format", $"Report format: {string.Join(", ", ReportWriters.All.Select(w => w.Id))}.",
            [.. ReportWriters.All.Select(w => w.Id)], "summary", "-f");
        var output = CliOptions.OutputFile("--output", "Write the report to this file (default: standard output). Its folder must exist; a regular file is replaced atomically, a device, FIFO or link is written through.", "-o");
        var extract = CliOptions.OutputFolder("--extract", "Also write the unpacked tree into this folder (created if absent, its parent must exist; it must be empty unless --force); nothing is written outside it, links are never followed.");
        var force = CliOptions.Flag("--force", "With --extract: write into a folder that already holds files (files at the same paths are replaced).");
        var failOn = ScanOptionsBinder.FailOnOption("a finding or vulnerability");

        var command = new Command("scan", "Unpack a vendor delivery recursively and evaluate it.\n" +
            "Exit codes: 0 done, 1 something at or over --fail-on, 2 usage error, 3 input unreadable, 4 internal error,\n" +
            "5 done but the input was not completely understood (unpacking errors, limits, or nothing recognised).")
        { format, output, extract, force, failOn };
        binder.AddTo(command);
        CliOptions.RequireEmptyUnlessForced(command, extract, force);
        command.SetAction(parse =>
        {
            var request = binder.Bind(parse) with { ExtractDirectory = parse.GetValue(extract) is { } dir ? Path.GetFullPath(dir) : null };
            if (ScanOptionsBinder.CheckInputs(request) is { } bad)
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
            return Gate.Exit(evaluation, parse.GetValue(failOn));
        });
        return command;
    }
}
