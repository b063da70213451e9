using Assay.Server.Work;
using Assay.Store;
using Assay.Store.Access;

namespace Assay.Server.Api;

/// <summary>
/// <c>POST /admin/vulndb/rescan</c> (system administrators): re-match every release's newest
/// evaluation that came from another vulnerability database than the one the service uses now;
/// <c>GET /scans/{id}/changes</c>: what a re-match introduced and resolved.
/// </summary>
internal static class RescanEndpoints
{
    public sealed record DatabaseDto(string? Fingerprint, string? Label);

    public sealed record RescanAccepted(DatabaseDto Database, long Queued, IReadOnlyList<string> Scans);

    public sealed record ChangeDto(string Change, string VulnerabilityId, string Component, string Severity, string Fingerprint);

    public sealed record ChangesDto(string ScanId, string? BaseScanId, DatabaseDto Database, long Introduced, long Resolved, IReadOnlyList<ChangeDto> Changes);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/admin/vulndb/rescan", async Task<IResult> (HttpContext http, RescanPlanner planner, CancellationToken ct) =>
        {
            if (TenantEndpoints.SystemAdminOnly(http) is { } refused)
                return refused;
            RescanPlan plan;
            try
            {
                plan = await planner.PlanAsync(ct);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                return Problems.Conflict($"the vulnerability database cannot be read ({e.Message}); fix it (assay db update) and call again");
            }
            if (plan.Database.Fingerprint is null)
                return Problems.Conflict("this server matches no vulnerabilities (started with --no-vulns, or no vulnerability database exists); nothing to re-match");
            return TypedResults.Accepted((string?)null, new RescanAccepted(new DatabaseDto(plan.Database.Fingerprint, plan.Database.Label), plan.Queued.Count, plan.Queued));
        }).WithMetadata(new RequiredPermission(Permission.ManageKeys, false)).WithName("RescanVulnerabilityDatabase");

        api.MapGet("/scans/{scanId}/changes", async Task<IResult> (string scanId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var scan = await store.Scans.GetAsync(http.Scope(), scanId, ct);
            if (scan is null)
                return Problems.NotFound("scan", scanId);
            var rows = await store.Rescans.ChangesAsync(scan.Id, ct);
            return TypedResults.Ok(new ChangesDto(scan.Id, scan.BaseScanId, new DatabaseDto(scan.VulndbFingerprint, scan.VulndbLabel),
                rows.Count(r => r.Change == Store.Data.RescanStore.Introduced), rows.Count(r => r.Change == Store.Data.RescanStore.Resolved),
                [.. rows.Select(r => new ChangeDto(r.Change, r.VulnerabilityId, r.Component, r.Severity, r.Fingerprint))]));
        }).Require(Permission.Read).WithName("GetScanChanges");
    }
}
