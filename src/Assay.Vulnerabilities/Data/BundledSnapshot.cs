using System.Reflection;
using System.Security.Cryptography;

namespace Assay.Vulnerabilities;

/// <summary>
/// The small vulnerability database that ships inside Assay (<c>Data/snapshot/</c>, made by
/// <c>samples/vulndb/make-snapshot.sh</c> from real NVD records of the sample delivery's
/// components, with their CISA KEV entries): what <c>assay scan</c> matches against when no other
/// database exists, so a first scan shows real CVEs. It is imported once into the user's cache
/// folder (<c>$XDG_CACHE_HOME/assay/snapshot-HASH.db</c>, else <c>~/.cache/assay</c>), keyed by the
/// content, so a new Assay with a new snapshot makes a new file.
/// Limitations: it covers only the sample's components; anything else needs <c>assay db update</c>.
/// </summary>
public static class BundledSnapshot
{
    private const string Prefix = "Assay.Vulnerabilities.snapshot.";

    private static Assembly Assembly => typeof(BundledSnapshot).Assembly;

    private static IReadOnlyList<string> Resources =>
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && !n.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>True when this build carries a snapshot.</summary>
    public static bool IsAvailable => Resources.Count > 0;

    /// <summary>The snapshot's provenance (its <c>PROVENANCE.md</c>), empty when there is none.</summary>
    public static string Provenance
    {
        get
        {
            using var stream = Assembly.GetManifestResourceStream(Prefix + "PROVENANCE.md");
            return stream is null ? "" : new StreamReader(stream).ReadToEnd();
        }
    }

    /// <summary>
    /// The path of a database holding the snapshot, imported on first use into
    /// <paramref name="cacheDirectory"/> (default: the user's cache folder).
    /// </summary>
    /// <exception cref="InvalidOperationException">This build has no snapshot.</exception>
    public static string EnsureDatabase(string? cacheDirectory = null)
    {
        var names = Resources;
        if (names.Count == 0)
            throw new InvalidOperationException("this build of Assay carries no vulnerability snapshot (src/Assay.Vulnerabilities/Data/snapshot is empty); run 'assay db update'");
        var contents = names.Select(n =>
        {
            using var stream = Assembly.GetManifestResourceStream(n)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return (Name: n[Prefix.Length..], Bytes: buffer.ToArray());
        }).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in contents)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\n"));
            hash.AppendData(bytes);
        }
        var id = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        var folder = cacheDirectory ?? DefaultCacheDirectory;
        var path = Path.Combine(folder, $"snapshot-{id}.db");
        if (File.Exists(path))
            return path;
        var scratch = Path.Combine(Path.GetTempPath(), $"assay-snapshot-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            var files = new List<string>();
            foreach (var (name, bytes) in contents)
            {
                var file = Path.Combine(scratch, name);
                File.WriteAllBytes(file, bytes);
                files.Add(file);
            }
            VulnerabilityDatabase.Import(path, files, new ImportOptions { Strict = true });
            return path;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary><c>$XDG_CACHE_HOME/assay</c>, else <c>~/.cache/assay</c> (<c>%LOCALAPPDATA%\assay\cache</c> on Windows).</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
                return Path.Combine(xdg, "assay");
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "assay", "cache");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "assay");
        }
    }
}
