using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// <c>/api-keys</c>: a system administrator creates keys for any tenant (or another system key);
/// a tenant administrator for its own tenant (a project administrator for its project). The key
/// is in the creation response only; lists show the prefix.
/// </summary>
public static class ApiKeyEndpoints
{
    public sealed record CreateKey(string? TenantId, string? ProjectId, string? Role, string? Name);

    public sealed record CreatedKey(string Id, string Key, string Prefix, string Role, string? TenantId, string? ProjectId);

    public sealed record KeyDto(string Id, string Prefix, string Name, string Role, string? TenantId, string? ProjectId, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

    internal static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/api-keys", async Task<IResult> (CreateKey body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var caller = http.Caller()!;
            var (result, created) = await CreateAsync(caller, body, store, ct);
            return result ?? TypedResults.Created($"/api/v1/api-keys/{created!.Id}", created);
        }).Require(Permission.ManageKeys, tenantData: false).Idempotent().WithName("CreateApiKey");

        api.MapGet("/api-keys", async Task<IResult> (HttpContext http, AssayStore store, string? tenantId, CancellationToken ct) =>
        {
            var caller = http.Caller()!;
            var tenant = caller.IsSystemAdmin ? tenantId : caller.TenantId;
            if (!caller.IsSystemAdmin && tenantId is not null && tenantId != caller.TenantId)
                return Problems.NotFound("tenant", tenantId);
            var rows = await store.Keys.ListAsync(tenant, ct);
            return TypedResults.Ok(new Page<KeyDto>([.. rows.Where(r => caller.ProjectId is null || r.ProjectId == caller.ProjectId).Select(ToDto)], null));
        }).Require(Permission.ManageKeys, tenantData: false).WithName("ListApiKeys");

        api.MapDelete("/api-keys/{keyId}", async Task<IResult> (string keyId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var caller = http.Caller()!;
            var row = Ids.IsWellFormed(keyId) ? await store.Keys.GetAsync(keyId, ct) : null;
            if (row is null || !(caller.IsSystemAdmin || (row.TenantId == caller.TenantId && (caller.ProjectId is null || row.ProjectId == caller.ProjectId))))
                return Problems.NotFound("API key", keyId);
            await store.Keys.RevokeAsync(keyId, ct);
            return TypedResults.NoContent();
        }).Require(Permission.ManageKeys, tenantData: false).WithName("RevokeApiKey");
    }

    /// <summary>Checks and creates a key (shared with the UI's admin page).</summary>
    internal static async Task<(IResult? Refused, CreatedKey? Created)> CreateAsync(Principal caller, CreateKey body, AssayStore store, CancellationToken ct)
    {
        if (!Roles.TryParse(body.Role, out var role))
            return (Problems.BadRequest($"role: '{body.Role}' is not a role; use one of {string.Join(", ", Roles.Names)}"), null);
        var tenantId = string.IsNullOrWhiteSpace(body.TenantId) ? null : body.TenantId.Trim();
        var projectId = string.IsNullOrWhiteSpace(body.ProjectId) ? null : body.ProjectId.Trim();
        if (!caller.IsSystemAdmin)
        {
            tenantId ??= caller.TenantId;
            if (tenantId != caller.TenantId)
                return (Problems.NotFound("tenant", tenantId!), null);
            projectId ??= caller.ProjectId;
            if (caller.ProjectId is not null && projectId != caller.ProjectId)
                return (Problems.NotFound("project", projectId!), null);
        }
        if (tenantId is null)
        {
            if (role != Role.Admin || projectId is not null)
                return (Problems.BadRequest("tenantId: a key without a tenant is a system administrator key (role admin, no projectId); give the tenantId for any other key"), null);
        }
        else if (!Ids.IsWellFormed(tenantId) || await store.Tenants.GetAsync(tenantId, ct) is null)
        {
            return (Problems.NotFound("tenant", tenantId), null);
        }
        if (projectId is not null && await store.Projects.GetAsync(new Scope(tenantId!, null), projectId, ct) is null)
            return (Problems.NotFound("project", projectId), null);
        var name = string.IsNullOrWhiteSpace(body.Name) ? $"{role.Name()} key" : body.Name.Trim();
        if (name.Length > 200)
            return (Problems.BadRequest("name: at most 200 characters"), null);
        var (row, key) = await store.Keys.CreateAsync(tenantId, projectId, role, name, caller.Actor, ct);
        return (null, new CreatedKey(row.Id, key, row.Prefix, row.Role, row.TenantId, row.ProjectId));
    }

    internal static KeyDto ToDto(ApiKeyRow r) => new(r.Id, $"{ApiKeyStore.KeyStart}{r.Prefix}_…", r.Name, r.Role, r.TenantId, r.ProjectId, Clock.ToTime(r.CreatedAt),
        r.LastUsedAt is { } u ? Clock.ToTime(u) : null, r.RevokedAt is { } v ? Clock.ToTime(v) : null);
}
