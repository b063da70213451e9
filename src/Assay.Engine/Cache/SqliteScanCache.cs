using System.Security.Cryptography;
using Assay.Core.Pipeline;
using Microsoft.Data.Sqlite;

namespace Assay.Engine.Cache;

/// <summary>
/// The local content-addressed cache of scan results: one SQLite file (WAL mode) holding, per key
/// (a subtree's content hash with the engine's fingerprint and its context), the compressed
/// serialized result and its SHA-256.
/// <list type="bullet">
/// <item>Never trusted blindly: every value is checked against its stored SHA-256 when read; a
/// damaged entry is deleted, counted in <see cref="Damaged"/>, and reported missing, so the caller
/// recomputes it. A file that is not a readable cache is moved aside and a new one started.</item>
/// <item>Safe when scans share it: WAL journal, a busy timeout, writes in short transactions of
/// idempotent <c>INSERT OR REPLACE</c> (a key always names the same value).</item>
/// <item>Bounded: after a scan's writes, the least recently used entries are evicted until the
/// values fit in <see cref="MaxBytes"/>.</item>
/// </list>
/// One instance serves one scan; it is thread-safe.
/// </summary>
public sealed class SqliteScanCache : IScanCache, IDisposable
{
    /// <summary>Format of the table; a cache of another format is moved aside.</summary>
    public const string SchemaVersion = "1";

    /// <summary>Default bound of the stored values: 2 GiB.</summary>
    public const long DefaultMaxBytes = 2L << 30;

    private const int FlushBytes = 32 << 20;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _pending = new(StringComparer.Ordinal);
    private SqliteCommand? _select;
    private SqliteParameter? _selectKey;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private long _pendingBytes;
    private int _damaged;
    private int _hits;
    private int _misses;

