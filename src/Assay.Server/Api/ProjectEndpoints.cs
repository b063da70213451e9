using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary><c>/projects</c>: a tenant's products; every read filtered by the caller's tenant and project.</summary>
internal static class ProjectEndpoints
{
    public sealed record CreateProject(string? Name, string? Vendor, string? NetworkFunction);

    public sealed record ProjectDto(string Id, string Name, string Vendor, string? NetworkFunction, DateTimeOffset CreatedAt, long Releases, string? LatestVersion);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/projects", async Task<IResult> (CreateProject body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var scope = http.Scope();
            if (scope.ProjectId is not null)
                return Problems.Forbidden("a key for one project cannot create projects; use a tenant-wide lead or admin key");
            var name = body.Name?.Trim();
            var vendor = body.Vendor?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
                return Problems.BadRequest("name: give the product's name (1 to 200 characters), e.g. {\"name\": \"EX1000 gNB\", \"vendor\": \"Example Networks\"}");
            if (string.IsNullOrEmpty(vendor) || vendor.Length > 200)
                return Problems.BadRequest("vendor: give the vendor's name (1 to 200 characters)");
            var row = await store.Projects.CreateAsync(scope.TenantId, name, vendor, string.IsNullOrWhiteSpace(body.NetworkFunction) ? null : body.NetworkFunction.Trim(), ct);
            return row is null
                ? Problems.Conflict($"the tenant has a project named '{name}' already; open it (GET /api/v1/projects?q={Uri.EscapeDataString(name)}) or choose another name")
                : TypedResults.Created($"/api/v1/projects/{row.Id}", new ProjectDto(row.Id, row.Name, row.Vendor, row.NetworkFunction, Clock.ToTime(row.CreatedAt), 0, null));
        }).Require(Permission.CreateProject).Idempotent().WithName("CreateProject");

        api.MapGet("/projects", async Task<IResult> (HttpContext http, AssayStore store, string? page_token, int? limit, string? q, CancellationToken ct) =>
        {
            string[]? after;
            try
            {
                after = PageTokens.Decode(page_token, 2);
            }
            catch (FormatException e)
            {
                return Problems.BadRequest(e.Message);
            }
            var take = PageTokens.Limit(limit);
            var rows = await store.Projects.ListAsync(http.Scope(), after is null ? null : (after[0], after[1]), take, q, ct);
            return TypedResults.Ok(new Page<ProjectDto>([.. rows.Select(ToDto)], rows.Count == take ? PageTokens.Encode(rows[^1].Name, rows[^1].Id) : null));
        }).Require(Permission.Read).WithName("ListProjects");

        api.MapGet("/projects/{projectId}", async Task<IResult> (string projectId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var row = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            return row is null ? Problems.NotFound("project", projectId) : TypedResults.Ok(new ProjectDto(row.Id, row.Name, row.Vendor, row.NetworkFunction, Clock.ToTime(row.CreatedAt), 0, null));
        }).Require(Permission.Read).WithName("GetProject");
    }

    private static ProjectDto ToDto(ProjectSummary s) => new(s.Id, s.Name, s.Vendor, s.NetworkFunction, Clock.ToTime(s.CreatedAt), s.Releases, s.LatestVersion);
}
