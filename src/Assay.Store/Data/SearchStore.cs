using Dapper;

namespace Assay.Store.Data;

/// <summary>One search hit: where (project, release, scan) and what matched.</summary>
public sealed record SearchHit
{
    public string Kind { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string ProjectName { get; init; } = "";
    public string ReleaseId { get; init; } = "";
    public string Version { get; init; } = "";
    public string ScanId { get; init; } = "";
    public string Text { get; init; } = "";
    public string? Path { get; init; }
}

/// <summary>
/// Search across a tenant's newest evaluations of each release: a purl or component name, a CVE
/// or rule id, a file SHA-256 or file name. Filtered by tenant and project in SQL like every read.
/// </summary>
public sealed class SearchStore(AssayDatabase database)
{
    private const string LatestScans =
        "SELECT e.scan_id FROM evaluation e WHERE e.tenant_id = @tenant AND e.created_at = (SELECT MAX(e2.created_at) FROM evaluation e2 WHERE e2.release_id = e.release_id)";

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(Scope scope, string query, int limit, CancellationToken cancellationToken = default)
    {
        var q = query.Trim();
        var lower = q.ToLowerInvariant();
        var isSha = lower.Length == 64 && lower.All(Uri.IsHexDigit);
        var args = new { tenant = scope.TenantId, project = scope.ProjectId, exact = q, lower, like = $"%{Like.Escape(lower)}%", limit = (long)limit };
        const string Where = "s.tenant_id = @tenant AND (@project IS NULL OR s.project_id = @project) AND s.id IN (" + LatestScans + ")";
        const string Joins = "JOIN scan s ON s.id = x.scan_id JOIN release r ON r.id = s.release_id JOIN project p ON p.id = s.project_id";
        await using var connection = await database.OpenAsync(cancellationToken);
        if (isSha)
        {
            return [.. await connection.QueryAsync<SearchHit>(
                $"SELECT 'file' AS kind, p.id AS project_id, p.name AS project_name, r.id AS release_id, r.version, s.id AS scan_id, x.sha256 AS text, x.path FROM file_entry x {Joins} WHERE x.tenant_id = @tenant AND x.sha256 = @lower AND {Where} ORDER BY p.name, r.version LIMIT @limit", args)];
        }
        var hits = new List<SearchHit>();
        hits.AddRange(await connection.QueryAsync<SearchHit>(
            $"SELECT 'component' AS kind, p.id AS project_id, p.name AS project_name, r.id AS release_id, r.version, s.id AS scan_id, COALESCE(x.purl, x.name || '@' || x.version) AS text, x.location AS path " +
            $"FROM component x {Joins} WHERE x.tenant_id = @tenant AND (x.purl = @exact OR x.name = @lower OR lower(x.purl) LIKE @like) AND {Where} ORDER BY p.name, r.version LIMIT @limit", args));
        hits.AddRange(await connection.QueryAsync<SearchHit>(
            $"SELECT x.kind, p.id AS project_id, p.name AS project_name, r.id AS release_id, r.version, s.id AS scan_id, x.title AS text, x.path " +
            $"FROM finding x {Joins} WHERE x.tenant_id = @tenant AND lower(x.rule_id) = @lower AND {Where} ORDER BY p.name, r.version LIMIT @limit", args));
        hits.AddRange(await connection.QueryAsync<SearchHit>(
            $"SELECT 'file' AS kind, p.id AS project_id, p.name AS project_name, r.id AS release_id, r.version, s.id AS scan_id, x.name AS text, x.path " +
            $"FROM file_entry x {Joins} WHERE x.tenant_id = @tenant AND x.name = @exact AND {Where} ORDER BY p.name, r.version LIMIT @limit", args));
        return [.. hits.Take(limit)];
    }
}
