using Dapper;

namespace Assay.Store.Data;

public sealed record IdempotencyRow
{
    public string Scope { get; init; } = "";
    public string Key { get; init; } = "";
    public string RequestSha256 { get; init; } = "";
    public long Status { get; init; }
    public string? Location { get; init; }
    public string Body { get; init; } = "";
    public long CreatedAt { get; init; }
}

/// <summary>Responses of creating POSTs by (caller scope, Idempotency-Key), replayed when the same request comes again.</summary>
public sealed class IdempotencyStore(AssayDatabase database)
{
    public async Task<IdempotencyRow?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<IdempotencyRow>("SELECT * FROM idempotency WHERE scope = @scope AND key = @key", new { scope, key });
    }

    /// <summary>Records the first response; a concurrent twin that lost the race keeps the winner's.</summary>
    public async Task SaveAsync(IdempotencyRow row, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO idempotency (scope, key, request_sha256, status, location, body, created_at) VALUES (@Scope, @Key, @RequestSha256, @Status, @Location, @Body, @CreatedAt) ON CONFLICT (scope, key) DO NOTHING",
            row with { CreatedAt = Clock.Now() });
    }
}
