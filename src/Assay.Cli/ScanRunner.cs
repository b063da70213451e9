using Assay.Core.Model;
using Assay.Engine;

namespace Assay.Cli;

/// <summary>
/// Runs a scan for `assay scan` and `assay sbom` through the engine library (<see cref="ScanEngine"/>),
/// the same call the service and the harnesses make, with the CLI's progress display and notices.
/// </summary>
internal static class ScanRunner
{
    public static Evaluation Run(ScanRequest request, bool showProgress = true, CancellationToken cancellationToken = default)
    {
        var job = ScanEngine.Prepare(request);
        var evaluation = showProgress
            ? ProgressDisplay.Run(job.Progress, request.InputPath, () => job.Run(cancellationToken))
            : job.Run(cancellationToken);
        foreach (var notice in job.Notices)
            Console.Error.WriteLine($"assay: {notice}");
        return evaluation;
    }
}