    private SqliteScanCache(string path, SqliteConnection connection, long maxBytes)
    {
        Path = path;
        _connection = connection;
        MaxBytes = maxBytes;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    public long MaxBytes { get; }

    /// <summary>Entries found damaged (and deleted) during this scan.</summary>
    public int Damaged => Volatile.Read(ref _damaged);

    public int Hits => Volatile.Read(ref _hits);
    public int Misses => Volatile.Read(ref _misses);

    /// <summary>What happened when the cache was opened, for the user (a damaged file moved aside), or null.</summary>
    public string? OpenNotice { get; private set; }

    /// <summary>
    /// <c>$XDG_CACHE_HOME/assay</c>, or <c>~/.cache/assay</c> when <c>XDG_CACHE_HOME</c> is unset
    /// (on Windows: <c>%LOCALAPPDATA%\assay\cache</c>).
    /// </summary>
    public static string DefaultDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && System.IO.Path.IsPathRooted(xdg))
                return System.IO.Path.Combine(xdg, "assay");
            if (OperatingSystem.IsWindows())
                return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "assay", "cache");
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "assay");
        }
    }

    /// <summary>The cache file in <paramref name="directory"/>.</summary>
    public static string FileIn(string directory) => System.IO.Path.Combine(directory, "scan-cache.db");

    /// <summary>
    /// Opens (or creates) the cache in <paramref name="directory"/>. A file that is not a cache of
    /// this format is moved aside (its name gets <c>.damaged-TIME</c>) and a new one is started;
    /// <see cref="OpenNotice"/> says so. Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>
    /// when the folder cannot be written.
    /// </summary>
    public static SqliteScanCache Open(string directory, long maxBytes = DefaultMaxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(directory);
        else
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = FileIn(directory);
        string? notice = null;
        for (var attempt = 0; ; attempt++)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
            try
            {
                connection.Open();
                Initialize(connection);
                return new SqliteScanCache(path, connection, maxBytes) { OpenNotice = notice };
            }
            catch (SqliteException e) when (attempt == 0 && e.SqliteErrorCode is 11 or 26)
            {
                // SQLITE_CORRUPT (11) or SQLITE_NOTADB (26): keep the file for inspection, start anew
                connection.Dispose();
                var aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddHHmmss}";
                File.Move(path, aside);
                foreach (var suffix in new[] { "-wal", "-shm" })
                {
                    if (File.Exists(path + suffix))
                        File.Delete(path + suffix);
                }
                notice = $"the scan cache {path} was damaged ({e.Message}); it was moved to {aside} and a new one started";
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }
    }

    private static void Initialize(SqliteConnection connection)
    {
        Execute(connection, "PRAGMA busy_timeout = 30000");
        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection, "PRAGMA synchronous = NORMAL");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS entries (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL,
                sha256 BLOB NOT NULL,
                size INTEGER NOT NULL,
                used INTEGER NOT NULL);
            DROP INDEX IF EXISTS entries_used;
            CREATE INDEX IF NOT EXISTS entries_lru ON entries (used, key, size);
            INSERT OR IGNORE INTO meta (name, value) VALUES ('schema', '1');
            """);
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT value FROM meta WHERE name = 'schema'";
        if (check.ExecuteScalar() as string != SchemaVersion)
            throw new SqliteException($"scan cache schema is not {SchemaVersion}", 26);
    }

    public byte[]? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (_pending.TryGetValue(key, out var pending))
                return pending;
            // one statement, prepared once: a scan asks thousands of times, and preparing it each
            // time was half of the lookup's cost
            if (_select is null)
            {
                _select = _connection.CreateCommand();
                _select.CommandText = "SELECT value, sha256 FROM entries WHERE key = $key";
                _selectKey = _select.Parameters.Add("$key", SqliteType.Text);
                _select.Prepare();
            }
            _selectKey!.Value = key;
            using var reader = _select.ExecuteReader();
            if (!reader.Read())
            {
                _misses++;
                return null;
            }
            var value = (byte[])reader.GetValue(0);
            var sha = (byte[])reader.GetValue(1);
            reader.Close();
            if (!SHA256.HashData(value).AsSpan().SequenceEqual(sha))
            {
                DeleteDamaged(key);
                return null;
            }
            _hits++;
            _used.Add(key);
            return value;
        }
    }

    /// <summary>Drops an entry whose value the caller could not read back (it decoded to garbage): it will be recomputed.</summary>
    public void Reject(string key)
    {
        lock (_lock)
            DeleteDamaged(key);
    }

    public void Put(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (_pending.TryGetValue(key, out var replaced))
                _pendingBytes -= replaced.Length;
            _pending[key] = value;
            _pendingBytes += value.Length;
            if (_pendingBytes >= FlushBytes)
                Flush();
        }
    }

    /// <summary>Writes what is pending, marks what was used, and evicts down to <see cref="MaxBytes"/>.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var transaction = _connection.BeginTransaction();
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT OR REPLACE INTO entries (key, value, sha256, size, used) VALUES ($key, $value, $sha, $size, $used)";
                var k = insert.Parameters.Add("$key", SqliteType.Text);
                var v = insert.Parameters.Add("$value", SqliteType.Blob);
                var s = insert.Parameters.Add("$sha", SqliteType.Blob);
                var n = insert.Parameters.Add("$size", SqliteType.Integer);
                insert.Parameters.AddWithValue("$used", now);
                foreach (var (key, value) in _pending)
                {
                    k.Value = key;
                    v.Value = value;
                    s.Value = SHA256.HashData(value);
                    n.Value = value.Length;
                    insert.ExecuteNonQuery();
                }
            }
            using (var touch = _connection.CreateCommand())
            {
                touch.Transaction = transaction;
                touch.CommandText = "UPDATE entries SET used = $used WHERE key = $key";
                var k = touch.Parameters.Add("$key", SqliteType.Text);
                touch.Parameters.AddWithValue("$used", now);
                foreach (var key in _used)
                {
                    k.Value = key;
                    touch.ExecuteNonQuery();
                }
            }
            Evict(transaction);
            transaction.Commit();
            _pending.Clear();
            _used.Clear();
            _pendingBytes = 0;
        }
    }

    /// <remarks>
    /// Both queries read only <c>used</c>, <c>key</c> and <c>size</c>, which the index
    /// <c>entries_lru</c> covers: read from the table, <c>size</c> lies after the value, so SQLite
    /// walked every value's overflow pages to reach it (0.5 s per flush with a 1 GB cache).
    /// </remarks>
    private void Evict(SqliteTransaction transaction)
    {
        using var total = _connection.CreateCommand();
        total.Transaction = transaction;
        total.CommandText = "SELECT COALESCE(SUM(size), 0) FROM entries INDEXED BY entries_lru";
        var bytes = (long)total.ExecuteScalar()!;
        if (bytes <= MaxBytes)
            return;
        // down to 90 % of the bound, oldest use first, so the next scans do not evict at every flush
        var target = MaxBytes / 10 * 9;
        using var oldest = _connection.CreateCommand();
        oldest.Transaction = transaction;
        oldest.CommandText = "SELECT key, size FROM entries INDEXED BY entries_lru ORDER BY used, key";
        var doomed = new List<string>();
        using (var reader = oldest.ExecuteReader())
        {
            while (bytes > target && reader.Read())
            {
                doomed.Add(reader.GetString(0));
                bytes -= reader.GetInt64(1);
            }
        }
        using var delete = _connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM entries WHERE key = $key";
        var p = delete.Parameters.Add("$key", SqliteType.Text);
        foreach (var key in doomed)
        {
            p.Value = key;
            delete.ExecuteNonQuery();
        }
    }

    private void DeleteDamaged(string key)
    {
        _damaged++;
        _used.Remove(key);
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM entries WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        try
        {
            Flush();
        }
        finally
        {
            _select?.Dispose();
            _connection.Dispose();
        }
    }
}
