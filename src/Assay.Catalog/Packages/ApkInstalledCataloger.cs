using System.Collections.Concurrent;
using Assay.Catalog.Binaries;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Packages;

/// <summary>
/// Alpine packages from <c>lib/apk/db/installed</c> (apk-tools' database: stanzas separated by a
/// blank line, one-letter keys: <c>P</c> name, <c>V</c> version, <c>A</c> arch, <c>o</c> origin,
/// <c>L</c> license, <c>m</c> maintainer, <c>F</c> directory, then <c>R</c> files of that
/// directory; see https://wiki.alpinelinux.org/wiki/Apk_spec). Package URLs are
/// <c>pkg:apk/alpine/NAME@VERSION?arch=ARCH&amp;distro=alpine-X.Y</c> with X.Y from
/// <c>etc/os-release</c>.
/// <para>Limitations: checksums (<c>C</c>, <c>Z</c>) are not verified against the files.</para>
/// </summary>
public sealed class ApkInstalledCataloger : IInspector
{
    public const string CatalogerId = "apk-installed";
    public const int MaxFileBytes = 64 << 20;
    private const string DbSuffix = "lib/apk/db/installed";

    private readonly ConcurrentDictionary<string, string> _db = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _osRelease = new(StringComparer.Ordinal);
    private readonly SignatureDatabase _signatures;

    public ApkInstalledCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public ApkInstalledCataloger(SignatureDatabase signatures) => _signatures = signatures;

    public string Id => CatalogerId;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is null or > MaxFileBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return inner.EndsWith("/" + DbSuffix, StringComparison.Ordinal) || OsRelease.IsOsRelease(inner);
    }

    /// <summary>What it reads goes to the sink as facts (installed database, os-release texts), so its results are cached by content.</summary>
    public bool CacheableByContent => true;

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        if (OsRelease.IsOsRelease(file.InnerPath))
        {
            sink.Add(OsRelease.Fact(file, Id));
            return;
        }
        sink.Add(new InspectionFact(Id, file.Path, "installed", file.ReadText(MaxFileBytes)));
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var fact in sink.FactsOf(Id))
        {
            if (fact.Kind == OsRelease.FactKind)
                OsRelease.Remember(fact.Path, fact.Data, _osRelease);
            else
                _db[fact.Path] = fact.Data;
        }
        foreach (var (path, text) in _db.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var root = RootedPaths.RootOf(path, DbSuffix) ?? "";
            string? distro = null;
            if (_osRelease.TryGetValue(root, out var os) && OsRelease.Parse(os) is var fields && fields.GetValueOrDefault("ID") == "alpine" && fields.GetValueOrDefault("VERSION_ID") is { } vid)
            {
                var parts = vid.Split('.');
                distro = "alpine-" + (parts.Length >= 2 ? parts[0] + "." + parts[1] : vid);
            }
            foreach (var p in Parse(text, (line, content) => sink.Add(new ScanError { Path = path, Handler = Id, Message = $"line {line}: '{content}' is not 'K:value'; the line was skipped" })))
            {
                if (p.Name is null || p.Version is null)
                {
                    sink.Add(new ScanError { Path = path, Handler = Id, Message = $"package at line {p.Line} has no P: or V: line; it was skipped" });
                    continue;
                }
                var upstream = _signatures.Find(p.Origin ?? p.Name) ?? _signatures.FindBySource(p.Origin ?? p.Name);
                sink.Add(new Component
                {
                    Name = p.Name,
                    Version = p.Version,
                    Location = path,
                    Type = "apk",
                    Purl = PackageUrl.Create("apk", "alpine", p.Name, p.Version, [new("arch", p.Arch ?? ""), new("distro", distro ?? "")]),
                    Cpe = upstream?.CpeFor(DebianVersion.Release(p.Version)),
                    Linkage = "package",
                    PackageVersion = p.Version,
                    SourcePackage = p.Origin == p.Name ? null : p.Origin,
                    Supplier = p.Maintainer,
                    Licenses = p.License is null ? [] : [p.License],
                    Files = p.Files.Select(f => RootedPaths.Join(root, f)).Order(StringComparer.Ordinal).ToList(),
                    DependsOn = PackageRelations.Apk(p.Depends),
                    Evidence = [new Evidence { Source = Id, Path = path, Text = $"P:{p.Name} V:{p.Version}" }],
                });
            }
        }
    }

    internal sealed class Package
    {
        public int Line { get; init; }
        public string? Name { get; set; }
        public string? Version { get; set; }
        public string? Arch { get; set; }
        public string? Origin { get; set; }
        public string? License { get; set; }
        public string? Maintainer { get; set; }
        public string? Depends { get; set; }
        public List<string> Files { get; } = [];
    }

    internal static List<Package> Parse(string text, Action<int, string> malformed)
    {
        var result = new List<Package>();
        Package? current = null;
        var dir = "";
        var lineNo = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.IsWhiteSpace())
            {
                if (current is not null)
                    result.Add(current);
                current = null;
                dir = "";
                if (result.Count >= ControlStanzas.MaxStanzas)
                    return result;
                continue;
            }
            if (line.Length < 2 || line[1] != ':')
            {
                malformed(lineNo, line.Length > 80 ? line[..80].ToString() : line.ToString());
                continue;
            }
            current ??= new Package { Line = lineNo };
            var value = line[2..].ToString();
            switch (line[0])
            {
                case 'P': current.Name = value; break;
                case 'V': current.Version = value; break;
                case 'A': current.Arch = value; break;
                case 'o': current.Origin = value; break;
                case 'L': current.License = value; break;
                case 'm': current.Maintainer = value; break;
                case 'D': current.Depends = value; break;
                case 'F': dir = value; break;
                case 'R':
                    if (current.Files.Count < 100_000)
                        current.Files.Add("/" + (dir.Length == 0 ? value : dir + "/" + value));
                    break;
                default: break;
            }
        }
        if (current is not null)
            result.Add(current);
        return result;
    }
}
