using Assay.Store;
using Assay.Store.Access;

namespace Assay.Server.Api;

/// <summary><c>GET /compare?base=&amp;head=</c>: the release diff of two releases of one project (the history library's diff).</summary>
internal static class CompareEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/compare", async Task<IResult> (string? @base, string? head, string? format, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(@base) || string.IsNullOrEmpty(head))
                return Problems.BadRequest("base and head: give two release ids of one project, e.g. /api/v1/compare?base=RELEASE_1&head=RELEASE_2");
            var (baseRelease, baseEvaluation, baseProblem) = await ResultEndpoints.LatestAsync(http, store, @base, ct);
            if (baseProblem is not null)
                return baseProblem;
            var (headRelease, headEvaluation, headProblem) = await ResultEndpoints.LatestAsync(http, store, head, ct);
            if (headProblem is not null)
                return headProblem;
            if (baseRelease!.ProjectId != headRelease!.ProjectId)
                return Problems.BadRequest("base and head belong to different projects; compare two releases of one product");
            if (format is not (null or "json" or "html"))
                return Problems.BadRequest($"format: '{format}' is not a diff format; use json (the diff document, as 'assay diff -f json') or html");
            return await ReleaseComparison.RunAsync(store, baseEvaluation!, headEvaluation!, format, ct);
        }).Require(Permission.Export).WithName("CompareReleases");
    }
}
