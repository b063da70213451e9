using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Cli;

/// <summary>Writes a report to standard output or to the file the user named (<see cref="OutputFile"/>: atomic for regular files, written through otherwise).</summary>
internal static class ReportOutput
{
    public static void Write(IReportWriter writer, Evaluation evaluation, string? output)
    {
        if (output is null)
        {
            using var stdout = Console.OpenStandardOutput();
            var target = writer is SummaryReportWriter && !Console.IsOutputRedirected
                ? new SummaryReportWriter { Color = true, Width = Math.Max(80, SafeWidth()) }
                : writer;
            target.Write(evaluation, stdout);
            return;
        }
        OutputFile.Write(output, stream => writer.Write(evaluation, stream));
        Console.Error.WriteLine($"assay: wrote {writer.Id} report to {Path.GetFullPath(output)}");
    }

    /// <summary>
    /// Writes any report (a release diff, a build verification): <paramref name="write"/> gets the
    /// stream and whether it is an interactive terminal (standard output not redirected), where a
    /// summary may use colors and the width.
    /// </summary>
    public static void Write(string formatId, Action<Stream, bool> write, string? output)
    {
        if (output is null)
        {
            using var stdout = Console.OpenStandardOutput();
            write(stdout, !Console.IsOutputRedirected);
            return;
        }
        OutputFile.Write(output, stream => write(stream, false));
        Console.Error.WriteLine($"assay: wrote {formatId} report to {Path.GetFullPath(output)}");
    }

    /// <summary>The terminal's width (at least 80), 120 when there is no terminal.</summary>
    public static int TerminalWidth => Math.Max(80, SafeWidth());

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 120;
        }
    }
}
