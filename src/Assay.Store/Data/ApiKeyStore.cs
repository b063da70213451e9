using System.Security.Cryptography;
using System.Text;
using Assay.Store.Access;
using Dapper;

namespace Assay.Store.Data;

public sealed record ApiKeyRow
{
    public string Id { get; init; } = "";
    public string? TenantId { get; init; }
    public string? ProjectId { get; init; }
    public string Role { get; init; } = "";
    public string Name { get; init; } = "";
    public string Prefix { get; init; } = "";
    public string SecretSha256 { get; init; } = "";
    public long CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public long? LastUsedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public long? RevokedAt { get; init; }
}

/// <summary>
/// API keys. A key reads <c>ask_PREFIX_SECRET</c>: the prefix (12 hex digits) finds the row and is
/// shown in lists; only SHA-256 of the whole key is stored, compared in constant time. The whole
/// key is returned once, by <see cref="CreateAsync"/>.
/// </summary>
public sealed class ApiKeyStore(AssayDatabase database)
{
    public const string KeyStart = "ask_";
    private const int PrefixBytes = 6;
    private const int SecretBytes = 32;

    /// <summary>Creates a key; the returned secret is the only copy that will ever exist.</summary>
    public async Task<(ApiKeyRow Row, string Key)> CreateAsync(string? tenantId, string? projectId, Role role, string name, string? createdBy, CancellationToken cancellationToken = default)
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixBytes));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        var key = $"{KeyStart}{prefix}_{secret}";
        var row = new ApiKeyRow
        {
            Id = Ids.New(), TenantId = tenantId, ProjectId = projectId, Role = role.Name(), Name = name,
            Prefix = prefix, SecretSha256 = Hash(key), CreatedAt = Clock.Now(), CreatedBy = createdBy,
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO api_key (id, tenant_id, project_id, role, name, prefix, secret_sha256, created_at, created_by) " +
            "VALUES (@Id, @TenantId, @ProjectId, @Role, @Name, @Prefix, @SecretSha256, @CreatedAt, @CreatedBy)", row);
        return (row, key);
    }

    /// <summary>The principal a presented key stands for; null when it is malformed, unknown, revoked or expired.</summary>
    public async Task<Principal?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!TryPrefix(presented, out var prefix))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>("SELECT * FROM api_key WHERE prefix = @prefix", new { prefix });
        if (row is null)
            return null;
        var expected = Convert.FromHexString(row.SecretSha256);
        var actual = Convert.FromHexString(Hash(presented));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
            return null;
        var now = Clock.Now();
        if (row.RevokedAt is not null || (row.ExpiresAt is { } expires && expires <= now) || !Roles.TryParse(row.Role, out var role))
            return null;
        // last_used_at is written at most once a minute per key, so reads do not become writes.
        if (row.LastUsedAt is not { } used || now - used > 60_000)
            await connection.ExecuteAsync("UPDATE api_key SET last_used_at = @now WHERE id = @id", new { now, id = row.Id });
        return new Principal(row.Id, row.Name, row.TenantId, row.ProjectId, role);
    }

    /// <summary>The principal of a key id (a UI session re-checks its key on every request).</summary>
    public async Task<Principal?> PrincipalAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>("SELECT * FROM api_key WHERE id = @keyId", new { keyId });
        if (row is null || row.RevokedAt is not null || (row.ExpiresAt is { } e && e <= Clock.Now()) || !Roles.TryParse(row.Role, out var role))
            return null;
        return new Principal(row.Id, row.Name, row.TenantId, row.ProjectId, role);
    }

    /// <summary>Keys of one tenant (null: the system administrators' keys), newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(string? tenantId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ApiKeyRow>(
            "SELECT * FROM api_key WHERE (tenant_id = @tenantId OR (@tenantId IS NULL AND tenant_id IS NULL)) ORDER BY id DESC", new { tenantId })];
    }

    public async Task<ApiKeyRow?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRow>("SELECT * FROM api_key WHERE id = @id", new { id });
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE api_key SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL", new { id, now = Clock.Now() }) == 1;
    }

    /// <summary>Number of keys that may administer the whole system (bootstrap refuses a second first admin).</summary>
    public async Task<long> CountSystemAdminsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_key WHERE tenant_id IS NULL AND role = 'admin' AND revoked_at IS NULL");
    }

    internal static bool TryPrefix(string presented, out string prefix)
    {
        prefix = "";
        // ask_ + 12 hex + _ + 43 base64url characters.
        if (presented.Length != KeyStart.Length + (2 * PrefixBytes) + 1 + 43 || !presented.StartsWith(KeyStart, StringComparison.Ordinal))
            return false;
        var candidate = presented.Substring(KeyStart.Length, 2 * PrefixBytes);
        if (!candidate.All(Uri.IsHexDigit) || presented[KeyStart.Length + (2 * PrefixBytes)] != '_')
            return false;
        prefix = candidate;
        return true;
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
