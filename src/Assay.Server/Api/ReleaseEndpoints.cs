using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary><c>/projects/{id}/releases</c> and <c>/releases/{id}</c>: versions of a product and their deliveries.</summary>
internal static class ReleaseEndpoints
{
    public sealed record CreateRelease(string? Version);

    public sealed record DeliveryDto(string Sha256, long Size, string FileName);

    public sealed record ReleaseDto(string Id, string ProjectId, string Version, string? PreviousReleaseId, DateTimeOffset CreatedAt, DeliveryDto? Delivery, string? LatestScanId, string? LatestScanStatus);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/projects/{projectId}/releases", async Task<IResult> (string projectId, CreateRelease body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var project = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            if (project is null)
                return Problems.NotFound("project", projectId);
            var version = body.Version?.Trim();
            if (string.IsNullOrEmpty(version) || version.Length > 200)
                return Problems.BadRequest("version: give the release's version (1 to 200 characters), e.g. {\"version\": \"1.2.0\"}");
            var row = await store.Releases.CreateAsync(project.TenantId, project.Id, version, ct);
            return row is null
                ? Problems.Conflict($"project '{project.Name}' has a release '{version}' already; upload to it or choose another version")
                : TypedResults.Created($"/api/v1/releases/{row.Id}", ToDto(row, null));
        }).Require(Permission.Upload).Idempotent().WithName("CreateRelease");

        api.MapGet("/projects/{projectId}/releases", async Task<IResult> (string projectId, HttpContext http, AssayStore store, string? page_token, int? limit, CancellationToken ct) =>
        {
            var scope = http.Scope();
            if (await store.Projects.GetAsync(scope, projectId, ct) is null)
                return Problems.NotFound("project", projectId);
            string? before;
            try
            {
                before = PageTokens.Decode(page_token, 1)?[0];
            }
            catch (FormatException e)
            {
                return Problems.BadRequest(e.Message);
            }
            var take = PageTokens.Limit(limit);
            var rows = await store.Releases.ListAsync(scope, projectId, before, take, ct);
            return TypedResults.Ok(new Page<ReleaseDto>([.. rows.Select(r => ToDto(r, null))], rows.Count == take ? PageTokens.Encode(rows[^1].Id) : null));
        }).Require(Permission.Read).WithName("ListReleases");

        api.MapGet("/releases/{releaseId}", async Task<IResult> (string releaseId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var row = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
            if (row is null)
                return Problems.NotFound("release", releaseId);
            var scans = await store.Scans.ListByReleaseAsync(row.Id, ct);
            return TypedResults.Ok(ToDto(row, scans.Count > 0 ? scans[0] : null));
        }).Require(Permission.Read).WithName("GetRelease");
    }

    internal static ReleaseDto ToDto(ReleaseRow r, ScanRow? latest) => new(r.Id, r.ProjectId, r.Version, r.PreviousReleaseId, Clock.ToTime(r.CreatedAt),
        r.DeliverySha256 is null ? null : new DeliveryDto(r.DeliverySha256, r.DeliverySize ?? 0, r.DeliveryName ?? ""), latest?.Id, latest?.Status);
}
