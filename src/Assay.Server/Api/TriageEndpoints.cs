using Assay.Core.Model;
using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// Triage by fingerprint, per project: the decision carries to every release where the finding
/// appears. A suppression (not_affected, false_positive) of a high or critical finding waits for a
/// second person with the lead role (four eyes). <c>ETag</c>/<c>If-Match</c> carry the row version.
/// </summary>
public static class TriageEndpoints
{
    public sealed record SetTriage(string? State, string? Justification, string? Detail);

    public sealed record Decide(bool Approve, string? Comment);

    public sealed record TriageDto(string Fingerprint, string State, string? Justification, string? Detail, string? PendingState, string? PendingJustification, string? PendingBy,
        long Version, DateTimeOffset? UpdatedAt, string? UpdatedBy, bool ChainIntact, IReadOnlyList<TriageEventDto> History);

    public sealed record TriageEventDto(long Seq, string Action, string? FromState, string ToState, string? Justification, string? Detail, string Actor, DateTimeOffset At, string Sha256);

    /// <summary>CycloneDX impact-analysis justifications.</summary>
    public static IReadOnlyList<string> Justifications { get; } =
        ["code_not_present", "code_not_reachable", "protected_at_perimeter", "protected_at_runtime", "protected_by_compiler", "protected_by_mitigating_control", "requires_configuration", "requires_dependency", "requires_environment"];

    internal static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projects/{projectId}/triage/{fingerprint}", async Task<IResult> (string projectId, string fingerprint, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var project = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            if (project is null)
                return Problems.NotFound("project", projectId);
            var dto = await ReadAsync(store, project.Id, fingerprint, ct);
            http.Response.Headers.ETag = $"\"{dto.Version}\"";
            return TypedResults.Ok(dto);
        }).Require(Permission.Read).WithName("GetTriage");

        api.MapGet("/projects/{projectId}/triage/{fingerprint}/history", async Task<IResult> (string projectId, string fingerprint, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var project = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            return project is null ? Problems.NotFound("project", projectId) : TypedResults.Ok((await ReadAsync(store, project.Id, fingerprint, ct)).History);
        }).Require(Permission.Read).WithName("GetTriageHistory");

        api.MapPut("/projects/{projectId}/triage/{fingerprint}", async Task<IResult> (string projectId, string fingerprint, SetTriage body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var project = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            if (project is null)
                return Problems.NotFound("project", projectId);
            long? ifMatch = null;
            if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } header)
            {
                if (!long.TryParse(header.Trim('"', 'W', '/'), out var v))
                    return Problems.BadRequest($"If-Match '{header}' is not an ETag of this triage (GET it first and send its ETag)");
                ifMatch = v;
            }
            var (outcome, dto, problem) = await SetAsync(store, http.Caller()!, project, fingerprint, body, ifMatch, ct);
            if (problem is not null)
                return problem;
            http.Response.Headers.ETag = $"\"{dto!.Version}\"";
            return outcome == TriageOutcome.PendingApproval ? TypedResults.Accepted((string?)null, dto) : TypedResults.Ok(dto);
        }).Require(Permission.Triage).WithName("SetTriage");

        api.MapPost("/projects/{projectId}/triage/{fingerprint}/decision", async Task<IResult> (string projectId, string fingerprint, Decide body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var project = await store.Projects.GetAsync(http.Scope(), projectId, ct);
            if (project is null)
                return Problems.NotFound("project", projectId);
            var (outcome, _) = await store.Triage.DecideAsync(project.Id, fingerprint, body.Approve, http.Caller()!.Actor, body.Comment, ct);
            if (outcome == TriageOutcome.NothingToApprove)
                return Problems.Conflict("nothing waits for approval here, or you proposed it yourself (four eyes: another lead decides)");
            return TypedResults.Ok(await ReadAsync(store, project.Id, fingerprint, ct));
        }).Require(Permission.Approve).WithName("DecideTriage");
    }

    /// <summary>Validates and applies a triage change (shared with the UI's triage panel).</summary>
    internal static async Task<(TriageOutcome Outcome, TriageDto? Dto, IResult? Problem)> SetAsync(AssayStore store, Principal caller, ProjectRow project, string fingerprint, SetTriage body, long? ifMatch, CancellationToken ct)
    {
        var state = body.State?.Trim().ToLowerInvariant();
        if (state is null || !TriageStore.States.Contains(state))
            return (default, null, Problems.BadRequest($"state: '{body.State}' is not a triage state; use one of {string.Join(", ", TriageStore.States)}"));
        var justification = string.IsNullOrWhiteSpace(body.Justification) ? null : body.Justification.Trim().ToLowerInvariant();
        if (justification is not null && !Justifications.Contains(justification))
            return (default, null, Problems.BadRequest($"justification: '{body.Justification}' is not a CycloneDX justification; use one of {string.Join(", ", Justifications)}"));
        if (state == "not_affected" && justification is null)
            return (default, null, Problems.BadRequest("justification: not_affected needs one (e.g. code_not_reachable, requires_configuration)"));
        if (body.Detail is { Length: > 4000 })
            return (default, null, Problems.BadRequest("detail: at most 4000 characters"));
        var worst = await store.Evaluations.WorstSeverityAsync(project.TenantId, project.Id, fingerprint, ct);
        if (worst == 0)
            return (default, null, Problems.NotFound("finding", fingerprint));
        var needsSecondPerson = TriageStore.SuppressingStates.Contains(state) && worst >= (long)Severity.High;
        var (outcome, _) = await store.Triage.SetAsync(project.TenantId, project.Id, fingerprint, state, justification, body.Detail, caller.Actor, needsSecondPerson, ifMatch, ct);
        if (outcome == TriageOutcome.VersionConflict)
            return (outcome, null, TypedResults.Problem(statusCode: 412, title: "Precondition failed", detail: "the triage changed since you read it (If-Match); read it again and re-apply your change"));
        return (outcome, await ReadAsync(store, project.Id, fingerprint, ct), null);
    }

    internal static async Task<TriageDto> ReadAsync(AssayStore store, string projectId, string fingerprint, CancellationToken ct)
    {
        var row = await store.Triage.GetAsync(projectId, fingerprint, ct);
        var history = await store.Triage.HistoryAsync(projectId, fingerprint, ct);
        var intact = await store.Triage.VerifyChainAsync(projectId, fingerprint, ct);
        return new TriageDto(fingerprint, row?.State ?? "in_triage", row?.Justification, row?.Detail, row?.PendingState, row?.PendingJustification, row?.PendingBy,
            row?.Version ?? 0, row is null ? null : Clock.ToTime(row.UpdatedAt), row?.UpdatedBy, intact,
            [.. history.Select(e => new TriageEventDto(e.Seq, e.Action, e.FromState, e.ToState, e.Justification, e.Detail, e.Actor, Clock.ToTime(e.At), e.Sha256))]);
    }
}
