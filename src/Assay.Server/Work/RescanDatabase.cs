using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Assay.Vulnerabilities;

namespace Assay.Server.Work;

/// <summary>The vulnerability database a scan matches against, named by its content.</summary>
/// <param name="Path">The file (null: none, the server runs with <c>--no-vulns</c> or has no database).</param>
/// <param name="Fingerprint"><c>sha256:</c> over the database's schema version and every source's name, record count, newest record and import time.</param>
/// <param name="Label">For people: <c>nvd 1234 records to 2026-11-30; kev 2025.08.25</c>.</param>
public sealed record VulnerabilityDatabaseVersion(string? Path, string? Fingerprint, string? Label);

/// <summary>
/// Finds the vulnerability database the service uses (as the scan's vulnerability step does:
/// <c>--vuln-db</c>, else the default file, else the snapshot bundled with Assay) and names its
/// version. The fingerprint is taken from the database's own bookkeeping (the <c>source</c> and
/// snapshot tables every import rewrites), not from the file's bytes or times: it is one query on
/// a database of any size, it is the same on every machine that shares the file, and an import
/// that changes anything changes it (each import stamps its time). An import that adds nothing
/// new still changes it: the re-match then finds no changes, which is the honest answer.
/// </summary>
internal sealed class RescanDatabase(ServerOptions options)
{
    /// <summary>The database and its version now (read fresh: an import may have replaced the file).</summary>
    public VulnerabilityDatabaseVersion Current()
    {
        if (options.SkipVulnerabilities)
            return new VulnerabilityDatabaseVersion(null, null, null);
        var path = options.VulnerabilityDatabase ?? VulnerabilityDatabase.DefaultPath;
        if (!File.Exists(path))
        {
            if (options.VulnerabilityDatabase is not null)
                throw new FileNotFoundException($"vulnerability database '{path}' does not exist; create it with 'assay db update --db {path}'", path);
            if (!BundledSnapshot.IsAvailable)
                return new VulnerabilityDatabaseVersion(null, null, null);
            path = BundledSnapshot.EnsureDatabase();
        }
        using var db = VulnerabilityDatabase.Open(path);
        var status = db.GetStatus();
        var text = new StringBuilder().Append("schema ").Append(status.SchemaVersion).Append('\n');
        foreach (var s in status.Sources)
        {
            text.Append(s.Name).Append('\t').Append(s.Records).Append('\t').Append(s.NewestModified?.ToString("O", CultureInfo.InvariantCulture))
                .Append('\t').Append(s.LastImport.ToString("O", CultureInfo.InvariantCulture)).Append('\t').Append(s.Files).Append('\t').Append(s.Version).Append('\n');
        }
        var fingerprint = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        var label = status.Sources.Count == 0
            ? "empty database"
            : string.Join("; ", status.Sources.Select(s => s.Version is { } v
                ? $"{s.Name} {v}"
                : $"{s.Name} {s.Records} records" + (s.NewestModified is { } t ? $" to {t.UtcDateTime:yyyy-MM-dd}" : "")));
        return new VulnerabilityDatabaseVersion(path, fingerprint, label);
    }
}
