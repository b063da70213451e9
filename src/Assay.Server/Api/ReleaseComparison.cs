using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>The release diff, computed by the history library (issue 13) from the two evaluation blobs.</summary>
internal static class ReleaseComparison
{
    public static Task<IResult> RunAsync(AssayStore store, ReleaseRow baseRelease, EvaluationRow baseEvaluation, ReleaseRow headRelease, EvaluationRow headEvaluation, CancellationToken ct) =>
        throw new NotImplementedException();
}
