using System.IO.Compression;
using System.Security.Cryptography;
using Assay.Vulnerabilities.Import;
using Assay.Vulnerabilities.Storage;
using Microsoft.Data.Sqlite;

namespace Assay.Vulnerabilities;

/// <summary>What an export or an import of a whole database carried.</summary>
/// <param name="Sha256">SHA-256 of the export file, to compare on the other side of the air gap.</param>
public sealed record TransferResult(string File, long Bytes, string Sha256, DatabaseStatus Status);

/// <summary>
/// <c>assay db export FILE</c> / <c>assay db import FILE</c>: the whole database as one file a lab
/// carries into an air-gapped network. The file is a gzip-compressed SQLite database
/// (<c>VACUUM INTO</c> a consistent copy, then gzip), so it holds every record with its sources,
/// their dates and the updater's state; <c>db status</c> on the other side shows them.
/// Importing one treats it as hostile: size-bounded decompression with the gzip trailer checked,
/// then the copy must be an Assay database of a readable schema version whose schema holds only
/// Assay's own tables and indexes (no views or triggers) and that passes SQLite's
/// <c>quick_check</c>; only then is it renamed over the database.
/// </summary>
public static class DatabaseTransfer
{
    /// <summary>The first 16 bytes of every SQLite 3 file.</summary>
    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    private static readonly HashSet<string> KnownObjects = new(StringComparer.Ordinal)
    {
        "meta", "source", "vulnerability", "product", "cpe_match", "osv_range", "kev", "epss", "snapshot", "update_state",
        "cpe_match_vid", "osv_range_vid", "cpe_match_pid", "osv_range_package",
    };

    /// <summary>
    /// Writes the database at <paramref name="databasePath"/> to <paramref name="file"/>: a regular file
    /// (or a new one) is replaced atomically; a device, a FIFO or a symbolic link the user named is
    /// written through, never replaced.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no database.</exception>
    public static TransferResult Export(string databasePath, string file)
    {
        DatabaseStatus status;
        using (var db = VulnerabilityDatabase.Open(databasePath))
            status = db.GetStatus();
        var full = Path.GetFullPath(file);
        var temp = Path.Combine(Path.GetTempPath(), $"assay-export-{Environment.ProcessId}-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            {
                connection.Open();
                using var vacuum = connection.CreateCommand();
                vacuum.CommandText = "VACUUM INTO $f";
                vacuum.Parameters.AddWithValue("$f", temp);
                vacuum.ExecuteNonQuery();
            }
            using var through = OpenWriteThrough(full);
            var target = through is not null ? full : Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.part");
            try
            {
                using (var output = through is null ? new FileStream(target, FileMode.CreateNew, FileAccess.Write) : null)
                using (var gzip = new GZipStream((Stream?)output ?? through!, CompressionLevel.Optimal, leaveOpen: true))
                using (var input = File.OpenRead(temp))
                    input.CopyTo(gzip);
                if (through is null)
                    File.Move(target, full, overwrite: true);
            }
            finally
            {
                if (through is null && File.Exists(target))
                    File.Delete(target);
            }
            return new TransferResult(full, through is not null ? 0 : new FileInfo(full).Length, through is not null ? "" : Hash(full), status);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// The open target when the path exists and is not a regular file (a link, a device, a FIFO): it is
    /// written through, opened once (a FIFO's reader would see the end at a second open's close). Null
    /// for a regular or new file, which is replaced by a rename.
    /// </summary>
    private static FileStream? OpenWriteThrough(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            return null;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        if (info.LinkTarget is null && stream.CanSeek)
        {
            stream.Dispose();
            return null;
        }
        if (stream.CanSeek)
            stream.SetLength(0);
        return stream;
    }

    /// <summary>True when the file is an export (gzip of a SQLite file) or a bare SQLite database.</summary>
    public static bool IsDatabaseFile(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            var head = new byte[16];
            var n = stream.ReadAtLeast(head, 16, throwOnEndOfStream: false);
            if (n == 16 && head.AsSpan().SequenceEqual(SqliteMagic))
                return true;
            if (n < 2 || head[0] != 0x1f || head[1] != 0x8b)
                return false;
            stream.Position = 0;
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            return gzip.ReadAtLeast(head, 16, throwOnEndOfStream: false) == 16 && head.AsSpan().SequenceEqual(SqliteMagic);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Replaces the database at <paramref name="databasePath"/> with the exported one in <paramref name="file"/>, after checking it.</summary>
    /// <exception cref="InvalidDataException">The file is not a sound Assay database export; the database is unchanged.</exception>
    public static TransferResult Import(string databasePath, string file, ImportLimits? limits = null)
    {
        limits ??= ImportLimits.Default;
        var full = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.import-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var input = File.OpenRead(file))
            {
                var head = new byte[2];
                var gz = input.ReadAtLeast(head, 2, throwOnEndOfStream: false) == 2 && head[0] == 0x1f && head[1] == 0x8b;
                input.Position = 0;
                Stream source = input;
                if (gz)
                {
                    var trailer = GzipTrailerCheckStream.ReadTrailer(file);
                    source = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
                    if (trailer is { } t)
                        source = new GzipTrailerCheckStream(source, t.Crc, t.Size, file);
                }
                using var bounded = new BoundedReadStream(source, limits.MaxDecompressedBytes, $"{file} (decompressed)");
                using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
                bounded.CopyTo(output);
            }
            DatabaseStatus status;
            try
            {
                Check(temp, file);
                using var db = VulnerabilityDatabase.Open(temp);
                status = db.GetStatus();
            }
            catch (Exception e) when (e is SqliteException or FormatException or InvalidCastException or OverflowException)
            {
                // A well-formed SQLite file can still hold values Assay never writes (a date that is not
                // a date, text where a count belongs): found by fuzzing, it escaped as an internal error.
                throw new InvalidDataException($"'{file}' is not a sound Assay database export: {e.Message}; export it again with 'assay db export'", e);
            }
            SqliteConnection.ClearAllPools();
            File.Move(temp, full, overwrite: true);
            return new TransferResult(Path.GetFullPath(file), new FileInfo(file).Length, Hash(file), status with { Path = full, SizeBytes = new FileInfo(full).Length });
        }
        catch (ImportLimitException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>The schema must be Assay's own (no views, triggers or foreign tables) and the file must pass <c>quick_check</c>.</summary>
    private static void Check(string temp, string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        DatabaseSchema.Execute(connection, "PRAGMA trusted_schema=OFF; PRAGMA cell_size_check=ON;");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name FROM sqlite_master";
        using (var reader = command.ExecuteReader())
            while (reader.Read())
            {
                var (type, name) = (reader.GetString(0), reader.GetString(1));
                var autoIndex = type == "index" && name.StartsWith("sqlite_autoindex_", StringComparison.Ordinal);
                if (!(type is "table" or "index") || (!autoIndex && !KnownObjects.Contains(name)))
                    throw new InvalidDataException($"'{file}' holds a {type} '{name}' that no Assay database has; it is not an export of 'assay db export' (refused, the database is unchanged)");
            }
        command.CommandText = "PRAGMA quick_check";
        var verdict = command.ExecuteScalar() as string;
        if (verdict != "ok")
            throw new InvalidDataException($"'{file}' fails SQLite's integrity check ({verdict}); the file is damaged: export it again (the database is unchanged)");
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
