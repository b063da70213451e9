using Assay.Engine;
using Assay.Server.Security;
using Assay.Server.Work;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>Scans: <c>POST /releases/{id}/scans</c> queues one (202 + Location), <c>GET /scans/{id}</c> shows status and stages.</summary>
internal static class ScanEndpoints
{
    public sealed record ScanAccepted(string Id, string Status);

    public sealed record StageDto(string Name, string Status, long Attempt, long ProgressDone, long ProgressTotal, string? Detail, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

    public sealed record ScanDto(string Id, string ReleaseId, string ProjectId, string Status, long Attempt, string RequestedBy, string EngineVersion,
        DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, IReadOnlyList<StageDto> Stages,
        string Kind, string? BaseScanId, RescanEndpoints.DatabaseDto VulnerabilityDatabase);

    /// <summary>Interactive requests go before batch ones; lower runs first.</summary>
    public const long InteractivePriority = ScanQueues.InteractivePriority;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/releases/{releaseId}/scans", async Task<IResult> (string releaseId, string? priority, HttpContext http, AssayStore store, IScanDispatcher dispatcher, CancellationToken ct) =>
        {
            // ?priority=bulk: a CI pipeline or re-scan that waits behind every interactive scan.
            long? rank = priority switch { null or "interactive" => ScanQueues.InteractivePriority, "bulk" => ScanQueues.BulkPriority, _ => null };
            if (rank is null)
                return Problems.BadRequest($"priority '{priority}' is not one of: interactive, bulk");
            var release = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
            if (release is null)
                return Problems.NotFound("release", releaseId);
            if (release.DeliverySha256 is null)
                return Problems.Conflict($"release {release.Version} has no delivery yet; upload it first (PUT /api/v1/releases/{release.Id}/delivery)");
            var scan = await store.Scans.CreateAsync(release, http.Caller()!.Actor, ScanEngine.ToolVersion, rank.Value, ct);
            await dispatcher.DispatchAsync(scan.Id, ct);
            return TypedResults.Accepted($"/api/v1/scans/{scan.Id}", new ScanAccepted(scan.Id, scan.Status));
        }).Require(Permission.Upload).Idempotent().WithName("CreateScan");

        api.MapGet("/releases/{releaseId}/scans", async Task<IResult> (string releaseId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var release = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
            if (release is null)
                return Problems.NotFound("release", releaseId);
            var scans = await store.Scans.ListByReleaseAsync(release.Id, ct);
            var items = new List<ScanDto>();
            foreach (var s in scans)
                items.Add(ToDto(s, await store.Scans.StagesAsync(s.Id, ct)));
            return TypedResults.Ok(new Page<ScanDto>(items, null));
        }).Require(Permission.Read).WithName("ListScans");

        api.MapGet("/scans/{scanId}", async Task<IResult> (string scanId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var scan = await store.Scans.GetAsync(http.Scope(), scanId, ct);
            return scan is null ? Problems.NotFound("scan", scanId) : TypedResults.Ok(ToDto(scan, await store.Scans.StagesAsync(scan.Id, ct)));
        }).Require(Permission.Read).WithName("GetScan");

        api.MapPost("/scans/{scanId}/cancel", async Task<IResult> (string scanId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var scan = await store.Scans.GetAsync(http.Scope(), scanId, ct);
            if (scan is null)
                return Problems.NotFound("scan", scanId);
            return await store.Scans.CancelAsync(scan.Id, ct)
                ? TypedResults.Accepted($"/api/v1/scans/{scan.Id}", new ScanAccepted(scan.Id, ScanStore.Status.Cancelled))
                : Problems.Conflict($"scan {scan.Id} has ended ({scan.Status}); nothing to cancel");
        }).Require(Permission.Upload).WithName("CancelScan");
    }

    internal static ScanDto ToDto(ScanRow s, IReadOnlyList<StageRow> stages) => new(s.Id, s.ReleaseId, s.ProjectId, s.Status, s.Attempt, s.RequestedBy, s.EngineVersion,
        Clock.ToTime(s.QueuedAt), Time(s.StartedAt), Time(s.FinishedAt), s.Error,
        [.. stages.Select(t => new StageDto(t.Stage, t.Status, t.Attempt, t.ProgressDone, t.ProgressTotal, t.Detail, Time(t.StartedAt), Time(t.FinishedAt), t.Error))],
        s.Kind, s.BaseScanId, new RescanEndpoints.DatabaseDto(s.VulndbFingerprint, s.VulndbLabel));

    private static DateTimeOffset? Time(long? ms) => ms is { } v ? Clock.ToTime(v) : null;
}
