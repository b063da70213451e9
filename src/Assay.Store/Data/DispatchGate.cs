using Dapper;

namespace Assay.Store.Data;

/// <summary>
/// The scale-out dispatch gate: queued scans are held in Assay's table and handed to the job
/// engine a few at a time, in an order fair across tenants, so one tenant's 1,000 queued releases
/// do not starve another tenant's one. Hangfire's queues are FIFO; the gate keeps them short (at
/// most <c>dispatchAhead</c> scans enqueued and not yet claimed) and chooses which scan goes next:
/// the most urgent priority first, then the tenant with the fewest scans in flight (running, or
/// enqueued and not yet claimed), then queue order. Work-conserving: while any scan is held the
/// engine's queue is never empty, so a lone tenant still gets every worker.
/// </summary>
/// <remarks>
/// A release is at least once: the job is enqueued before <c>dispatched_at</c> is written, so a
/// process that dies between the two leaves the scan held, and the next release enqueues it again;
/// the stage job's claim fence lets exactly one of the two jobs run. A scan that stays queued a
/// lease after its release (its job was lost: deleted after its retries, or never stored) is
/// released again. The insert of a scan and its release are separate steps on purpose: whoever
/// releases next (the request that queued it, any stage job that claims or ends a scan, every
/// worker's sweep) dispatches it, so a web process killed between the two loses nothing.
/// Releasers are serialized by a PostgreSQL advisory lock, so two never overfill the queue or
/// enqueue the same scan twice. Limitation: each release ranks every held scan (a window over the
/// <c>scan_held</c> index): milliseconds for thousands of held scans, not tuned for millions.
/// </remarks>
public sealed class DispatchGate(AssayDatabase database)
{
    /// <summary>Advisory lock key: the bytes of "assay-dg" as a number, stable across releases.</summary>
    private const long PostgresLockKey = 0x6173736179_2D6467;

    /// <summary>
    /// Releases held scans into the job engine with <paramref name="enqueue"/> (which must store the
    /// scan's first stage job before it returns): first any scan released more than
    /// <paramref name="redispatchAfterMilliseconds"/> ago and still unclaimed, then new ones in fair
    /// order until <paramref name="dispatchAhead"/> released scans wait unclaimed. Returns the scans
    /// released, in release order.
    /// </summary>
    public async Task<IReadOnlyList<ScanRow>> ReleaseAsync(int dispatchAhead, long redispatchAfterMilliseconds, Func<ScanRow, Task> enqueue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dispatchAhead, 1);
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            if (database.Kind == StoreKind.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresLockKey }, transaction);
            var now = Clock.Now();
            var released = new List<ScanRow>();
            async Task ReleaseAll(IEnumerable<ScanRow> scans)
            {
                foreach (var scan in scans)
                {
                    await enqueue(scan);
                    await connection.ExecuteAsync("UPDATE scan SET dispatched_at = @now WHERE id = @id AND status = 'queued'", new { now, id = scan.Id }, transaction);
                    released.Add(scan with { DispatchedAt = now });
                }
            }

            // Released, unclaimed for a lease: the job was lost (or waits behind long stages; a duplicate is harmless).
            await ReleaseAll(await connection.QueryAsync<ScanRow>(
                "SELECT * FROM scan WHERE status = 'queued' AND dispatched_at < @lost ORDER BY priority, queued_at, id LIMIT @dispatchAhead",
                new { lost = now - redispatchAfterMilliseconds, dispatchAhead }, transaction));

            var waiting = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scan WHERE status = 'queued' AND dispatched_at IS NOT NULL", transaction: transaction);
            var room = dispatchAhead - waiting;
            if (room <= 0)
                return released;
            // turn: a held scan's place in its tenant's line (per priority); in flight: the tenant's scans
            // running or released. Ordering by their sum interleaves tenants round-robin, starting with
            // the one that has least in flight.
            await ReleaseAll(await connection.QueryAsync<ScanRow>(
                "SELECT h.* FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.tenant_id, s.priority ORDER BY s.queued_at, s.id) AS turn " +
                "FROM scan s WHERE s.status = 'queued' AND s.dispatched_at IS NULL) h " +
                "LEFT JOIN (SELECT tenant_id, COUNT(*) AS n FROM scan WHERE status = 'running' OR (status = 'queued' AND dispatched_at IS NOT NULL) GROUP BY tenant_id) f " +
                "ON f.tenant_id = h.tenant_id ORDER BY h.priority, COALESCE(f.n, 0) + h.turn, h.queued_at, h.id LIMIT @room",
                new { room }, transaction));
            return released;
        }, cancellationToken);
    }

    /// <summary>Scans held (queued, not yet released) and released but not yet claimed, for the admin view and tests.</summary>
    public async Task<(long Held, long Released)> DepthAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var held = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scan WHERE status = 'queued' AND dispatched_at IS NULL");
        var released = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scan WHERE status = 'queued' AND dispatched_at IS NOT NULL");
        return (held, released);
    }
}
