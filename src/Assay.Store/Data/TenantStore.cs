using Dapper;

namespace Assay.Store.Data;

public sealed record TenantRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public long CreatedAt { get; init; }
}

/// <summary>Tenants: a lab customer, an operator or a regulator. Only system administrators list or create them.</summary>
public sealed class TenantStore(AssayDatabase database)
{
    /// <summary>Creates a tenant; null when the name is taken.</summary>
    public async Task<TenantRow?> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        var row = new TenantRow { Id = Ids.New(), Name = name, CreatedAt = Clock.Now() };
        await using var connection = await database.OpenAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(
            "INSERT INTO tenant (id, name, created_at) VALUES (@Id, @Name, @CreatedAt) ON CONFLICT (name) DO NOTHING", row);
        return inserted == 1 ? row : null;
    }

    public async Task<TenantRow?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TenantRow>("SELECT * FROM tenant WHERE id = @id", new { id });
    }

    public async Task<IReadOnlyList<TenantRow>> ListAsync(string? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<TenantRow>(
            "SELECT * FROM tenant WHERE (@after IS NULL OR id > @after) ORDER BY id LIMIT @limit", new { after, limit = (long)limit })];
    }
}
