using Dapper;

namespace Assay.Store.Data;

public sealed record ReleaseRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string Version { get; init; } = "";
    public string? PreviousReleaseId { get; init; }
    public long CreatedAt { get; init; }
    public string? DeliverySha256 { get; init; }
    public string? DeliveryName { get; init; }
    public long? DeliverySize { get; init; }
}

/// <summary>Releases of a project (a version with its delivery); the previous release is the project's newest at creation.</summary>
public sealed class ReleaseStore(AssayDatabase database)
{
    /// <summary>Creates a release; null when the project already has that version.</summary>
    public async Task<ReleaseRow?> CreateAsync(string tenantId, string projectId, string version, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var exists = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM release WHERE project_id = @projectId AND version = @version", new { projectId, version }, transaction);
            if (exists > 0)
                return null;
            var previous = await connection.ExecuteScalarAsync<string?>(
                "SELECT id FROM release WHERE project_id = @projectId ORDER BY created_at DESC, id DESC LIMIT 1", new { projectId }, transaction);
            var row = new ReleaseRow { Id = Ids.New(), TenantId = tenantId, ProjectId = projectId, Version = version, PreviousReleaseId = previous, CreatedAt = Clock.Now() };
            await connection.ExecuteAsync(
                "INSERT INTO release (id, tenant_id, project_id, version, previous_release_id, created_at) VALUES (@Id, @TenantId, @ProjectId, @Version, @PreviousReleaseId, @CreatedAt)",
                row, transaction);
            return row;
        }, cancellationToken);
    }

    public async Task<ReleaseRow?> GetAsync(Scope scope, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReleaseRow>(
            "SELECT * FROM release WHERE id = @id AND tenant_id = @tenant", new { id, tenant = scope.TenantId });
        return row is not null && scope.Allows(row.ProjectId) ? row : null;
    }

    /// <summary>Releases of a project, newest first, keyset-paginated on (created_at, id).</summary>
    public async Task<IReadOnlyList<ReleaseRow>> ListAsync(Scope scope, string projectId, string? beforeId, int limit, CancellationToken cancellationToken = default)
    {
        if (!scope.Allows(projectId))
            return [];
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ReleaseRow>(
            "SELECT * FROM release WHERE project_id = @projectId AND tenant_id = @tenant AND (@beforeId IS NULL OR id < @beforeId) ORDER BY id DESC LIMIT @limit",
            new { projectId, tenant = scope.TenantId, beforeId, limit = (long)limit })];
    }

    /// <summary>Binds an uploaded blob to the release as its delivery.</summary>
    public async Task SetDeliveryAsync(string releaseId, string sha256, string fileName, long size, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE release SET delivery_sha256 = @sha256, delivery_name = @fileName, delivery_size = @size WHERE id = @releaseId",
            new { releaseId, sha256, fileName, size });
    }
}
