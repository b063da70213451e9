using System.Collections.Concurrent;
using Assay.Catalog.Binaries;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Packages;

/// <summary>
/// OpenWrt/Yocto packages from opkg's database: <c>usr/lib/opkg/status</c> (or
/// <c>var/lib/opkg/status</c>), deb-control(5) stanzas as dpkg writes them, and
/// <c>usr/lib/opkg/info/PKG.list</c> for owned files. Package URLs are
/// <c>pkg:opkg/openwrt/NAME@VERSION?arch=ARCH</c> (opkg has no registered purl type; syft and
/// OpenWrt's own SBOM tooling use this form).
/// <para>OpenWrt writes <c>Source: package/libs/openssl</c> (the recipe's folder in its tree),
/// <c>SourceName: openssl</c> (PKG_NAME, the upstream project) and, since 21.02,
/// <c>CPE-ID: cpe:/a:openssl:openssl</c> (PKG_CPE_ID): the CPE comes from <c>CPE-ID</c>, else from
/// the source name through the signature data's <c>sources</c> (as for dpkg), so
/// <c>libopenssl3</c> is OpenSSL.</para>
/// <para>Limitations: OpenWrt images often keep no opkg status for the packages baked into the
/// squashfs (only <c>info/*.control</c>); those control files are read as stanzas too.</para>
/// </summary>
public sealed class OpkgStatusCataloger : IInspector
{
    public const string CatalogerId = "opkg-status";
    public const int MaxFileBytes = 32 << 20;

    private readonly ConcurrentDictionary<string, string> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _lists = new(StringComparer.Ordinal);
    private readonly SignatureDatabase _signatures;

    public OpkgStatusCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public OpkgStatusCataloger(SignatureDatabase signatures) => _signatures = signatures;

    public string Id => CatalogerId;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is null or > MaxFileBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return inner.EndsWith("/lib/opkg/status", StringComparison.Ordinal)
            || (inner.Contains("/lib/opkg/info/", StringComparison.Ordinal) && (inner.EndsWith(".list", StringComparison.Ordinal) || inner.EndsWith(".control", StringComparison.Ordinal)));
    }

    /// <summary>What it reads goes to the sink as facts (status, control and list texts), so its results are cached by content.</summary>
    public bool CacheableByContent => true;

    public void Inspect(InspectedFile file, InspectionSink sink) =>
        sink.Add(new InspectionFact(Id, file.Path, file.InnerPath.EndsWith(".list", StringComparison.Ordinal) ? "list" : "status", file.ReadText(MaxFileBytes)));

    /// <summary>
    /// The upstream source name: OpenWrt's <c>SourceName</c>, else the last segment of a
    /// <c>Source</c> that is a tree path (<c>package/libs/openssl</c>), else Debian-style
    /// <c>Source: NAME (VERSION)</c>, else the package name.
    /// </summary>
    internal static string SourceName(string? sourceNameField, string? sourceField, string name)
    {
        if (!string.IsNullOrWhiteSpace(sourceNameField))
            return sourceNameField.Trim();
        if (string.IsNullOrWhiteSpace(sourceField))
            return name;
        var source = sourceField.Trim();
        if (source.Contains('/', StringComparison.Ordinal))
            return source.TrimEnd('/')[(source.TrimEnd('/').LastIndexOf('/') + 1)..] is { Length: > 0 } last ? last : name;
        return DpkgStatusCataloger.Source(source, name, "").Name;
    }

    /// <summary>"fw!/usr/lib/opkg/status" → root "fw!/", database folder "fw!/usr/lib/opkg/".</summary>
    internal static (string Root, string DbRoot) Roots(string path)
    {
        foreach (var dir in new[] { "usr/lib/opkg/", "var/lib/opkg/" })
        {
            var i = path.LastIndexOf(dir, StringComparison.Ordinal);
            if (i == 0 || (i > 0 && path[i - 1] == '/'))
                return (path[..i], path[..(i + dir.Length)]);
        }
        var slash = path.LastIndexOf('/');
        return ("", slash < 0 ? "" : path[..(slash + 1)]);
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var fact in sink.FactsOf(Id))
            (fact.Kind == "list" ? _lists : _status)[fact.Path] = fact.Data;
        var seen = new HashSet<(string Root, string Name)>();
        // status files first, so a package listed there is not reported again from its .control
        foreach (var (path, text) in _status.OrderBy(p => p.Key.EndsWith(".control", StringComparison.Ordinal)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var (root, dbRoot) = Roots(path);
            var stanzas = ControlStanzas.Parse(text, (line, content) =>
                sink.Add(new ScanError { Path = path, Handler = Id, Message = $"line {line}: '{content}' is neither 'Field: value' nor a continuation line; the line was skipped" }));
            foreach (var s in stanzas)
            {
                var name = s["Package"];
                var version = s["Version"];
                if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
                {
                    sink.Add(new ScanError { Path = path, Handler = Id, Message = $"stanza at line {s.Line} has no Package or Version field; it was skipped" });
                    continue;
                }
                if (!DpkgStatusCataloger.IsInstalled(s["Status"]) || !seen.Add((dbRoot, name)))
                    continue;
                var arch = s["Architecture"];
                var sourceName = SourceName(s["SourceName"], s["Source"], name);
                var owned = new List<string>();
                if (_lists.TryGetValue(dbRoot + "info/" + name + ".list", out var list))
                {
                    foreach (var line in list.AsSpan().EnumerateLines())
                    {
                        var t = line.Trim();
                        // OpenWrt .list lines are "/path" or "/path\tmode"
                        var tab = t.IndexOf('\t');
                        if (tab > 0)
                            t = t[..tab];
                        if (t.Length > 1 && t[0] == '/')
                            owned.Add(RootedPaths.Join(root, t.ToString()));
                    }
                    owned.Sort(StringComparer.Ordinal);
                }
                var upstream = _signatures.Find(name) ?? _signatures.FindBySource(sourceName) ?? _signatures.Find(sourceName);
                var release = DebianVersion.Release(version);
                sink.Add(new Component
                {
                    Name = name,
                    Version = version,
                    Location = path,
                    Type = "opkg",
                    Purl = PackageUrl.Create("opkg", "openwrt", name, version, [new("arch", arch ?? "")]),
                    Cpe = Cpe23.WithVersion(s["CPE-ID"], release) ?? upstream?.CpeFor(release),
                    Linkage = "package",
                    PackageVersion = version,
                    SourcePackage = sourceName == name ? null : sourceName,
                    Supplier = s["Maintainer"],
                    Licenses = s["License"] is { Length: > 0 } l ? [l] : [],
                    Files = owned,
                    DependsOn = PackageRelations.Debian(s["Pre-Depends"], s["Depends"]),
                    Evidence = [new Evidence { Source = Id, Path = path, Text = $"Package: {name} Version: {version}" }],
                });
            }
        }
    }
}
