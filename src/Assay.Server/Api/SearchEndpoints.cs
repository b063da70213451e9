using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary><c>GET /search?q=</c>: a purl or component name, a CVE or rule id, a file SHA-256 or file name, in the caller's scope.</summary>
internal static class SearchEndpoints
{
    public const int MaxHits = 200;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/search", async Task<IResult> (string? q, int? limit, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(q) || q.Length > 500)
                return Problems.BadRequest("q: give a purl (pkg:deb/debian/openssl@3.0.11), a component name, a CVE or rule id, a SHA-256 or a file name (at most 500 characters)");
            var hits = await store.Search.SearchAsync(http.Scope(), q, Math.Clamp(limit ?? 50, 1, MaxHits), ct);
            return TypedResults.Ok(new Page<SearchHit>(hits, null));
        }).Require(Permission.Read).WithName("Search");
    }
}
