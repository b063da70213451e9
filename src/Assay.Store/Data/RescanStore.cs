using System.Data.Common;
using Dapper;

namespace Assay.Store.Data;

/// <summary>A vulnerability introduced or resolved by a re-match, against the scan it started from.</summary>
public sealed record FindingsChangeRow
{
    public string ScanId { get; init; } = "";
    public long Ordinal { get; init; }
    public string BaseScanId { get; init; } = "";
    public string Change { get; init; } = "";
    public string Fingerprint { get; init; } = "";
    public string VulnerabilityId { get; init; } = "";
    public string Component { get; init; } = "";
    public string Severity { get; init; } = "";
}

/// <summary>
/// Re-matching on a new vulnerability database: which evaluations are out of date, the re-match
/// scans that bring them up to date, the database each scan's findings came from and the changes
/// a re-match found.
/// </summary>
public sealed class RescanStore(AssayDatabase database)
{
    /// <summary>The change kinds of <see cref="FindingsChangeRow.Change"/>.</summary>
    public const string Introduced = "introduced";

    /// <inheritdoc cref="Introduced"/>
    public const string Resolved = "resolved";

    /// <summary>Stages of a re-match: the vulnerability step on the base evaluation, then the report stage (rows and the scan's end).</summary>
    public static IReadOnlyList<string> RematchStages { get; } = ["rematch", ScanStore.StageNames.Report];

    /// <summary>Advisory lock key of the re-match planner: "assay-rm" as a number, so two web processes never plan at once.</summary>
    private const long PlanLockKey = 0x6173736179_2D726D;

    /// <summary>
    /// Creates a queued re-match scan for the newest evaluation of every release whose findings came
    /// from a database other than <paramref name="fingerprint"/> (or from an unknown one) and that
    /// has no scan queued or running, all in one transaction. Returns the new scans (to dispatch).
    /// </summary>
    public async Task<IReadOnlyList<ScanRow>> PlanAsync(string fingerprint, string requestedBy, string engineVersion, long priority, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            if (database.Kind == StoreKind.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PlanLockKey }, transaction);
            var stale = (await connection.QueryAsync<ScanRow>(
                """
                SELECT s.* FROM evaluation e JOIN scan s ON s.id = e.scan_id
                WHERE NOT EXISTS (SELECT 1 FROM evaluation n WHERE n.release_id = e.release_id AND (n.created_at > e.created_at OR (n.created_at = e.created_at AND n.scan_id > e.scan_id)))
                  AND (s.vulndb_fingerprint IS NULL OR s.vulndb_fingerprint <> @fingerprint)
                  AND NOT EXISTS (SELECT 1 FROM scan r WHERE r.release_id = s.release_id AND r.status IN ('queued', 'running'))
                ORDER BY s.id
                """, new { fingerprint }, transaction)).ToList();
            var created = new List<ScanRow>(stale.Count);
            foreach (var base_ in stale)
            {
                var row = new ScanRow
                {
                    Id = Ids.New(), TenantId = base_.TenantId, ProjectId = base_.ProjectId, ReleaseId = base_.ReleaseId, Status = ScanStore.Status.Queued,
                    Priority = priority, RequestedBy = requestedBy, EngineVersion = engineVersion, QueuedAt = Clock.Now(),
                    Kind = ScanKinds.Rematch, BaseScanId = base_.Id,
                };
                await connection.ExecuteAsync(
                    "INSERT INTO scan (id, tenant_id, project_id, release_id, status, priority, requested_by, engine_version, attempt, queued_at, kind, base_scan_id) " +
                    "VALUES (@Id, @TenantId, @ProjectId, @ReleaseId, @Status, @Priority, @RequestedBy, @EngineVersion, 0, @QueuedAt, @Kind, @BaseScanId)", row, transaction);
                for (var i = 0; i < RematchStages.Count; i++)
                {
                    await connection.ExecuteAsync(
                        "INSERT INTO scan_stage (scan_id, stage, ordinal, status, attempt, progress_done, progress_total) VALUES (@id, @stage, @ordinal, 'pending', 0, 0, 0)",
                        new { id = row.Id, stage = RematchStages[i], ordinal = (long)i }, transaction);
                }
                created.Add(row);
            }
            return (IReadOnlyList<ScanRow>)created;
        }, cancellationToken);
    }

    /// <summary>Records the database a scan's findings come from; fenced by the attempt (false: the attempt lost its lease).</summary>
    public async Task<bool> RecordDatabaseAsync(string scanId, long attempt, string? fingerprint, string? label, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE scan SET vulndb_fingerprint = @fingerprint, vulndb_label = @label WHERE id = @scanId AND attempt = @attempt AND status = 'running'",
            new { scanId, attempt, fingerprint, label }) == 1;
    }

    /// <summary>Writes the changes of a re-match inside the transaction of its index commit (earlier rows of the scan replaced).</summary>
    public static async Task RecordChangesAsync(DbConnection connection, DbTransaction transaction, ScanRow scan, IReadOnlyList<FindingsChangeRow> changes)
    {
        await connection.ExecuteAsync("DELETE FROM findings_change WHERE scan_id = @id", new { id = scan.Id }, transaction);
        await BatchInsert.RunAsync(connection, transaction, "findings_change",
            ["scan_id", "ordinal", "tenant_id", "base_scan_id", "change", "fingerprint", "vulnerability_id", "component", "severity"],
            changes.Select((c, i) => (c, i)),
            x => [scan.Id, (long)x.i, scan.TenantId, x.c.BaseScanId, x.c.Change, x.c.Fingerprint, x.c.VulnerabilityId, x.c.Component, x.c.Severity]);
    }

    /// <summary>The changes a re-match found (the caller has checked the scan's scope), introduced first.</summary>
    public async Task<IReadOnlyList<FindingsChangeRow>> ChangesAsync(string scanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<FindingsChangeRow>(
            "SELECT scan_id, ordinal, base_scan_id, change, fingerprint, vulnerability_id, component, severity FROM findings_change WHERE scan_id = @scanId ORDER BY ordinal",
            new { scanId })];
    }
}
