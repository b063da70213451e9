using Assay.Server.Security;
using Assay.Store;

namespace Assay.Server.Api;

/// <summary><c>/tenants</c>: system administrators create and list tenants.</summary>
internal static class TenantEndpoints
{
    public sealed record CreateTenant(string? Name);

    public sealed record TenantDto(string Id, string Name, DateTimeOffset CreatedAt);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/tenants", async Task<IResult> (CreateTenant body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            if (SystemAdminOnly(http) is { } refused)
                return refused;
            var name = body.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
                return Problems.BadRequest("name: give the tenant's name (1 to 200 characters), e.g. {\"name\": \"Operator A\"}");
            var row = await store.Tenants.CreateAsync(name, ct);
            return row is null
                ? Problems.Conflict($"a tenant named '{name}' exists already; choose another name")
                : TypedResults.Created($"/api/v1/tenants/{row.Id}", new TenantDto(row.Id, row.Name, Clock.ToTime(row.CreatedAt)));
        }).Idempotent().WithMetadata(new RequiredPermission(Store.Access.Permission.ManageKeys, false)).WithName("CreateTenant");

        api.MapGet("/tenants", async Task<IResult> (HttpContext http, AssayStore store, string? page_token, int? limit, CancellationToken ct) =>
        {
            if (SystemAdminOnly(http) is { } refused)
                return refused;
            string? after;
            try
            {
                after = PageTokens.Decode(page_token, 1)?[0];
            }
            catch (FormatException e)
            {
                return Problems.BadRequest(e.Message);
            }
            var take = PageTokens.Limit(limit);
            var rows = await store.Tenants.ListAsync(after, take, ct);
            return TypedResults.Ok(new Page<TenantDto>([.. rows.Select(r => new TenantDto(r.Id, r.Name, Clock.ToTime(r.CreatedAt)))],
                rows.Count == take ? PageTokens.Encode(rows[^1].Id) : null));
        }).WithMetadata(new RequiredPermission(Store.Access.Permission.ManageKeys, false)).WithName("ListTenants");
    }

    /// <summary>401 without a key, 403 for anyone but a system administrator.</summary>
    internal static IResult? SystemAdminOnly(HttpContext http)
    {
        var caller = http.Caller();
        if (caller is null)
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "this endpoint needs a system administrator's API key (from 'assay admin bootstrap')");
        return caller.IsSystemAdmin ? null : Problems.Forbidden("only a system administrator (a key from 'assay admin bootstrap') manages tenants");
    }
}
