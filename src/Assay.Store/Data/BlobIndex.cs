using System.Data.Common;
using Dapper;

namespace Assay.Store.Data;

/// <summary>The <c>blob</c> table: which content addresses the store holds (the bytes are in the blob store).</summary>
public sealed class BlobIndex(AssayDatabase database)
{
    public async Task RecordAsync(string sha256, long size, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await RecordAsync(connection, null, sha256, size);
    }

    internal static Task RecordAsync(DbConnection connection, DbTransaction? transaction, string sha256, long size) =>
        connection.ExecuteAsync("INSERT INTO blob (sha256, size, created_at) VALUES (@sha256, @size, @now) ON CONFLICT (sha256) DO NOTHING",
            new { sha256, size, now = Clock.Now() }, transaction);
}
