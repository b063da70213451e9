using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Assay.Catalog.Binaries;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Packages;

/// <summary>
/// Debian packages from dpkg's database: <c>var/lib/dpkg/status</c> (one stanza per package,
/// deb-control(5) syntax), <c>var/lib/dpkg/status.d/*</c> (one file per package, as distroless
/// images ship them), and <c>var/lib/dpkg/info/PKG[:ARCH].list</c> for the files each package owns.
/// Package URLs are <c>pkg:deb/NAMESPACE/NAME@VERSION?arch=ARCH&amp;distro=ID-VERSION</c> with the
/// distribution from <c>etc/os-release</c> when it is a Debian-family id; for a vendor's own
/// os-release (ID_LIKE=debian) the Debian release is read from the <c>+debNuM</c> markers of the
/// package versions. The CPE is the upstream product's (<c>libssl3</c>, source <c>openssl</c> →
/// <c>openssl:openssl:3.0.20</c>) where the signature database knows the source package.
/// <para>Limitations: only packages whose status is installed (or half-installed) count;
/// <c>Conffiles</c> and <c>*.md5sums</c> are not read.</para>
/// </summary>
public sealed class DpkgStatusCataloger : IInspector
{
    public const string CatalogerId = "dpkg-status";

    /// <summary>Bytes read of one status or list file.</summary>
    public const int MaxFileBytes = 64 << 20;

    private const string StatusSuffix = "var/lib/dpkg/status";
    private const string StatusDir = "/var/lib/dpkg/status.d/";
    private const string InfoDir = "/var/lib/dpkg/info/";

    private static readonly HashSet<string> DebianFamily = new(StringComparer.Ordinal) { "debian", "ubuntu", "raspbian", "devuan", "kali", "linuxmint", "pureos", "pop" };
    private static readonly Regex DebianRelease = new(@"deb(\d{1,2})u\d", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private readonly ConcurrentDictionary<string, string> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _osRelease = new(StringComparer.Ordinal);
    private readonly SignatureDatabase _signatures;

    public DpkgStatusCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public DpkgStatusCataloger(SignatureDatabase signatures) => _signatures = signatures;

    public string Id => CatalogerId;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is null or > MaxFileBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return inner.EndsWith("/" + StatusSuffix, StringComparison.Ordinal)
            || (inner.Contains(StatusDir, StringComparison.Ordinal) && !inner.EndsWith(".md5sums", StringComparison.Ordinal))
            || (inner.Contains(InfoDir, StringComparison.Ordinal) && inner.EndsWith(".list", StringComparison.Ordinal))
            || OsRelease.IsOsRelease(inner);
    }

