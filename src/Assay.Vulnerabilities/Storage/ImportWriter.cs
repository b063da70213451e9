using System.Globalization;
using Microsoft.Data.Sqlite;
using Assay.Core.Identifiers;

namespace Assay.Vulnerabilities.Storage;

/// <summary>
/// Writes feed records into an open database inside one transaction, with prepared statements.
/// A record replaces the stored one only when its last-modified time is newer.
/// </summary>
internal sealed class ImportWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Dictionary<string, (long Vid, string LastModified)> _existing = new(StringComparer.Ordinal);
    private readonly SqliteCommand _insertVuln, _updateVuln, _deleteVuln, _deleteCpe, _deleteOsv, _insertCpe, _insertProduct, _insertOsv, _lastId;
    private readonly Dictionary<string, long> _products = new(StringComparer.Ordinal);

    public int Added { get; private set; }
    public int Updated { get; private set; }
    public int Unchanged { get; private set; }
    public int Withdrawn { get; private set; }

    /// <summary>KEV and EPSS rows written by the snapshots applied so far.</summary>
    public int ExploitRows { get; private set; }

    private SnapshotHeader? _snapshot;
    private int _snapshotRows;
    private SqliteCommand? _insertKev, _insertEpss;

    public ImportWriter(SqliteConnection connection)
    {
        _connection = connection;
        using (var load = connection.CreateCommand())
        {
            load.CommandText = "SELECT vid, id, last_modified FROM vulnerability";
            using var reader = load.ExecuteReader();
            while (reader.Read())
                _existing[reader.GetString(1)] = (reader.GetInt64(0), reader.GetString(2));
        }
        using (var load = connection.CreateCommand())
        {
            load.CommandText = "SELECT pid, vendor, product FROM product";
            using var reader = load.ExecuteReader();
            while (reader.Read())
                _products[reader.GetString(1) + ":" + reader.GetString(2)] = reader.GetInt64(0);
        }
        _transaction = connection.BeginTransaction();
        _insertVuln = Prepare("""
            INSERT INTO vulnerability(id, source, published, last_modified, severity, cvss31_score, cvss31_vector, cvss40_score, cvss40_vector, cwes, aliases, description)
            VALUES ($id, $source, $published, $lm, $severity, $s31, $v31, $s40, $v40, $cwes, $aliases, $description)
            """, "$id", "$source", "$published", "$lm", "$severity", "$s31", "$v31", "$s40", "$v40", "$cwes", "$aliases", "$description");
        _updateVuln = Prepare("""
            UPDATE vulnerability SET source=$source, published=$published, last_modified=$lm, severity=$severity, cvss31_score=$s31, cvss31_vector=$v31,
                cvss40_score=$s40, cvss40_vector=$v40, cwes=$cwes, aliases=$aliases, description=$description WHERE id=$id
            """, "$id", "$source", "$published", "$lm", "$severity", "$s31", "$v31", "$s40", "$v40", "$cwes", "$aliases", "$description");
        _deleteVuln = Prepare("DELETE FROM vulnerability WHERE vid=$vid", "$vid");
        _deleteCpe = Prepare("DELETE FROM cpe_match WHERE vid=$vid", "$vid");
        _deleteOsv = Prepare("DELETE FROM osv_range WHERE vid=$vid", "$vid");
        _insertCpe = Prepare("""
            INSERT INTO cpe_match(vid, pid, config, node, flags, part, version, upd, criteria, start_incl, start_excl, end_incl, end_excl)
            VALUES ($vid, $pid, $config, $node, $flags, $part, $version, $upd, $criteria, $si, $se, $ei, $ee)
            """, "$vid", "$pid", "$config", "$node", "$flags", "$part", "$version", "$upd", "$criteria", "$si", "$se", "$ei", "$ee");
        _insertProduct = Prepare("INSERT INTO product(vendor, product) VALUES ($v, $p)", "$v", "$p");
        _insertOsv = Prepare("""
            INSERT INTO osv_range(vid, ecosystem, package, kind, introduced, fixed, last_affected, versions)
            VALUES ($vid, $eco, $pkg, $kind, $intro, $fixed, $last, $versions)
            """, "$vid", "$eco", "$pkg", "$kind", "$intro", "$fixed", "$last", "$versions");
        _lastId = Prepare("SELECT last_insert_rowid()");
    }

    /// <summary>Fixed-width UTC text, so that stored times compare correctly as strings.</summary>
    public static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public void Write(FeedRecord record)
    {
        var lm = FormatTime(record.LastModified);
        var known = _existing.TryGetValue(record.Id, out var existing);
        if (known && string.CompareOrdinal(existing.LastModified, lm) >= 0)
        {
            Unchanged++;
            return;
        }
        if (record.Withdrawn)
        {
            if (known)
            {
                DeleteRows(existing.Vid);
                Run(_deleteVuln, existing.Vid);
                _existing.Remove(record.Id);
                Withdrawn++;
            }
            return;
        }
        long vid;
        if (known)
        {
            DeleteRows(existing.Vid);
            BindVulnerability(_updateVuln, record, lm);
            _updateVuln.ExecuteNonQuery();
            vid = existing.Vid;
            Updated++;
        }
        else
        {
            BindVulnerability(_insertVuln, record, lm);
            _insertVuln.ExecuteNonQuery();
            vid = (long)_lastId.ExecuteScalar()!;
            Added++;
        }
        _existing[record.Id] = (vid, lm);

        foreach (var m in record.CpeMatches)
        {
            var p = _insertCpe.Parameters;
            p[0].Value = vid;
            p[1].Value = ProductId(m.Vendor, m.Product);
            p[2].Value = m.Config;
            p[3].Value = m.Node;
            p[4].Value = (m.ConfigAnd ? DatabaseSchema.FlagConfigAnd : 0) | (m.Negate ? DatabaseSchema.FlagNegate : 0) | (m.Vulnerable ? DatabaseSchema.FlagVulnerable : 0);
            p[5].Value = m.Part;
            p[6].Value = m.Version;
            p[7].Value = m.Update;
            p[8].Value = m.Criteria == Cpe23.Format(m.Part, m.Vendor, m.Product, m.Version, m.Update) ? DBNull.Value : m.Criteria;
            p[9].Value = (object?)m.StartIncluding ?? DBNull.Value;
            p[10].Value = (object?)m.StartExcluding ?? DBNull.Value;
            p[11].Value = (object?)m.EndIncluding ?? DBNull.Value;
            p[12].Value = (object?)m.EndExcluding ?? DBNull.Value;
            _insertCpe.ExecuteNonQuery();
        }
        foreach (var r in record.OsvRanges)
        {
            var p = _insertOsv.Parameters;
            p[0].Value = vid;
            p[1].Value = r.Ecosystem;
            p[2].Value = r.Package;
            p[3].Value = r.Kind;
            p[4].Value = (object?)r.Introduced ?? DBNull.Value;
            p[5].Value = (object?)r.Fixed ?? DBNull.Value;
            p[6].Value = (object?)r.LastAffected ?? DBNull.Value;
            p[7].Value = r.Versions.Count == 0 ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(r.Versions, VulnerabilitiesJsonContext.Default.Strings);
            _insertOsv.ExecuteNonQuery();
        }
    }

    /// <summary>Recomputes the per-source counts and freshness, then commits.</summary>
    public void Commit(IReadOnlyDictionary<string, int> filesPerSource, DateTimeOffset now)
    {
        EndSnapshot(complete: false);
        DatabaseSchema.CreateIndexes(_connection, _transaction);
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = _transaction;
            command.CommandText = "SELECT source, count(*), max(last_modified) FROM vulnerability GROUP BY source";
            var rows = new List<(string, long, string?)>();
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                    rows.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            foreach (var (source, count, newest) in rows)
            {
                var files = filesPerSource.GetValueOrDefault(source);
                command.CommandText = """
                    INSERT INTO source(name, records, newest_modified, last_import, files) VALUES ($n, $r, $m, $t, $f)
                    ON CONFLICT(name) DO UPDATE SET records=$r, newest_modified=$m,
                        last_import=CASE WHEN $f > 0 THEN $t ELSE last_import END, files=CASE WHEN $f > 0 THEN $f ELSE files END
                    """;
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$n", source);
                command.Parameters.AddWithValue("$r", count);
                command.Parameters.AddWithValue("$m", (object?)newest ?? DBNull.Value);
                command.Parameters.AddWithValue("$t", FormatTime(now));
                command.Parameters.AddWithValue("$f", files);
                command.ExecuteNonQuery();
            }
            command.Parameters.Clear();
            command.CommandText = "DELETE FROM source WHERE name NOT IN (SELECT DISTINCT source FROM vulnerability)";
            command.ExecuteNonQuery();
        }
        _transaction.Commit();
    }

    /// <summary>Starts replacing every stored row of a whole-published feed (KEV, EPSS); <see cref="EndSnapshot"/> keeps or undoes it.</summary>
    public void BeginSnapshot(SnapshotHeader header)
    {
        if (_snapshot is not null)
            EndSnapshot(complete: false);
        var table = header.Source switch
        {
            Import.KevImporter.SourceName => "kev",
            Import.EpssImporter.SourceName => "epss",
            _ => throw new ArgumentException($"'{header.Source}' is not a snapshot source", nameof(header)),
        };
        _transaction.Save("snapshot");
        using var delete = _connection.CreateCommand();
        delete.Transaction = _transaction;
        delete.CommandText = $"DELETE FROM {table}";
        delete.ExecuteNonQuery();
        _snapshot = header;
        _snapshotRows = 0;
    }

    public void WriteKev(KevRecord r)
    {
        if (_snapshot?.Source != Import.KevImporter.SourceName)
            throw new InvalidOperationException("a KEV row outside a KEV catalog");
        _insertKev ??= Prepare("""
            INSERT OR REPLACE INTO kev(cve, date_added, due_date, ransomware, name, required_action) VALUES ($c, $a, $d, $r, $n, $q)
            """, "$c", "$a", "$d", "$r", "$n", "$q");
        var p = _insertKev.Parameters;
        p[0].Value = r.Cve;
        p[1].Value = r.DateAdded.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        p[2].Value = r.DueDate is { } due ? due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value;
        p[3].Value = r.KnownRansomwareUse ? 1 : 0;
        p[4].Value = (object?)r.Name ?? DBNull.Value;
        p[5].Value = (object?)r.RequiredAction ?? DBNull.Value;
        _insertKev.ExecuteNonQuery();
        _snapshotRows++;
    }

    public void WriteEpss(EpssRecord r)
    {
        if (_snapshot?.Source != Import.EpssImporter.SourceName)
            throw new InvalidOperationException("an EPSS row outside an EPSS file");
        _insertEpss ??= Prepare("INSERT OR REPLACE INTO epss(cve, score, percentile) VALUES ($c, $s, $p)", "$c", "$s", "$p");
        var p = _insertEpss.Parameters;
        p[0].Value = r.Cve;
        p[1].Value = r.Score;
        p[2].Value = r.Percentile;
        _insertEpss.ExecuteNonQuery();
        _snapshotRows++;
    }

    /// <summary>
    /// Ends the current snapshot: when <paramref name="complete"/> its rows replace the old ones and its
    /// date is recorded; otherwise (the file was cut short) the previous rows are restored.
    /// </summary>
    /// <returns>True when the snapshot was applied.</returns>
    public bool EndSnapshot(bool complete)
    {
        if (_snapshot is not { } header)
            return false;
        _snapshot = null;
        if (!complete || _snapshotRows == 0)
        {
            _transaction.Rollback("snapshot");
            _transaction.Release("snapshot");
            return false;
        }
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = _transaction;
            command.CommandText = """
                INSERT INTO snapshot(source, released, version, records, last_import) VALUES ($s, $r, $v, $n, $t)
                ON CONFLICT(source) DO UPDATE SET released=$r, version=$v, records=$n, last_import=$t
                """;
            command.Parameters.AddWithValue("$s", header.Source);
            command.Parameters.AddWithValue("$r", header.Released is { } r ? FormatTime(r) : DBNull.Value);
            command.Parameters.AddWithValue("$v", (object?)header.Version ?? DBNull.Value);
            command.Parameters.AddWithValue("$n", _snapshotRows);
            command.Parameters.AddWithValue("$t", FormatTime(DateTimeOffset.UtcNow));
            command.ExecuteNonQuery();
        }
        _transaction.Release("snapshot");
        ExploitRows += _snapshotRows;
        return true;
    }

    /// <summary>Stores a value of the updater's state (NVD window end, OSV ETags) with the data it describes.</summary>
    public void SetState(string key, string value)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "INSERT INTO update_state(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value=$v";
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private long ProductId(string vendor, string product)
    {
        var key = vendor + ":" + product;
        if (_products.TryGetValue(key, out var pid))
            return pid;
        _insertProduct.Parameters[0].Value = vendor;
        _insertProduct.Parameters[1].Value = product;
        _insertProduct.ExecuteNonQuery();
        pid = (long)_lastId.ExecuteScalar()!;
        _products[key] = pid;
        return pid;
    }

    private void DeleteRows(long vid)
    {
        Run(_deleteCpe, vid);
        Run(_deleteOsv, vid);
    }

    private static void Run(SqliteCommand command, long vid)
    {
        command.Parameters[0].Value = vid;
        command.ExecuteNonQuery();
    }

    private static void BindVulnerability(SqliteCommand c, FeedRecord r, string lm)
    {
        var p = c.Parameters;
        p[0].Value = r.Id;
        p[1].Value = r.Source;
        p[2].Value = r.Published is { } pub ? FormatTime(pub) : DBNull.Value;
        p[3].Value = lm;
        p[4].Value = (int)r.Severity;
        p[5].Value = (object?)r.CvssV31Score ?? DBNull.Value;
        p[6].Value = (object?)r.CvssV31Vector ?? DBNull.Value;
        p[7].Value = (object?)r.CvssV40Score ?? DBNull.Value;
        p[8].Value = (object?)r.CvssV40Vector ?? DBNull.Value;
        p[9].Value = r.Cwes.Count == 0 ? DBNull.Value : string.Join(',', r.Cwes);
        p[10].Value = r.Aliases.Count == 0 ? DBNull.Value : string.Join(',', r.Aliases);
        p[11].Value = (object?)r.Description ?? DBNull.Value;
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        foreach (var c in new[] { _insertVuln, _updateVuln, _deleteVuln, _deleteCpe, _deleteOsv, _insertCpe, _insertProduct, _insertOsv, _lastId, _insertKev, _insertEpss })
            c?.Dispose();
        _transaction.Dispose();
    }
}
