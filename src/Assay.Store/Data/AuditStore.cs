using Dapper;

namespace Assay.Store.Data;

public sealed record AuditRow
{
    public string Id { get; init; } = "";
    public string? TenantId { get; init; }
    public string Actor { get; init; } = "";
    public string Action { get; init; } = "";
    public string Target { get; init; } = "";
    public long Status { get; init; }
    public long At { get; init; }
    public string? RequestId { get; init; }
    public string? Ip { get; init; }
}

/// <summary>The audit log: every mutating request (method, route, target, status, actor), newest first in reads.</summary>
public sealed class AuditStore(AssayDatabase database)
{
    public async Task AppendAsync(AuditRow row, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO audit_log (id, tenant_id, actor, action, target, status, at, request_id, ip) VALUES (@Id, @TenantId, @Actor, @Action, @Target, @Status, @At, @RequestId, @Ip)",
            row with { Id = string.IsNullOrEmpty(row.Id) ? Ids.New() : row.Id });
    }

    /// <summary>Entries of one tenant (null: the system's own, tenants and keys), keyset-paginated newest first.</summary>
    public async Task<IReadOnlyList<AuditRow>> ListAsync(string? tenantId, string? beforeId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<AuditRow>(
            "SELECT * FROM audit_log WHERE (tenant_id = @tenantId OR (@tenantId IS NULL AND tenant_id IS NULL)) AND (@beforeId IS NULL OR id < @beforeId) ORDER BY id DESC LIMIT @limit",
            new { tenantId, beforeId, limit = (long)limit })];
    }
}
