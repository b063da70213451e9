using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary><c>GET /audit</c>: the tenant's audit log (auditors and administrators); a system administrator reads the system's own entries.</summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit", async Task<IResult> (string? page_token, int? limit, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var caller = http.Caller()!;
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
            var rows = await store.Audit.ListAsync(caller.TenantId, before, take, ct);
            return TypedResults.Ok(new Page<AuditRow>(rows, rows.Count == take ? PageTokens.Encode(rows[^1].Id) : null));
        }).Require(Permission.ReadAudit, tenantData: false).WithName("ListAudit");
    }
}
