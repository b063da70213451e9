using Assay.Server.Security;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// Authorization of API endpoints: <c>.Require(permission)</c> answers 401 without a key, 403 when
/// the role lacks the permission (whatever the id, so it confirms nothing), and leaves the tenant
/// and project scope for the handler, whose store reads are filtered by it (404 outside it).
/// </summary>
internal static class Access
{
    private const string ScopeItem = "assay:scope";

    public static TBuilder Require<TBuilder>(this TBuilder builder, Permission permission, bool tenantData = true) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiredPermission(permission, tenantData));
        return builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = http.Caller();
            if (caller is null)
                return TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: "this endpoint needs an API key: send 'Authorization: Bearer ask_…' (an administrator creates keys with POST /api/v1/api-keys or 'assay admin bootstrap')");
            if (tenantData && caller.TenantId is null)
                return Problems.Forbidden("a system administrator key holds no tenant data; create a key for the tenant (POST /api/v1/api-keys {tenantId, role}) and use it");
            if (!caller.Can(permission))
                return Problems.Forbidden($"the role '{caller.Role.Name()}' may not {Describe(permission)}; ask a tenant administrator for a key with a role that may");
            if (caller.TenantId is not null)
                http.Items[ScopeItem] = new Scope(caller.TenantId, caller.ProjectId);
            return await next(context);
        });
    }

    /// <summary>The caller's scope, set by <see cref="Require"/> on tenant-data endpoints.</summary>
    public static Scope Scope(this HttpContext context) =>
        context.Items[ScopeItem] as Scope ?? throw new InvalidOperationException("endpoint has no Require(permission) filter; every tenant-data endpoint must have one");

    public static string Describe(Permission permission) => permission switch
    {
        Permission.Read => "read this tenant's data",
        Permission.Export => "export reports or compare releases",
        Permission.ReadAudit => "read the audit log or triage history",
        Permission.CreateProject => "create projects",
        Permission.Upload => "create releases, upload deliveries or start scans",
        Permission.Triage => "triage findings",
        Permission.Approve => "approve suppressions of high or critical findings",
        Permission.ManageKeys => "manage API keys",
        _ => permission.ToString(),
    };
}

/// <summary>Endpoint metadata: the permission an endpoint requires (read by the isolation test through the endpoint list).</summary>
public sealed record RequiredPermission(Permission Permission, bool TenantData);
