using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Assay.Store.Data;

public sealed record TriageRow
{
    public string ProjectId { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string State { get; init; } = "";
    public string? Justification { get; init; }
    public string? Detail { get; init; }
    public string? PendingState { get; init; }
    public string? PendingJustification { get; init; }
    public string? PendingBy { get; init; }
    public long Version { get; init; }
    public long UpdatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
}

public sealed record TriageEventRow
{
    public string ProjectId { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public long Seq { get; init; }
    public string TenantId { get; init; } = "";
    public string Action { get; init; } = "";
    public string? FromState { get; init; }
    public string ToState { get; init; } = "";
    public string? Justification { get; init; }
    public string? Detail { get; init; }
    public string Actor { get; init; } = "";
    public long At { get; init; }
    public string PrevSha256 { get; init; } = "";
    public string Sha256 { get; init; } = "";
}

/// <summary>The outcome of a triage write.</summary>
public enum TriageOutcome
{
    /// <summary>The decision is in force.</summary>
    Applied,

    /// <summary>A suppression of a high or critical finding waits for a lead's approval (four eyes).</summary>
    PendingApproval,

    /// <summary>If-Match named another version: someone changed the decision meanwhile.</summary>
    VersionConflict,

    /// <summary>Nothing waits for approval, or the approver proposed it themself.</summary>
    NothingToApprove,
}

/// <summary>
/// Triage decisions keyed by (project, finding fingerprint), so a decision carries to every later
/// release where the finding appears. Every change appends an event to a hash-chained trail:
/// each event's SHA-256 covers the previous event's hash and its own fields, so a changed or
/// deleted event breaks the chain (<see cref="VerifyChainAsync"/>).
/// </summary>
public sealed class TriageStore(AssayDatabase database)
{
    /// <summary>CycloneDX impact-analysis states.</summary>
    public static IReadOnlyList<string> States { get; } = ["exploitable", "false_positive", "in_triage", "not_affected", "resolved", "resolved_with_pedigree"];

    /// <summary>States that hide a finding; on high and critical findings they need a second person.</summary>
    public static IReadOnlyList<string> SuppressingStates { get; } = ["false_positive", "not_affected"];

    private const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task<TriageRow?> GetAsync(string projectId, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TriageRow>("SELECT * FROM triage WHERE project_id = @projectId AND fingerprint = @fingerprint", new { projectId, fingerprint });
    }

    public async Task<IReadOnlyList<TriageEventRow>> HistoryAsync(string projectId, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<TriageEventRow>(
            "SELECT * FROM triage_event WHERE project_id = @projectId AND fingerprint = @fingerprint ORDER BY seq", new { projectId, fingerprint })];
    }

