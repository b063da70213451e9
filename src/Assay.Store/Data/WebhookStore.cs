using Dapper;

namespace Assay.Store.Data;

/// <summary>A tenant's webhook endpoint: where to send which events, and the secret that signs them.</summary>
public sealed record WebhookRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string Url { get; init; } = "";
    public string Secret { get; init; } = "";

    /// <summary>Event names, comma-separated and sorted (<c>findings.changed,scan.completed</c>).</summary>
    public string Events { get; init; } = "";
    public long CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public long? DeletedAt { get; init; }

    /// <summary>The events as a list.</summary>
    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Webhook endpoints per tenant. A deleted endpoint keeps its row (its deliveries name it) and gets no new deliveries.</summary>
public sealed class WebhookStore(AssayDatabase database)
{
    public async Task<WebhookRow> CreateAsync(string tenantId, string url, string secret, IReadOnlyList<string> events, string createdBy, CancellationToken cancellationToken = default)
    {
        var row = new WebhookRow
        {
            Id = Ids.New(), TenantId = tenantId, Url = url, Secret = secret, Events = string.Join(',', events.Order(StringComparer.Ordinal)),
            CreatedAt = Clock.Now(), CreatedBy = createdBy,
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO webhook (id, tenant_id, url, secret, events, created_at, created_by) VALUES (@Id, @TenantId, @Url, @Secret, @Events, @CreatedAt, @CreatedBy)", row);
        return row;
    }

    /// <summary>The tenant's live endpoints, oldest first.</summary>
    public async Task<IReadOnlyList<WebhookRow>> ListAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<WebhookRow>("SELECT * FROM webhook WHERE tenant_id = @tenantId AND deleted_at IS NULL ORDER BY id", new { tenantId })];
    }

    /// <summary>A live endpoint of the tenant, or null.</summary>
    public async Task<WebhookRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>("SELECT * FROM webhook WHERE id = @id AND tenant_id = @tenantId AND deleted_at IS NULL", new { id, tenantId });
    }

    /// <summary>Deletes an endpoint: no new deliveries; pending ones are marked failed. False when there was no such live endpoint.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id))
            return false;
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = Clock.Now();
            if (await connection.ExecuteAsync("UPDATE webhook SET deleted_at = @now WHERE id = @id AND tenant_id = @tenantId AND deleted_at IS NULL", new { id, tenantId, now }, transaction) != 1)
                return false;
            await connection.ExecuteAsync(
                "UPDATE webhook_delivery SET status = 'failed', last_error = 'the webhook was deleted' WHERE webhook_id = @id AND status = 'pending'", new { id }, transaction);
            return true;
        }, cancellationToken);
    }
}
