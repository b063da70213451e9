using System.CommandLine;
using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay sbom IMAGE -f cyclonedx|spdx -o FILE</c>: the software bill of materials of a vendor
/// delivery. It runs the same scan as <c>assay scan</c> (<see cref="ScanRunner"/>), so
/// <c>assay scan IMAGE -f cyclonedx</c> gives the same document.
/// </summary>
internal static class SbomCommand
{
    /// <summary>The SBOM formats, ids of <see cref="ReportWriters"/>.</summary>
    public static readonly string[] Formats = ["cyclonedx", "spdx"];

    public static Command Create()
    {
        var binder = new ScanOptionsBinder();
        var format = CliOptions.Choice("--format", "SBOM format: cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON).", Formats, "cyclonedx", "-f");
        var output = CliOptions.OutputFile("--output", "Write the SBOM to this file (default: standard output). Its folder must exist.", "-o");
        var failOn = ScanOptionsBinder.FailOnOption("a vulnerability or finding");
        var command = new Command("sbom", "Unpack a vendor delivery and write its software bill of materials: components with versions, purl and CPE, " +
            "the evidence for each, file hashes and which file of which image holds them.\n" +
            "Exit codes: 0 done, 1 something at or over --fail-on, 2 usage error, 3 input unreadable, 4 internal error,\n" +
            "5 done but the input was not completely understood (the SBOM may miss components).")
        { format, output, failOn };
        binder.AddTo(command);
        command.SetAction(parse =>
        {
            var request = binder.Bind(parse);
            if (ScanOptionsBinder.CheckInputs(request) is { } bad)
                return bad;
            var writer = ReportWriters.Find(parse.GetValue(format)!)
                ?? throw new InvalidOperationException($"report writer '{parse.GetValue(format)}' is not registered in ReportWriters");
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
