using System.Text.RegularExpressions;
using Assay.Catalog.Binaries;
using Assay.Catalog.Identifiers;
using Assay.Core.Identifiers;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Packages;

/// <summary>
/// Installed packages of a Yocto/OpenEmbedded image from the lists BitBake writes, when a delivery
/// carries one:
/// <list type="bullet">
/// <item>the image manifest <c>IMAGE.manifest</c> (<c>IMAGE_MANIFEST</c>, openembedded-core
/// <c>meta/lib/oe/manifest.py</c>): one <c>NAME ARCH VERSION</c> line per package,
/// e.g. <c>libssl3 cortexa7t2hf-neon-vfpv4 3.1.4-r0</c>;</item>
/// <item>buildhistory's <c>installed-packages.txt</c> (<c>buildhistory.bbclass</c>): one package
/// file name per line, <c>NAME_VERSION_ARCH.ipk</c> (or <c>.deb</c>, or <c>NAME-VERSION.ARCH.rpm</c>).</item>
/// </list>
/// <c>Version</c> is PV (the upstream version, <c>-rN</c> dropped), <c>PackageVersion</c> the full
/// <c>PV-PR</c>. The CPE comes from the package name through the signature data (name, then <c>sources</c>).
/// <para>Limitations: neither list names the recipe, so a package split from a recipe under
/// another name (<c>libssl3</c> from <c>openssl</c>) gets a CPE only when the signature data lists
/// that name; <c>license.manifest</c> (<see cref="YoctoLicenseManifestCataloger"/>) names the recipe.
/// A <c>.manifest</c> file whose lines are not all three-column package lines is not read.</para>
/// </summary>
public sealed class YoctoImageManifestCataloger : PackageListCataloger
{
    public const string CatalogerId = "yocto-image-manifest";

    // NAME_VERSION_ARCH.ipk / .deb: names hold no '_'; versions may ("1.0_git").
    private static readonly Regex IpkName = new(@"^(?<n>[a-z0-9][a-z0-9+.\-]*)_(?<v>[^\s_][^\s]*?)_(?<a>[A-Za-z0-9_\-]+)\.(?:ipk|deb)$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    // NAME-VERSION-RELEASE.ARCH.rpm
    private static readonly Regex RpmName = new(@"^(?<n>[A-Za-z0-9+.\-_]+)-(?<v>[^-\s]+-[^-\s]+)\.(?<a>[A-Za-z0-9_]+)\.rpm$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    public YoctoImageManifestCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public YoctoImageManifestCataloger(SignatureDatabase signatures)
        : base(signatures)
    {
    }

    public override string Id => CatalogerId;

    protected override bool WantsPath(string path) =>
        path.EndsWith(".manifest", StringComparison.Ordinal) && !path.EndsWith("license.manifest", StringComparison.Ordinal)
        || path.EndsWith("/installed-packages.txt", StringComparison.Ordinal);

    protected override void Read(string path, string text, InspectionSink sink)
    {
        var packages = path.EndsWith(".txt", StringComparison.Ordinal) ? ReadInstalledPackages(text) : ReadImageManifest(text);
        if (packages is null)
            return; // a .manifest of some other kind: not ours, not an error
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, arch, version) in packages)
        {
            if (!seen.Add(name))
                continue;
            var upstream = DebianVersion.Upstream(version);
            var info = Signatures.Find(name) ?? Signatures.FindBySource(name);
            sink.Add(new Component
            {
                Name = name,
                Version = upstream,
                Location = path,
                Type = "yocto",
                Purl = PackageUrl.Create("generic", null, name, version, [new("arch", arch), new("distro", "yocto")]),
                Cpe = info?.CpeFor(YoctoLicenseManifestCataloger.ReleaseOf(version)),
                Linkage = "package",
                PackageVersion = version,
                Evidence = [new Evidence { Source = Id, Path = path, Text = $"{name} {arch} {version}" }],
            });
        }
    }

    /// <summary>NAME ARCH VERSION lines; null when any non-blank line has another shape (not an image manifest).</summary>
    internal static List<(string Name, string Arch, string Version)>? ReadImageManifest(string text)
    {
        var result = new List<(string, string, string)>();
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
                continue;
            var parts = line.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !char.IsAsciiDigit(parts[2][0]) && !parts[2].Contains(':', StringComparison.Ordinal))
                return null;
            result.Add((parts[0], parts[1], parts[2]));
        }
        return result.Count > 0 ? result : null;
    }

    /// <summary>Package file names (ipk, deb, rpm); null when a non-blank line is none of them.</summary>
    internal static List<(string Name, string Arch, string Version)>? ReadInstalledPackages(string text)
    {
        var result = new List<(string, string, string)>();
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim().ToString();
            if (line.Length == 0)
                continue;
            var file = line[(line.LastIndexOf('/') + 1)..];
            var m = IpkName.Match(file);
            if (!m.Success)
                m = RpmName.Match(file);
            if (!m.Success)
                return null;
            result.Add((m.Groups["n"].Value, m.Groups["a"].Value, m.Groups["v"].Value));
        }
        return result.Count > 0 ? result : null;
    }
}
