using System.Data.Common;
using Dapper;

namespace Assay.Store.Data;

/// <summary>One webhook delivery of the outbox, with its endpoint's URL and secret for the sender.</summary>
public sealed record OutboxRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string WebhookId { get; init; } = "";
    public string Event { get; init; } = "";
    public string Body { get; init; } = "";
    public string Status { get; init; } = "";
    public long Attempts { get; init; }
    public long NextAttemptAt { get; init; }
    public long? ClaimedUntil { get; init; }
    public long CreatedAt { get; init; }
    public long? DeliveredAt { get; init; }
    public long? LastStatus { get; init; }
    public string? LastError { get; init; }
    public string? ResponseExcerpt { get; init; }
    public string Url { get; init; } = "";
    public string Secret { get; init; } = "";
}

/// <summary>
/// The webhook outbox. A state change (a scan's commit, a re-match's commit) inserts its
/// deliveries in its own transaction (<see cref="EnqueueAsync"/>), so a crash after the commit
/// cannot lose one and a rolled-back change sends none. Senders claim due rows for a while
/// (<see cref="ClaimAsync"/>: <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, so several workers never
/// take the same row; SQLite has one process), send, and record the outcome. A sender that dies
/// holding rows loses its claim when it runs out: at-least-once, deduplicated by the delivery id.
/// </summary>
public sealed class OutboxStore(AssayDatabase database)
{
    public static class Status
    {
        public const string Pending = "pending";
        public const string Delivered = "delivered";
        public const string Failed = "failed";
    }

    /// <summary>
    /// Inserts one delivery of <paramref name="eventName"/> per live endpoint of the tenant that
    /// subscribes to it, inside the caller's transaction. <paramref name="body"/> receives the
    /// delivery id (it is part of the signed body, for dedupe). Returns the number of rows.
    /// </summary>
    public static async Task<int> EnqueueAsync(DbConnection connection, DbTransaction transaction, string tenantId, string eventName, Func<string, string> body)
    {
        var hooks = await connection.QueryAsync<WebhookRow>(
            "SELECT * FROM webhook WHERE tenant_id = @tenantId AND deleted_at IS NULL ORDER BY id", new { tenantId }, transaction);
        var count = 0;
        var now = Clock.Now();
        foreach (var hook in hooks.Where(h => h.EventList.Contains(eventName, StringComparer.Ordinal)))
        {
            var id = Ids.New();
            await connection.ExecuteAsync(
                "INSERT INTO webhook_delivery (id, tenant_id, webhook_id, event, body, status, attempts, next_attempt_at, created_at) " +
                "VALUES (@id, @tenantId, @webhookId, @eventName, @body, 'pending', 0, @now, @now)",
                new { id, tenantId, webhookId = hook.Id, eventName, body = body(id), now }, transaction);
            count++;
        }
        return count;
    }

    /// <summary>Claims up to <paramref name="limit"/> due pending deliveries for <paramref name="claimMilliseconds"/>.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ClaimAsync(int limit, long claimMilliseconds, CancellationToken cancellationToken = default)
    {
        // An idle poll reads without taking SQLite's write lock (or PostgreSQL row locks); only a due row starts a claim.
        await using (var probe = await database.OpenAsync(cancellationToken))
        {
            var due = await probe.ExecuteScalarAsync<long?>(
                "SELECT 1 FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now) LIMIT 1",
                new { now = Clock.Now() });
            if (due is null)
                return [];
        }
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = Clock.Now();
            var ids = (await connection.QueryAsync<string>(
                "SELECT id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now) " +
                "ORDER BY next_attempt_at, id LIMIT @limit" + database.SkipLocked,
                new { now, limit = (long)limit }, transaction)).ToList();
            var rows = new List<OutboxRow>(ids.Count);
            foreach (var id in ids)
            {
                await connection.ExecuteAsync("UPDATE webhook_delivery SET claimed_until = @until WHERE id = @id", new { id, until = now + claimMilliseconds }, transaction);
                rows.Add(await connection.QuerySingleAsync<OutboxRow>(
                    "SELECT d.*, w.url, w.secret FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE d.id = @id", new { id }, transaction));
            }
            return (IReadOnlyList<OutboxRow>)rows;
        }, cancellationToken);
    }

    /// <summary>Records an accepted delivery.</summary>
    public async Task DeliveredAsync(string id, int status, string? excerpt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, delivered_at = @now, claimed_until = NULL, last_status = @status, last_error = NULL, response_excerpt = @excerpt WHERE id = @id AND status = 'pending'",
            new { id, now = Clock.Now(), status = (long)status, excerpt });
    }

    /// <summary>Records a failed attempt: due again at <paramref name="retryAt"/>, or failed for good when null.</summary>
    public async Task AttemptFailedAsync(string id, int? status, string error, string? excerpt, long? retryAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE webhook_delivery SET status = @next, attempts = attempts + 1, next_attempt_at = COALESCE(@retryAt, next_attempt_at), claimed_until = NULL, " +
            "last_status = @status, last_error = @error, response_excerpt = @excerpt WHERE id = @id AND status = 'pending'",
            new { id, next = retryAt is null ? Status.Failed : Status.Pending, retryAt, status = (long?)status, error, excerpt });
    }

    /// <summary>Deliveries of one endpoint (the caller has checked the tenant), newest first.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ListAsync(string webhookId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<OutboxRow>(
            "SELECT d.*, '' AS url, '' AS secret FROM webhook_delivery d WHERE d.webhook_id = @webhookId ORDER BY d.id DESC LIMIT @limit", new { webhookId, limit = (long)limit })];
    }

    /// <summary>Pending deliveries of every tenant (for the admin view and tests).</summary>
    public async Task<long> PendingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_delivery WHERE status = 'pending'");
    }
}
