using System.Text;
using Assay.Catalog.Binaries;
using Assay.Catalog.Identifiers;
using Assay.Core.Identifiers;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Packages;

/// <summary>
/// Packages of a Buildroot image from the legal-info manifest, <c>legal-info/manifest.csv</c>
/// (written by <c>make legal-info</c>, Buildroot manual §13.2 "Complying with open source licenses";
/// vendors ship it with the GPL sources, sometimes inside the image):
/// <code>
/// "PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"
/// "busybox","1.36.1","GPL-2.0, bzip2-1.0.4","LICENSE archival/libarchive/bz/LICENSE","busybox-1.36.1.tar.bz2","https://www.busybox.net/downloads",""
/// </code>
/// Package names are Buildroot's (<c>libopenssl</c>, <c>linux</c>); the CPE comes through the signature
/// data (name, then <c>sources</c>). Package URLs are <c>pkg:generic/NAME@VERSION?distro=buildroot</c>.
/// <para>Limitations: <c>host-manifest.csv</c> (build tools) is not read; versions that are VCS hashes
/// are kept as they are and match no CPE range; the CPE_ID variables of <c>make show-info</c> are not in the manifest.</para>
/// </summary>
public sealed class BuildrootManifestCataloger : PackageListCataloger
{
    public const string CatalogerId = "buildroot-manifest";

    public BuildrootManifestCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public BuildrootManifestCataloger(SignatureDatabase signatures)
        : base(signatures)
    {
    }

    public override string Id => CatalogerId;

    protected override bool WantsPath(string path) =>
        path.EndsWith("/manifest.csv", StringComparison.Ordinal) || path.EndsWith("!manifest.csv", StringComparison.Ordinal);

    protected override void Read(string path, string text, InspectionSink sink)
    {
        var rows = ReadCsv(text);
        if (rows.Count == 0 || rows[0].Count < 3 || rows[0][0] != "PACKAGE" || rows[0][1] != "VERSION" || rows[0][2] != "LICENSE")
            return; // another CSV called manifest.csv: not Buildroot's
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Count < 2 || row[0].Length == 0 || row[1].Length == 0)
            {
                sink.Add(new ScanError { Path = path, Handler = Id, Message = $"row {i + 1} has no PACKAGE or VERSION; it was skipped" });
                continue;
            }
            var (name, version) = (row[0], row[1]);
            if (!seen.Add(name))
                continue;
            var info = Signatures.Find(name) ?? Signatures.FindBySource(name);
            sink.Add(new Component
            {
                Name = name,
                Version = version,
                Location = path,
                Type = "buildroot",
                Purl = PackageUrl.Create("generic", null, name, version, [new("distro", "buildroot")]),
                Cpe = info?.CpeFor(version),
                Linkage = "package",
                Licenses = row.Count > 2 && row[2].Length > 0 ? [row[2]] : [],
                Evidence = [new Evidence { Source = Id, Path = path, Text = $"\"{name}\",\"{version}\"" }],
            });
        }
    }

    /// <summary>RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF; at most 100,000 rows.</summary>
    internal static List<List<string>> ReadCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length && rows.Count < 100_000; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else if (field.Length < 1 << 16) field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n': row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; break;
                default: if (field.Length < 1 << 16) field.Append(c); break;
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }
}
