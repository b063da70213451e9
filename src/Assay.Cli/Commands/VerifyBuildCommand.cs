using System.CommandLine;
using Assay.Core.Model;
using Assay.History.Build;
using Assay.History.Reports;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay verify-build DELIVERED REBUILT</c>: is the build a vendor delivered the one its source
/// builds? Both are scanned by the engine with a recorder beside it (<see cref="BuildRecorder"/>),
/// then their unpacked trees compared (<see cref="BuildComparison.Compare"/>).
/// </summary>
internal static class VerifyBuildCommand
{
    /// <summary>The environment variable holding the password of an encrypted --sign-key.</summary>
    public const string KeyPasswordVariable = "ASSAY_SIGN_KEY_PASSWORD";

    public static Command Create()
    {
        var binder = new ScanOptionsBinder();
        var delivered = CliOptions.InputArgument("DELIVERED", "What the vendor ships: any format Assay unpacks (an image, an archive, a filesystem).");
        var rebuilt = CliOptions.InputArgument("REBUILT", "What the lab built from the vendor's source, in any format Assay unpacks (a SquashFS image and a tar.gz of the same tree compare).");
        var normalise = CliOptions.ChoiceList<NormaliseList>("--normalise",
            "Differences to set aside, each only where the format marks it so: mtime (entry and FIT timestamps), owner (uid/gid), " +
            "order (archive member order), signatures (appended kernel-module PKCS#7, FIT signature nodes, detached .sig/.asc/.p7s). " +
            "Comma-separated; default: none (strict). Code and data are never set aside.",
            [.. NormalisationNames.All.Select(n => n.Name)], NormaliseList.Parse);
        var format = CliOptions.Choice("--format",
            $"Report format: {string.Join(", ", VerifyReportWriters.All.Select(w => w.Id))} (in-toto Statement v1; DSSE-signed with --sign-key).",
            [.. VerifyReportWriters.All.Select(w => w.Id)], "summary", "-f");
        var output = CliOptions.OutputFile("--output", "Write the report to this file (default: standard output). Its folder must exist; a regular file is replaced atomically, a device, FIFO or link is written through.", "-o");
        var signKey = CliOptions.InputPath("--sign-key",
            $"With -f intoto: sign the statement into a DSSE envelope with this PEM private key (ECDSA P-256/P-384/P-521 or RSA >= 2048; an encrypted key's password in {KeyPasswordVariable}).");

        var command = new Command("verify-build", "Compare a delivered build with a rebuild from the vendor's source: the unpacked trees, file by file " +
            "(ELF files section by section, other files by byte range), not container bytes. Verdict reproducible or not-reproducible.\n" +
            "Vulnerability options are accepted like every scan option and have no effect: a build comparison matches no vulnerabilities.\n" +
            "Exit codes: 0 reproducible, 1 not reproducible, 2 usage error, 3 input unreadable, 4 internal error,\n" +
            "5 reproducible as far as compared, but a build was not completely understood (unpacking errors, limits).")
        { delivered, rebuilt, normalise, format, output, signKey };
        binder.AddOptionsTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(signKey) is not null && result.GetValue(format) != "intoto")
                result.AddError("--sign-key signs an in-toto statement; add -f intoto");
        });
        command.SetAction(parse =>
        {
            var writer = VerifyReportWriters.Find(parse.GetValue(format)!)
                ?? throw new InvalidOperationException($"verify-build report writer '{parse.GetValue(format)}' is not registered in VerifyReportWriters");
            DsseSigner? signer = null;
            if (parse.GetValue(signKey) is { } keyPath)
            {
                try
                {
                    signer = DsseSigner.FromPem(File.ReadAllText(keyPath), Environment.GetEnvironmentVariable(KeyPasswordVariable));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    Console.Error.WriteLine($"assay: --sign-key '{keyPath}': {e.Message}");
                    return ExitCodes.InputUnreadable;
                }
            }
            using (signer)
            {
                var (first, code) = Scan(parse, binder, parse.GetValue(delivered)!);
                if (first is null)
                    return code;
                (var second, code) = Scan(parse, binder, parse.GetValue(rebuilt)!);
                if (second is null)
                    return code;
                var result = BuildComparison.Compare(first, second, parse.GetValue(normalise)?.Value ?? Normalisations.None);
                var target = writer is InTotoWriter && signer is not null ? new InTotoWriter { Signer = signer } : writer;
                ReportOutput.Write(writer.Id, (stream, terminal) =>
                    (terminal && writer is VerifySummaryWriter ? new VerifySummaryWriter { Color = true, Width = ReportOutput.TerminalWidth } : target).Write(result, stream),
                    parse.GetValue(output));
                return Exit(result, first, second);
            }
        });
        return command;
    }

    /// <summary>One build through the engine with the recorder beside it (no analyzers: the comparison needs the tree).</summary>
    private static (BuildTree? Build, int Code) Scan(ParseResult parse, ScanOptionsBinder binder, string input)
    {
        var recorder = new BuildRecorder();
        var request = binder.Bind(parse, input) with
        {
            Analysis = false,
            SkipVulnerabilities = true,
            DatabasePath = null,
            VexPath = null,
            ExtraInspectors = [recorder],
            EntryObserver = recorder,
        };
        if (ScanOptionsBinder.CheckInputs(request) is { } bad)
            return (null, bad);
        try
        {
            return (recorder.Complete(ScanRunner.Run(request, binder.ShowProgress(parse))), ExitCodes.Ok);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"assay: {e.Message}");
            return (null, ExitCodes.InputUnreadable);
        }
    }

    /// <summary>1 when not reproducible; else 5 when a build was not completely understood; else 0.</summary>
    private static int Exit(VerifyResult result, BuildTree delivered, BuildTree rebuilt)
    {
        if (result.Verdict != VerifyResult.Reproducible)
        {
            Console.Error.WriteLine($"assay: not reproducible: {result.Counts.Where(kv => kv.Key != FileVerdict.Identical && kv.Key != FileVerdict.Normalised && kv.Value > 0).Select(kv => $"{kv.Value} {kv.Key}").DefaultIfEmpty("").Aggregate((a, b) => $"{a}, {b}")}; {result.UnexplainedBytes:N0} unexplained bytes");
            return ExitCodes.FindingsOverThreshold;
        }
        var code = ExitCodes.Ok;
        foreach (var (side, build) in new[] { ("delivered", delivered), ("rebuilt", rebuilt) })
        {
            var completeness = Completeness.Assess(build.Evaluation);
            if (completeness.Status == CompletenessStatus.Complete)
                continue;
            Console.Error.WriteLine($"assay: the {side} build was not completely understood ({string.Join("; ", completeness.Reasons)}); what was not read was not compared");
            code = ExitCodes.Incomplete;
        }
        return code;
    }

    /// <summary>The parsed <c>--normalise</c> list.</summary>
    private sealed record NormaliseList(Normalisations Value)
    {
        public static (NormaliseList? Value, string? Problem) Parse(IReadOnlyList<string> words) =>
            (new NormaliseList(NormalisationNames.Parse(string.Join(',', words))), null);
    }
}
