using System.Collections.Concurrent;
using Assay.Catalog.Binaries;
using Assay.Core.Model;
using Assay.Core.Plugins;
using System.Runtime.InteropServices;
using Assay.Core.Content;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Packages;

/// <summary>
/// RPM packages from rpm's SQLite database (<c>var/lib/rpm/rpmdb.sqlite</c>, rpm ≥ 4.16, Fedora
/// 33+, RHEL 9): table <c>Packages(hnum INTEGER PRIMARY KEY, blob BLOB)</c>, each blob an rpm
/// header (<see cref="RpmHeader"/>). Version is <c>[epoch:]version-release</c>; the purl is
/// <c>pkg:rpm/ID/NAME@VERSION-RELEASE?arch=ARCH&amp;epoch=N&amp;distro=ID-VERSION_ID</c> with ID from
/// <c>etc/os-release</c>. The database is handed to SQLite from memory, read-only
/// (<c>sqlite3_deserialize</c>); nothing is written to the host.
/// <para>Limitations: the Berkeley DB (<c>Packages</c>) and NDB (<c>Packages.db</c>) back-ends of
/// older rpm are not read.</para>
/// </summary>
public sealed class RpmSqliteCataloger : IInspector
{
    public const string CatalogerId = "rpm-sqlite";
    public const long MaxDatabaseBytes = 256L << 20;
    private const string DbSuffix = "var/lib/rpm/rpmdb.sqlite";

    private readonly ConcurrentDictionary<string, string> _osRelease = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<(string Path, List<(Component Component, string? Arch)> Components)> _found = [];
    private readonly SignatureDatabase _signatures;

    public RpmSqliteCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public RpmSqliteCataloger(SignatureDatabase signatures) => _signatures = signatures;

