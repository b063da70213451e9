using System.Data.Common;
using Dapper;

namespace Assay.Store.Migrations;

/// <summary>
/// Brings a database to the newest schema. Migrations are embedded SQL files listed in
/// <see cref="All"/> (sorted, no discovery), each applied once in its own transaction and recorded
/// in <c>schema_migrations</c>. On PostgreSQL an advisory lock keeps two starting nodes from
/// migrating at the same time; on SQLite the write lock does.
/// </summary>
public static class Migrator
{
    /// <summary>Every migration, in order. Adding one is one line here and one SQL file.</summary>
    public static IReadOnlyList<(int Version, string Name)> All { get; } =
    [
        (1, "0001_initial"),
        (2, "0002_scan_dispatch"),
    ];

    /// <summary>Advisory lock key: the bytes of "assay-mi" as a number, stable across releases.</summary>
    private const long PostgresLockKey = 0x6173736179_2D6D69;

    public static async Task<int> MigrateAsync(AssayDatabase database, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            if (database.Kind == StoreKind.Postgres)
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresLockKey }, transaction);
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", transaction: transaction);
            var applied = (await connection.QueryAsync<long>("SELECT version FROM schema_migrations", transaction: transaction)).ToHashSet();
            var newest = All.Max(m => m.Version);
            if (applied.Count > 0 && applied.Max() > newest)
                throw new InvalidOperationException($"the database has schema version {applied.Max()}, newer than this Assay knows ({newest}); upgrade Assay or use another --data/--db");
            var count = 0;
            foreach (var (version, name) in All)
            {
                if (applied.Contains(version))
                    continue;
                await ApplyAsync(connection, transaction, name);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)", new { version = (long)version, name, at = Clock.Now() }, transaction);
                count++;
            }
            return count;
        }, cancellationToken);
    }

    /// <summary>Current schema version (0: empty database).</summary>
    public static async Task<long> VersionAsync(AssayDatabase database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            return await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_migrations") ?? 0;
        }
        catch (DbException)
        {
            return 0;
        }
    }

    private static async Task ApplyAsync(DbConnection connection, DbTransaction transaction, string name)
    {
        var resource = $"Assay.Store.Migrations.{name}.sql";
        await using var stream = typeof(Migrator).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"migration {name} is listed but not embedded ({resource}); check Assay.Store.csproj");
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync();
        foreach (var statement in Split(text))
            await connection.ExecuteAsync(statement, transaction: transaction);
    }

    /// <summary>Statements of a migration file: split at semicolons ending a line, comments dropped.</summary>
    internal static IEnumerable<string> Split(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal) || line.Length == 0)
                continue;
            current.AppendLine(line);
            if (line.EndsWith(';'))
            {
                yield return current.ToString().Trim().TrimEnd(';');
                current.Clear();
            }
        }
        if (current.ToString().Trim() is { Length: > 0 } rest)
            yield return rest;
    }
}
