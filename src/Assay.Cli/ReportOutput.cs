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
