using Assay.Core.Model;
using Assay.Reports;

namespace Assay.Cli;

/// <summary>Writes a report to a file (atomically: a temporary file renamed into place) or to standard output.</summary>
internal static class ReportOutput
{
    public static void Write(IReportWriter writer, Evaluation evaluation, FileInfo? output)
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
        var directory = output.Directory ?? new DirectoryInfo(".");
        directory.Create();
        var temporary = Path.Combine(directory.FullName, $".{output.Name}.{Environment.ProcessId}.tmp");
        using (var file = File.Create(temporary))
            writer.Write(evaluation, file);
        File.Move(temporary, output.FullName, overwrite: true);
        Console.Error.WriteLine($"assay: wrote {writer.Id} report to {output.FullName}");
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
