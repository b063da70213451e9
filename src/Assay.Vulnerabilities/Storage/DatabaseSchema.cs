using Microsoft.Data.Sqlite;
using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Storage;

/// <summary>
/// The SQLite layout of the vulnerability database. Vendor and product are stored lower-case, once,
/// in <c>product</c>; <c>cpe_match.criteria</c> is stored only when it differs from
/// <see cref="Cpe23.Format(string, string, string, string, string)"/> of its fields; times as ISO 8601 UTC text. The product index is built after a bulk load (see <see cref="CreateIndexes"/>).
/// </summary>
internal static class DatabaseSchema
{
    /// <summary>Bumped on every change; <see cref="VulnerabilityDatabase.Open"/> refuses other versions than <see cref="Version"/> and <see cref="OldestReadable"/>.</summary>
    public const int Version = 2;

    /// <summary>Version 1 lacks the <c>kev</c>, <c>epss</c> and <c>update_state</c> tables; it is read (without exploitation data) and migrated by the next import.</summary>
    public const int OldestReadable = 1;

    public const string Tables = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS source(
            name TEXT PRIMARY KEY, records INTEGER NOT NULL, newest_modified TEXT, last_import TEXT NOT NULL, files INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS vulnerability(
            vid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, published TEXT, last_modified TEXT NOT NULL,
            severity INTEGER NOT NULL, cvss31_score REAL, cvss31_vector TEXT, cvss40_score REAL, cvss40_vector TEXT,
            cwes TEXT, aliases TEXT, description TEXT);
        CREATE TABLE IF NOT EXISTS product(pid INTEGER PRIMARY KEY, vendor TEXT NOT NULL, product TEXT NOT NULL, UNIQUE(product, vendor));
        CREATE TABLE IF NOT EXISTS cpe_match(
            vid INTEGER NOT NULL, pid INTEGER NOT NULL, config INTEGER NOT NULL, node INTEGER NOT NULL, flags INTEGER NOT NULL,
            part TEXT NOT NULL, version TEXT NOT NULL, upd TEXT NOT NULL, criteria TEXT,
            start_incl TEXT, start_excl TEXT, end_incl TEXT, end_excl TEXT);
        CREATE TABLE IF NOT EXISTS osv_range(
            vid INTEGER NOT NULL, ecosystem TEXT NOT NULL, package TEXT NOT NULL, kind TEXT NOT NULL,
            introduced TEXT, fixed TEXT, last_affected TEXT, versions TEXT);
        CREATE TABLE IF NOT EXISTS kev(
            cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT, ransomware INTEGER NOT NULL, name TEXT, required_action TEXT) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS epss(cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS snapshot(source TEXT PRIMARY KEY, released TEXT, version TEXT, records INTEGER NOT NULL, last_import TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS update_state(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS cpe_match_vid ON cpe_match(vid);
        CREATE INDEX IF NOT EXISTS osv_range_vid ON osv_range(vid);
        """;

    /// <summary><c>cpe_match.flags</c> bits.</summary>
    public const int FlagConfigAnd = 1, FlagNegate = 2, FlagVulnerable = 4;

    public const string Indexes = """
        CREATE INDEX IF NOT EXISTS cpe_match_pid ON cpe_match(pid);
        CREATE INDEX IF NOT EXISTS osv_range_package ON osv_range(package, ecosystem);
        """;

    public static void CreateTables(SqliteConnection connection)
    {
        Execute(connection, Tables);
        Execute(connection, $"INSERT INTO meta(key, value) VALUES ('schema_version', '{Version}') ON CONFLICT(key) DO UPDATE SET value=excluded.value;");
    }

    /// <summary>True when the file has the table (a version 1 file has no <c>kev</c>/<c>epss</c>).</summary>
    public static bool HasTable(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=$n";
        command.Parameters.AddWithValue("$n", table);
        return command.ExecuteScalar() is not null;
    }

    public static void CreateIndexes(SqliteConnection connection, SqliteTransaction? transaction = null) => Execute(connection, Indexes, transaction);

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The schema version stored in the file, null when the file has no Assay schema.</summary>
    public static int? ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type='table' AND name='meta'";
        if (command.ExecuteScalar() is null)
            return null;
        command.CommandText = "SELECT value FROM meta WHERE key='schema_version'";
        return command.ExecuteScalar() is string s && int.TryParse(s, out var v) ? v : null;
    }
}