    public string Id => CatalogerId;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is null or > MaxDatabaseBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return inner.EndsWith("/" + DbSuffix, StringComparison.Ordinal) || OsRelease.IsOsRelease(inner);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        if (OsRelease.IsOsRelease(file.InnerPath))
        {
            OsRelease.Remember(file.Path, file.ReadText(64 << 10), _osRelease);
            return;
        }
        if (file.Content.Length > MaxDatabaseBytes)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Category = ErrorCategory.Limit, Message = $"rpmdb.sqlite is {file.Content.Length} bytes, more than {MaxDatabaseBytes >> 20} MiB; not read" });
            return;
        }
        // SQLite reads the database from native memory (sqlite3_deserialize, read-only): the
        // input is never written to the host.
        var length = (nuint)file.Content.Length;
        unsafe
        {
            var native = (byte*)NativeMemory.Alloc(Math.Max(length, 1));
            try
            {
                var span = new Span<byte>(native, (int)length);
                if (!file.Content.TryReadExactly(0, span))
                    throw new InvalidDataException("rpmdb.sqlite ended before its stated length");
                using var connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
                connection.Open();
                var rc = raw.sqlite3_deserialize(connection.Handle, "main", (IntPtr)native, (long)length, (long)length, raw.SQLITE_DESERIALIZE_READONLY);
                if (rc != raw.SQLITE_OK)
                {
                    sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = $"rpmdb.sqlite could not be opened (SQLite error {rc}); expected an SQLite database with table Packages(hnum, blob)" });
                    return;
                }
                _found.Add((file.Path, Read(file.Path, connection, sink)));
            }
            catch (SqliteException e)
            {
                sink.Add(new ScanError { Path = file.Path, Handler = Id, Message = $"rpmdb.sqlite could not be read as SQLite ({e.Message}); expected table Packages(hnum, blob)" });
            }
            finally
            {
                NativeMemory.Free(native);
            }
        }
    }

    private List<(Component Component, string? Arch)> Read(string path, SqliteConnection connection, InspectionSink sink)
    {
        var result = new List<(Component, string?)>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hnum, blob FROM Packages ORDER BY hnum";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var hnum = reader.GetInt64(0);
            if (reader.IsDBNull(1))
                continue;
            var blob = (byte[])reader.GetValue(1);
            try
            {
                var h = RpmHeader.Parse(blob);
                var name = h.String(RpmHeader.TagName);
                var version = h.String(RpmHeader.TagVersion);
                var release = h.String(RpmHeader.TagRelease);
                if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
                {
                    sink.Add(new ScanError { Path = path, Handler = Id, Message = $"package hnum {hnum}: header has no name or version tag; skipped" });
                    continue;
                }
                if (name == "gpg-pubkey")
                    continue;
                var epoch = h.Int32(RpmHeader.TagEpoch);
                var full = (epoch is { } e ? $"{e}:" : "") + version + (release is null ? "" : "-" + release);
                var dirs = h.Strings(RpmHeader.TagDirNames);
                var bases = h.Strings(RpmHeader.TagBaseNames);
                var index = h.Int32s(RpmHeader.TagDirIndexes);
                var files = new List<string>();
                for (var i = 0; i < bases.Count && i < index.Count; i++)
                {
                    if (index[i] >= 0 && index[i] < dirs.Count)
                        files.Add(dirs[index[i]] + bases[i]);
                }
                var source = h.String(RpmHeader.TagSourceRpm);
                var sourceName = SourceName(source);
                var upstream = _signatures.Find(name) ?? (sourceName is null ? null : _signatures.FindBySource(sourceName) ?? _signatures.Find(sourceName));
                result.Add((new Component
                {
                    Name = name,
                    Version = full,
                    Location = path,
                    Type = "rpm",
                    Cpe = upstream?.CpeFor(version),
                    Linkage = "package",
                    PackageVersion = full,
                    SourcePackage = sourceName == name ? null : sourceName,
                    Supplier = h.String(RpmHeader.TagVendor),
                    Licenses = h.String(RpmHeader.TagLicense) is { Length: > 0 } l ? [l] : [],
                    Files = files,
                    Evidence = [new Evidence { Source = Id, Path = path, Text = $"hnum {hnum}: {name}-{full}.{h.String(RpmHeader.TagArch)}" }],
                }, h.String(RpmHeader.TagArch)));
            }
            catch (InvalidDataException ex)
            {
                sink.Add(new ScanError { Path = path, Handler = Id, Message = $"package hnum {hnum}: {ex.Message}; skipped" });
            }
        }
        return result;
    }

    /// <summary><c>openssl-3.0.7-6.el9.src.rpm</c> → <c>openssl</c>.</summary>
    internal static string? SourceName(string? sourceRpm)
    {
        if (string.IsNullOrEmpty(sourceRpm))
            return null;
        var s = sourceRpm.EndsWith(".src.rpm", StringComparison.Ordinal) ? sourceRpm[..^8] : sourceRpm;
        for (var k = 0; k < 2; k++)
        {
            var dash = s.LastIndexOf('-');
            if (dash <= 0)
                return s;
            s = s[..dash];
        }
        return s;
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var (path, components) in _found.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var root = RootedPaths.RootOf(path, DbSuffix) ?? "";
            string ns = "redhat";
            string? distro = null;
            if (_osRelease.TryGetValue(root, out var text))
            {
                var os = OsRelease.Parse(text);
                if (os.GetValueOrDefault("ID") is { Length: > 0 } id)
                {
                    ns = id;
                    distro = os.GetValueOrDefault("VERSION_ID") is { } vid ? $"{id}-{vid}" : null;
                }
            }
            foreach (var (c, arch) in components)
            {
                var colon = c.Version.IndexOf(':');
                var epoch = colon > 0 ? c.Version[..colon] : null;
                var versionRelease = colon > 0 ? c.Version[(colon + 1)..] : c.Version;
                sink.Add(c with
                {
                    Purl = PackageUrl.Create("rpm", ns, c.Name, versionRelease, [new("arch", arch ?? ""), new("epoch", epoch ?? ""), new("distro", distro ?? "")]),
                    Files = c.Files.Select(f => RootedPaths.Join(root, f)).Order(StringComparer.Ordinal).ToList(),
                });
            }
        }
    }
}
