using Dapper;

namespace Assay.Store.Data;

public sealed record ProjectRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string? NetworkFunction { get; init; }
    public long CreatedAt { get; init; }
}

/// <summary>A project in a list: the project with its release count and newest release.</summary>
public sealed record ProjectSummary
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Vendor { get; init; } = "";
    public string? NetworkFunction { get; init; }
    public long CreatedAt { get; init; }
    public long Releases { get; init; }
    public string? LatestVersion { get; init; }
}

/// <summary>Projects (a product: vendor, model, network function). Every read is filtered by tenant and, for project keys, by project.</summary>
public sealed class ProjectStore(AssayDatabase database)
{
    /// <summary>Creates a project; null when the tenant already has one of that name.</summary>
    public async Task<ProjectRow?> CreateAsync(string tenantId, string name, string vendor, string? networkFunction, CancellationToken cancellationToken = default)
    {
        var row = new ProjectRow { Id = Ids.New(), TenantId = tenantId, Name = name, Vendor = vendor, NetworkFunction = networkFunction, CreatedAt = Clock.Now() };
        await using var connection = await database.OpenAsync(cancellationToken);
        var taken = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM project WHERE tenant_id = @TenantId AND name = @Name", row);
        if (taken > 0)
            return null;
        await connection.ExecuteAsync(
            "INSERT INTO project (id, tenant_id, name, vendor, network_function, created_at) VALUES (@Id, @TenantId, @Name, @Vendor, @NetworkFunction, @CreatedAt)", row);
        return row;
    }

    public async Task<ProjectRow?> GetAsync(Scope scope, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id) || !scope.Allows(id))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProjectRow>(
            "SELECT * FROM project WHERE id = @id AND tenant_id = @tenant", new { id, tenant = scope.TenantId });
    }

    /// <summary>
    /// One page of projects sorted by name, keyset-paginated on (name, id) so that page N costs
    /// the same as page 1; each row carries its release count and newest version.
    /// </summary>
    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(Scope scope, (string Name, string Id)? after, int limit, string? nameContains = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ProjectSummary>(
            """
            SELECT p.id, p.name, p.vendor, p.network_function, p.created_at,
                   (SELECT COUNT(*) FROM release r WHERE r.project_id = p.id) AS releases,
                   (SELECT r.version FROM release r WHERE r.project_id = p.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS latest_version
            FROM project p
            WHERE p.tenant_id = @tenant
              AND (@project IS NULL OR p.id = @project)
              AND (@afterName IS NULL OR p.name > @afterName OR (p.name = @afterName AND p.id > @afterId))
              AND (@contains IS NULL OR lower(p.name) LIKE @contains OR lower(p.vendor) LIKE @contains)
            ORDER BY p.name, p.id
            LIMIT @limit
            """,
            new
            {
                tenant = scope.TenantId, project = scope.ProjectId, afterName = after?.Name, afterId = after?.Id,
                contains = string.IsNullOrWhiteSpace(nameContains) ? null : $"%{Like.Escape(nameContains.Trim().ToLowerInvariant())}%",
                limit = (long)limit,
            })];
    }

    public async Task<long> CountAsync(Scope scope, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM project WHERE tenant_id = @tenant AND (@project IS NULL OR id = @project)",
            new { tenant = scope.TenantId, project = scope.ProjectId });
    }
}