    /// <summary>
    /// Sets a decision. <paramref name="needsSecondPerson"/>: the state is suppressing and the finding
    /// high or critical, so it is recorded as pending until another lead approves it.
    /// </summary>
    public async Task<(TriageOutcome Outcome, TriageRow? Row)> SetAsync(string tenantId, string projectId, string fingerprint, string state, string? justification, string? detail,
        string actor, bool needsSecondPerson, long? ifMatchVersion, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<TriageRow>(
                "SELECT * FROM triage WHERE project_id = @projectId AND fingerprint = @fingerprint" + database.SkipLocked, new { projectId, fingerprint }, transaction);
            if (ifMatchVersion is { } expected && (current?.Version ?? 0) != expected)
                return (TriageOutcome.VersionConflict, current);
            var now = Clock.Now();
            TriageRow next;
            string action;
            if (needsSecondPerson)
            {
                action = "propose";
                next = (current ?? new TriageRow { ProjectId = projectId, Fingerprint = fingerprint, TenantId = tenantId, State = "in_triage" }) with
                {
                    PendingState = state, PendingJustification = justification, PendingBy = actor, Detail = detail ?? current?.Detail,
                    Version = (current?.Version ?? 0) + 1, UpdatedAt = now, UpdatedBy = actor,
                };
            }
            else
            {
                action = "set";
                next = new TriageRow
                {
                    ProjectId = projectId, Fingerprint = fingerprint, TenantId = tenantId, State = state, Justification = justification, Detail = detail,
                    Version = (current?.Version ?? 0) + 1, UpdatedAt = now, UpdatedBy = actor,
                };
            }
            await UpsertAsync(connection, transaction, current is null, next);
            await AppendAsync(connection, transaction, next, action, current?.State, state, justification, detail, actor, now);
            return (needsSecondPerson ? TriageOutcome.PendingApproval : TriageOutcome.Applied, next);
        }, cancellationToken);
    }

    /// <summary>Approves (or rejects) the pending suppression; the approver must not be its proposer.</summary>
    public async Task<(TriageOutcome Outcome, TriageRow? Row)> DecideAsync(string projectId, string fingerprint, bool approve, string actor, string? comment, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.QuerySingleOrDefaultAsync<TriageRow>(
                "SELECT * FROM triage WHERE project_id = @projectId AND fingerprint = @fingerprint" + database.SkipLocked, new { projectId, fingerprint }, transaction);
            if (current?.PendingState is null || current.PendingBy == actor)
                return (TriageOutcome.NothingToApprove, current);
            var now = Clock.Now();
            var next = current with
            {
                State = approve ? current.PendingState : current.State,
                Justification = approve ? current.PendingJustification : current.Justification,
                PendingState = null, PendingJustification = null, PendingBy = null,
                Version = current.Version + 1, UpdatedAt = now, UpdatedBy = actor,
            };
            await UpsertAsync(connection, transaction, false, next);
            await AppendAsync(connection, transaction, next, approve ? "approve" : "reject", current.State, approve ? current.PendingState : current.State,
                current.PendingJustification, comment, actor, now);
            return (TriageOutcome.Applied, next);
        }, cancellationToken);
    }

    /// <summary>Recomputes the chain of one finding's trail; false when an event was changed, removed or reordered.</summary>
    public async Task<bool> VerifyChainAsync(string projectId, string fingerprint, CancellationToken cancellationToken = default)
    {
        var previous = Genesis;
        foreach (var e in await HistoryAsync(projectId, fingerprint, cancellationToken))
        {
            if (e.PrevSha256 != previous || e.Sha256 != EventHash(e))
                return false;
            previous = e.Sha256;
        }
        return true;
    }

    /// <summary>Decisions of a project, for the compare view's "triage carried" column.</summary>
    public async Task<IReadOnlyDictionary<string, TriageRow>> ForProjectAsync(string projectId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TriageRow>("SELECT * FROM triage WHERE project_id = @projectId", new { projectId })).ToDictionary(t => t.Fingerprint);
    }

    private static Task UpsertAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, bool insert, TriageRow row) =>
        connection.ExecuteAsync(insert
            ? "INSERT INTO triage (project_id, fingerprint, tenant_id, state, justification, detail, pending_state, pending_justification, pending_by, version, updated_at, updated_by) " +
              "VALUES (@ProjectId, @Fingerprint, @TenantId, @State, @Justification, @Detail, @PendingState, @PendingJustification, @PendingBy, @Version, @UpdatedAt, @UpdatedBy)"
            : "UPDATE triage SET state = @State, justification = @Justification, detail = @Detail, pending_state = @PendingState, pending_justification = @PendingJustification, " +
              "pending_by = @PendingBy, version = @Version, updated_at = @UpdatedAt, updated_by = @UpdatedBy WHERE project_id = @ProjectId AND fingerprint = @Fingerprint",
            row, transaction);

    private static async Task AppendAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, TriageRow row, string action,
        string? from, string to, string? justification, string? detail, string actor, long at)
    {
        var last = await connection.QuerySingleOrDefaultAsync<TriageEventRow>(
            "SELECT * FROM triage_event WHERE project_id = @ProjectId AND fingerprint = @Fingerprint ORDER BY seq DESC LIMIT 1", row, transaction);
        var e = new TriageEventRow
        {
            ProjectId = row.ProjectId, Fingerprint = row.Fingerprint, Seq = (last?.Seq ?? 0) + 1, TenantId = row.TenantId, Action = action,
            FromState = from, ToState = to, Justification = justification, Detail = detail, Actor = actor, At = at, PrevSha256 = last?.Sha256 ?? Genesis,
        };
        e = e with { Sha256 = EventHash(e) };
        await connection.ExecuteAsync(
            "INSERT INTO triage_event (project_id, fingerprint, seq, tenant_id, action, from_state, to_state, justification, detail, actor, at, prev_sha256, sha256) " +
            "VALUES (@ProjectId, @Fingerprint, @Seq, @TenantId, @Action, @FromState, @ToState, @Justification, @Detail, @Actor, @At, @PrevSha256, @Sha256)", e, transaction);
    }

    /// <summary>SHA-256 over the previous hash and the event's fields, each length-prefixed so no two field lists hash alike.</summary>
    internal static string EventHash(TriageEventRow e)
    {
        var text = new StringBuilder();
        foreach (var field in new[] { e.PrevSha256, e.ProjectId, e.Fingerprint, e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.TenantId, e.Action,
                     e.FromState ?? "", e.ToState, e.Justification ?? "", e.Detail ?? "", e.Actor, e.At.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            text.Append(field.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(field).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