    /// <summary>What it reads goes to the sink as facts (status, list, os-release texts), so its results are cached by content.</summary>
    public bool CacheableByContent => true;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var inner = file.InnerPath;
        if (OsRelease.IsOsRelease(inner))
        {
            sink.Add(OsRelease.Fact(file, Id));
            return;
        }
        if (inner.EndsWith(".list", StringComparison.Ordinal) && inner.Contains(InfoDir, StringComparison.Ordinal))
        {
            sink.Add(new InspectionFact(Id, file.Path, "list", file.ReadText(MaxFileBytes)));
            return;
        }
        sink.Add(new InspectionFact(Id, file.Path, "status", file.ReadText(MaxFileBytes)));
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var fact in sink.FactsOf(Id))
        {
            if (fact.Kind == OsRelease.FactKind)
                OsRelease.Remember(fact.Path, fact.Data, _osRelease);
            else
                (fact.Kind == "list" ? _lists : _status)[fact.Path] = fact.Data;
        }
        // info/*.list names directories too ("/usr"); a component owns the entries that are in
        // the tree and are not directories
        var present = files.Where(f => f.Kind != NodeKind.Dir).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, text) in _status.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var inStatusDir = path.Contains(StatusDir, StringComparison.Ordinal);
            var root = inStatusDir
                ? path[..(path.IndexOf(StatusDir, StringComparison.Ordinal) + 1)]
                : RootedPaths.RootOf(path, StatusSuffix) ?? "";
            var stanzas = ControlStanzas.Parse(text, (line, content) =>
                sink.Add(new ScanError { Path = path, Handler = Id, Message = $"line {line}: '{content}' is neither 'Field: value' nor a continuation line; the line was skipped" }));
            var distro = Distro(root, stanzas);
            foreach (var s in stanzas)
            {
                var name = s["Package"];
                var version = s["Version"];
                if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
                {
                    sink.Add(new ScanError { Path = path, Handler = Id, Message = $"stanza at line {s.Line} has no Package or Version field; it was skipped" });
                    continue;
                }
                if (!IsInstalled(s["Status"]))
                    continue;
                var arch = s["Architecture"];
                var (sourceName, sourceVersion) = Source(s["Source"], name, version);
                var owned = OwnedFiles(root, name, arch).Where(present.Contains).ToList();
                var upstream = _signatures.FindBySource(sourceName);
                sink.Add(new Component
                {
                    Name = name,
                    Version = version,
                    Location = path,
                    Type = "deb",
                    Purl = PackageUrl.Create("deb", distro.Namespace, name, version, [new("arch", arch ?? ""), new("distro", distro.Qualifier ?? "")]),
                    Cpe = upstream?.CpeFor(DebianVersion.Release(sourceVersion)),
                    Linkage = "package",
                    PackageVersion = version,
                    SourcePackage = sourceName == name ? null : sourceName,
                    Supplier = s["Maintainer"],
                    Files = owned,
                    DependsOn = PackageRelations.Debian(s["Pre-Depends"], s["Depends"]),
                    Evidence = [new Evidence { Source = Id, Path = path, Text = $"Package: {name} Version: {version}" }],
                });
            }
        }
    }

    /// <summary>"install ok installed" and other states where the files are on disk count; config-files and not-installed do not.</summary>
    internal static bool IsInstalled(string? status)
    {
        if (status is null)
            return true;
        var words = status.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length < 3 || words[2] is not ("not-installed" or "config-files");
    }

    /// <summary><c>Source: busybox (1:1.35.0-4+deb12u1)</c> → (busybox, 1:1.35.0-4+deb12u1); absent → the binary package's own.</summary>
    internal static (string Name, string Version) Source(string? field, string name, string version)
    {
        if (string.IsNullOrWhiteSpace(field))
            return (name, version);
        var f = field.Trim();
        var paren = f.IndexOf('(');
        if (paren < 0)
            return (f, version);
        var close = f.IndexOf(')', paren);
        var v = close > paren ? f[(paren + 1)..close].Trim() : version;
        return (f[..paren].Trim(), v.Length == 0 ? version : v);
    }

    private IReadOnlyList<string> OwnedFiles(string root, string name, string? arch)
    {
        var infoRoot = root + "var/lib/dpkg/info/";
        if (!_lists.TryGetValue(infoRoot + name + ".list", out var list) && (arch is null || !_lists.TryGetValue(infoRoot + name + ":" + arch + ".list", out list)))
            return [];
        var files = new List<string>();
        foreach (var line in list.AsSpan().EnumerateLines())
        {
            var t = line.Trim();
            if (t.Length == 0 || t.SequenceEqual("/.") || t[0] != '/')
                continue;
            files.Add(RootedPaths.Join(root, t.ToString()));
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private (string Namespace, string? Qualifier) Distro(string root, List<ControlStanzas.Stanza> stanzas)
    {
        if (_osRelease.TryGetValue(root, out var text))
        {
            var os = OsRelease.Parse(text);
            var id = os.GetValueOrDefault("ID");
            var versionId = os.GetValueOrDefault("VERSION_ID");
            if (id is not null && DebianFamily.Contains(id))
                return (id, versionId is null ? null : $"{id}-{versionId}");
        }
        // A vendor os-release (ID_LIKE=debian) does not name the Debian release; Debian's
        // stable and security updates mark theirs in the version (+deb12u3, ~deb12u1).
        var releases = stanzas.Select(s => s["Version"]).Where(v => v is not null).Select(v => DebianRelease.Match(v!)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
        return releases.Count == 1 ? ("debian", "debian-" + releases[0]) : ("debian", null);
    }
}
