using Dapper;

namespace Assay.Store.Data;

public sealed record ScanRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string ReleaseId { get; init; } = "";
    public string Status { get; init; } = "";
    public long Priority { get; init; }
    public string RequestedBy { get; init; } = "";
    public string EngineVersion { get; init; } = "";
    public long Attempt { get; init; }
    public string? LeaseOwner { get; init; }
    public long? HeartbeatAt { get; init; }
    public long QueuedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? FinishedAt { get; init; }
    public string? Error { get; init; }

    /// <summary>When the scan's first stage job was last handed to the job engine; null while the dispatch gate holds it (scale-out only).</summary>
    public long? DispatchedAt { get; init; }

    /// <summary><see cref="ScanKinds.Scan"/> (the engine on the delivery) or <see cref="ScanKinds.Rematch"/> (the vulnerability match alone on <see cref="BaseScanId"/>'s evaluation).</summary>
    public string Kind { get; init; } = ScanKinds.Scan;

    /// <summary>The scan whose evaluation a re-match started from.</summary>
    public string? BaseScanId { get; init; }

    /// <summary>Content fingerprint of the vulnerability database the findings came from (null: not matched yet, or no database).</summary>
    public string? VulndbFingerprint { get; init; }

    /// <summary>Readable name of that database (sources, record counts, newest record).</summary>
    public string? VulndbLabel { get; init; }
}

/// <summary>What a scan row runs.</summary>
public static class ScanKinds
{
    /// <summary>The whole engine on the release's delivery: stages <c>unpack</c>, <c>match</c>, <c>diff</c>, <c>report</c> (<see cref="ScanStore.Stages"/>).</summary>
    public const string Scan = "scan";

    /// <summary>The vulnerability match alone, on a stored evaluation: stages <c>rematch</c>, <c>report</c>.</summary>
    public const string Rematch = "rematch";
}

public sealed record StageRow
{
    public string ScanId { get; init; } = "";
    public string Stage { get; init; } = "";
    public long Ordinal { get; init; }
    public string Status { get; init; } = "";
    public long Attempt { get; init; }
    public long ProgressDone { get; init; }
    public long ProgressTotal { get; init; }
    public string? Detail { get; init; }
    public string? OutputSha256 { get; init; }
    public long? StartedAt { get; init; }
    public long? FinishedAt { get; init; }
    public string? Error { get; init; }
}

/// <summary>A scan claimed by a worker: the attempt number fences every later write of that worker.</summary>
public sealed record ScanClaim(ScanRow Scan, long Attempt);

/// <summary>
/// Scans and their stages as rows: the queue, the leases and the progress that the UI reads.
/// A worker claims a queued scan (or one whose lease expired) by bumping <c>attempt</c>; every
/// later write names that attempt and is refused once another worker has taken the scan over, so
/// a stalled worker that wakes up cannot commit over the newer attempt.
/// </summary>
public sealed class ScanStore(AssayDatabase database)
{
    public static class Status
    {
        public const string Queued = "queued";
        public const string Running = "running";
        public const string Succeeded = "succeeded";
        public const string Failed = "failed";
        public const string Cancelled = "cancelled";
        public const string Pending = "pending";
    }

    /// <summary>The stage names of a scan.</summary>
    public static class StageNames
    {
        /// <summary>One read of the delivery: identify, unpack, and the catalogers and analyzers fused into the walk.</summary>
        public const string Unpack = "unpack";

        /// <summary>The evaluation: assembled from the unpack stage's output, then consolidation, TS 33.117 and the vulnerability match.</summary>
        public const string Match = "match";

        /// <summary>The release diff against the previous release's newest evaluation.</summary>
        public const string Diff = "diff";

        /// <summary>The rows for lists, search and triage, and the scan's end.</summary>
        public const string Report = "report";
    }

