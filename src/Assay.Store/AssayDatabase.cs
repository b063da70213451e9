using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Assay.Store;

/// <summary>
/// A connection factory for the store: SQLite (a file, WAL mode, foreign keys on) or PostgreSQL
/// (an Npgsql data source with its pool). Every store class asks it for short-lived connections.
/// </summary>
public sealed class AssayDatabase : IAsyncDisposable
{
    private readonly string _sqliteConnectionString = "";
    private readonly NpgsqlDataSource? _postgres;

    static AssayDatabase()
    {
        // Column names are snake_case in SQL and PascalCase in the row records.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private AssayDatabase(StoreKind kind, string description, NpgsqlDataSource? postgres, string sqlite)
    {
        Kind = kind;
        Description = description;
        _postgres = postgres;
        _sqliteConnectionString = sqlite;
    }

    public StoreKind Kind { get; }

    /// <summary>Where the data is, for logs and <c>/readyz</c> (no password).</summary>
    public string Description { get; }

    /// <summary>An SQLite file (created when absent).</summary>
    public static AssayDatabase OpenSqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        return new AssayDatabase(StoreKind.Sqlite, $"sqlite:{full}", null, builder.ToString());
    }

    /// <summary>A PostgreSQL database named by an Npgsql connection string (<c>Host=...;Database=...;Username=...</c>).</summary>
    public static AssayDatabase OpenPostgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--db: '{Redact(connectionString)}' is not a PostgreSQL connection string ({e.Message}); expected e.g. 'Host=localhost;Port=5432;Database=assay;Username=assay'", e);
        }
        var source = new NpgsqlDataSourceBuilder(connectionString).Build();
        return new AssayDatabase(StoreKind.Postgres, $"postgres:{builder.Host}:{builder.Port}/{builder.Database}", source, "");
    }

    /// <summary>An open connection; SQLite connections get WAL, foreign keys and a busy timeout.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction. SQLite takes the write lock at the start
    /// (BEGIN IMMEDIATE), so two writers queue instead of failing on lock upgrade.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (connection is SqliteConnection sqlite)
        {
            await using var immediate = sqlite.BeginTransaction(deferred: false);
            var result = await work(connection, immediate);
            await immediate.CommitAsync(cancellationToken);
            return result;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var value = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return value;
    }

    /// <summary>The SQL text for this engine where the two differ (row locks for queue claims).</summary>
    internal string SkipLocked => Kind == StoreKind.Postgres ? " FOR UPDATE SKIP LOCKED" : "";

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        else
            SqliteConnection.ClearAllPools();
    }

    /// <summary>A connection string without its password, for messages.</summary>
    public static string Redact(string connectionString) =>
        System.Text.RegularExpressions.Regex.Replace(connectionString, "(?i)(password|pwd)=[^;]*", "$1=***");
}
