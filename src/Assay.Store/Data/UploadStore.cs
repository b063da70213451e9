using Dapper;

namespace Assay.Store.Data;

public sealed record UploadRow
{
    public string Id { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string ReleaseId { get; init; } = "";
    public string FileName { get; init; } = "";
    public long ExpectedSize { get; init; }
    public long ReceivedBytes { get; init; }
    public string Status { get; init; } = "";
    public string? Sha256 { get; init; }
    public long CreatedAt { get; init; }
}

/// <summary>Resumable chunked uploads: how much of the part file is received; a chunk is accepted only at that offset.</summary>
public sealed class UploadStore(AssayDatabase database)
{
    public const string Open = "open";
    public const string Complete = "complete";

    public async Task<UploadRow> CreateAsync(string tenantId, string releaseId, string fileName, long expectedSize, CancellationToken cancellationToken = default)
    {
        var row = new UploadRow { Id = Ids.New(), TenantId = tenantId, ReleaseId = releaseId, FileName = fileName, ExpectedSize = expectedSize, Status = Open, CreatedAt = Clock.Now() };
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO upload (id, tenant_id, release_id, file_name, expected_size, received_bytes, status, created_at) VALUES (@Id, @TenantId, @ReleaseId, @FileName, @ExpectedSize, 0, @Status, @CreatedAt)", row);
        return row;
    }

    public async Task<UploadRow?> GetAsync(string tenantId, string id, CancellationToken cancellationToken = default)
    {
        if (!Ids.IsWellFormed(id))
            return null;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UploadRow>("SELECT * FROM upload WHERE id = @id AND tenant_id = @tenantId", new { id, tenantId });
    }

    /// <summary>Moves the received mark from <paramref name="from"/> to <paramref name="to"/>; false when another chunk moved it first.</summary>
    public async Task<bool> AdvanceAsync(string id, long from, long to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync("UPDATE upload SET received_bytes = @to WHERE id = @id AND received_bytes = @from AND status = 'open'", new { id, from, to }) == 1;
    }

    public async Task CompleteAsync(string id, string sha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE upload SET status = 'complete', sha256 = @sha256 WHERE id = @id", new { id, sha256 });
    }
}