    /// <summary>Stages of a scan, in order; each its own job when scaled out, each output a content-addressed blob.</summary>
    public static IReadOnlyList<string> Stages { get; } = [StageNames.Unpack, StageNames.Match, StageNames.Diff, StageNames.Report];

    public async Task<ScanRow> CreateAsync(ReleaseRow release, string requestedBy, string engineVersion, long priority, CancellationToken cancellationToken = default)
    {
        var row = new ScanRow
        {
            Id = Ids.New(), TenantId = release.TenantId, ProjectId = release.ProjectId, ReleaseId = release.Id, Status = Status.Queued,
            Priority = priority, RequestedBy = requestedBy, EngineVersion = engineVersion, QueuedAt = Clock.Now(),
        };
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                "INSERT INTO scan (id, tenant_id, project_id, release_id, status, priority, requested_by, engine_version, attempt, queued_at) " +
                "VALUES (@Id, @TenantId, @ProjectId, @ReleaseId, @Status, @Priority, @RequestedBy, @EngineVersion, 0, @QueuedAt)", row, transaction);
            for (var i = 0; i < Stages.Count; i++)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO scan_stage (scan_id, stage, ordinal, status, attempt, progress_done, progress_total) VALUES (@id, @stage, @ordinal, 'pending', 0, 0, 0)",
                    new { id = row.Id, stage = Stages[i], ordinal = (long)i }, transaction);
            }
            return row;
        }, cancellationToken);
    }

    public async Task<ScanRow?> GetAsync(Scope scope, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ScanRow>("SELECT * FROM scan WHERE id = @id AND tenant_id = @tenant", new { id, tenant = scope.TenantId });
        return row is not null && scope.Allows(row.ProjectId) ? row : null;
    }

    /// <summary>A scan by id without a scope: for the worker only, never for a request.</summary>
    internal async Task<ScanRow?> GetForWorkerAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ScanRow>("SELECT * FROM scan WHERE id = @id", new { id });
    }

    public async Task<IReadOnlyList<StageRow>> StagesAsync(string scanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<StageRow>("SELECT * FROM scan_stage WHERE scan_id = @scanId ORDER BY ordinal", new { scanId })];
    }

    /// <summary>Scans of a release, newest first.</summary>
    public async Task<IReadOnlyList<ScanRow>> ListByReleaseAsync(string releaseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ScanRow>("SELECT * FROM scan WHERE release_id = @releaseId ORDER BY id DESC", new { releaseId })];
    }

    /// <summary>
    /// Claims the most urgent queued scan, or a running one whose worker stopped heart-beating for
    /// <paramref name="leaseMilliseconds"/>, fairly across tenants (single-node mode; scale-out
    /// releases scans through <see cref="DispatchGate"/>). Null when there is nothing to do.
    /// </summary>
    public async Task<ScanClaim?> ClaimAsync(string workerId, long leaseMilliseconds, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = Clock.Now();
            // Fair across tenants: the most urgent priority, a scan to take over before a new one, then
            // the tenant with the fewest scans running, then the one served longest ago (so one
            // worker alternates between tenants instead of draining the first tenant's queue).
            var candidate = await connection.QuerySingleOrDefaultAsync<ScanRow>(
                "SELECT s.* FROM scan s LEFT JOIN (SELECT tenant_id, SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running, MAX(started_at) AS served " +
                "FROM scan WHERE tenant_id IN (SELECT tenant_id FROM scan WHERE status = 'queued') GROUP BY tenant_id) t ON t.tenant_id = s.tenant_id " +
                "WHERE s.status = 'queued' OR (s.status = 'running' AND s.heartbeat_at < @stale) " +
                "ORDER BY s.priority, CASE WHEN s.status = 'running' THEN 0 ELSE 1 END, COALESCE(t.running, 0), COALESCE(t.served, 0), s.queued_at, s.id LIMIT 1" +
                (database.Kind == StoreKind.Postgres ? " FOR UPDATE OF s SKIP LOCKED" : ""),
                new { stale = now - leaseMilliseconds }, transaction);
            if (candidate is null)
                return null;
            var attempt = candidate.Attempt + 1;
            var claimed = await connection.ExecuteAsync(
                "UPDATE scan SET status = 'running', attempt = @attempt, lease_owner = @workerId, heartbeat_at = @now, started_at = COALESCE(started_at, @now) " +
                "WHERE id = @id AND attempt = @previous",
                new { attempt, workerId, now, id = candidate.Id, previous = candidate.Attempt }, transaction);
            return claimed == 1 ? new ScanClaim(candidate with { Status = Status.Running, Attempt = attempt, LeaseOwner = workerId, HeartbeatAt = now }, attempt) : null;
        }, cancellationToken);
    }

    /// <summary>
    /// Claims <paramref name="scanId"/> for one dispatched stage job (scale-out: a job carries
    /// (scan, stage, attempt)). The claim bumps the attempt and succeeds only when the scan is
    /// queued, or running and either handed on by <paramref name="handedOnBy"/> (the attempt that
    /// committed the previous stage and dispatched this job) or left by a worker that stopped
    /// heart-beating for <paramref name="leaseMilliseconds"/>. Null otherwise: the scan ended, was
    /// cancelled, or another worker holds a live lease (a duplicate delivery of the job).
    /// </summary>
    public async Task<ScanClaim?> ClaimForStageAsync(string scanId, long handedOnBy, string workerId, long leaseMilliseconds, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Clock.Now();
        var row = await connection.QuerySingleOrDefaultAsync<ScanRow>(
            "UPDATE scan SET status = 'running', attempt = attempt + 1, lease_owner = @workerId, heartbeat_at = @now, started_at = COALESCE(started_at, @now) " +
            "WHERE id = @scanId AND (status = 'queued' OR (status = 'running' AND (attempt = @handedOnBy OR heartbeat_at < @stale))) RETURNING *",
            new { scanId, handedOnBy, workerId, now, stale = now - leaseMilliseconds });
        return row is null ? null : new ScanClaim(row, row.Attempt);
    }

    /// <summary>
    /// Running scans whose worker stopped heart-beating for <paramref name="leaseMilliseconds"/>
    /// (killed, paused, partitioned), at most <paramref name="limit"/>. Each returned scan's
    /// heartbeat is renewed in the same statement on behalf of the job about to be dispatched for
    /// it, so several sweepers never re-dispatch the same scan twice within one lease.
    /// </summary>
    public async Task<IReadOnlyList<ScanRow>> TakeStaleAsync(long leaseMilliseconds, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Clock.Now();
        return [.. await connection.QueryAsync<ScanRow>(
            "UPDATE scan SET heartbeat_at = @now WHERE id IN (SELECT id FROM scan WHERE status = 'running' AND heartbeat_at < @stale ORDER BY heartbeat_at LIMIT @limit" + database.SkipLocked + ") RETURNING *",
            new { now, stale = now - leaseMilliseconds, limit })];
    }

    /// <summary>
    /// Gives up the lease of <paramref name="attempt"/> at once (the worker is shutting down
    /// cleanly): the attempt stays the fence, so this worker can commit nothing more, but the
    /// heartbeat reads as expired and the next claim, stage job or sweep takes the scan over without
    /// waiting one lease. False when the attempt was no longer current.
    /// </summary>
    public async Task<bool> ReleaseLeaseAsync(string scanId, long attempt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan SET heartbeat_at = 0, lease_owner = NULL WHERE id = @scanId AND attempt = @attempt AND status = 'running'",
            new { scanId, attempt }) == 1;
    }

    /// <summary>Renews the lease. False when the attempt is no longer current or the scan was cancelled: the worker must stop.</summary>
    public async Task<bool> HeartbeatAsync(string scanId, long attempt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan SET heartbeat_at = @now WHERE id = @scanId AND attempt = @attempt AND status = 'running'",
            new { scanId, attempt, now = Clock.Now() }) == 1;
    }

    /// <summary>Marks a stage running under this attempt (a stage already succeeded stays so: its output is reused).</summary>
    public async Task<bool> StartStageAsync(string scanId, string stage, long attempt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan_stage SET status = 'running', attempt = @attempt, started_at = @now, error = NULL " +
            "WHERE scan_id = @scanId AND stage = @stage AND status <> 'succeeded' AND (SELECT s.attempt FROM scan s WHERE s.id = @scanId) = @attempt",
            new { scanId, stage, attempt, now = Clock.Now() }) == 1;
    }

    public async Task ReportProgressAsync(string scanId, string stage, long attempt, long done, long total, string? detail, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE scan_stage SET progress_done = @done, progress_total = @total, detail = @detail WHERE scan_id = @scanId AND stage = @stage AND attempt = @attempt",
            new { scanId, stage, attempt, done, total, detail });
    }

    /// <summary>
    /// Commits a stage's output if, and only if, <paramref name="attempt"/> is still the scan's
    /// current attempt. Returns false for a fenced-off (zombie) worker; nothing is written then.
    /// </summary>
    public async Task<bool> CompleteStageAsync(string scanId, string stage, long attempt, string? outputSha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await CompleteStageAsync(connection, null, scanId, stage, attempt, outputSha256);
    }

    internal static async Task<bool> CompleteStageAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string scanId, string stage, long attempt, string? outputSha256)
    {
        var now = Clock.Now();
        return await connection.ExecuteAsync(
            "UPDATE scan_stage SET status = 'succeeded', output_sha256 = @outputSha256, finished_at = @now, progress_done = CASE WHEN progress_total > 0 THEN progress_total ELSE progress_done END " +
            "WHERE scan_id = @scanId AND stage = @stage AND attempt = @attempt AND (SELECT s.attempt FROM scan s WHERE s.id = @scanId AND s.status = 'running') = @attempt",
            new { scanId, stage, attempt, outputSha256, now }, transaction) == 1;
    }

    public async Task FailStageAsync(string scanId, string stage, long attempt, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE scan_stage SET status = 'failed', error = @error, finished_at = @now WHERE scan_id = @scanId AND stage = @stage AND attempt = @attempt",
            new { scanId, stage, attempt, error, now = Clock.Now() });
    }

    /// <summary>Ends a running scan (fenced by attempt). False when the attempt lost its lease or the scan was cancelled.</summary>
    public async Task<bool> FinishAsync(string scanId, long attempt, string status, string? error, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan SET status = @status, error = @error, finished_at = @now, lease_owner = NULL WHERE id = @scanId AND attempt = @attempt AND status = 'running'",
            new { scanId, attempt, status, error, now = Clock.Now() }) == 1;
    }

    /// <summary>Ends a running scan inside the caller's transaction (fenced by attempt), so what the end causes (outbox rows) commits with it.</summary>
    public static async Task<bool> FinishAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string scanId, long attempt, string status, string? error)
    {
        return await connection.ExecuteAsync(
            "UPDATE scan SET status = @status, error = @error, finished_at = @now, lease_owner = NULL WHERE id = @scanId AND attempt = @attempt AND status = 'running'",
            new { scanId, attempt, status, error, now = Clock.Now() }, transaction) == 1;
    }

    /// <summary>Cancels a queued or running scan; false when it had already ended.</summary>
    public async Task<bool> CancelAsync(string scanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan SET status = 'cancelled', finished_at = @now, lease_owner = NULL WHERE id = @scanId AND status IN ('queued', 'running')",
            new { scanId, now = Clock.Now() }) == 1;
    }

    /// <summary>Queued and running scans, for <c>/readyz</c> and the admin page.</summary>
    public async Task<(long Queued, long Running)> DepthAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var queued = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scan WHERE status = 'queued'");
        var running = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scan WHERE status = 'running'");
        return (queued, running);
    }
}
