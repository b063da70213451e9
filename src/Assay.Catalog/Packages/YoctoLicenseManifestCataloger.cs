using Assay.Catalog.Binaries;
using Assay.Catalog.Identifiers;
using Assay.Core.Identifiers;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Packages;

/// <summary>
/// Packages of a Yocto/OpenEmbedded image from its <c>license.manifest</c>, which an image carries
/// when it is built with <c>COPY_LIC_MANIFEST = "1"</c> (as <c>/usr/share/common-licenses/license.manifest</c>)
/// and which BitBake writes beside every image (<c>tmp/deploy/licenses/IMAGE/license.manifest</c>).
/// Stanzas separated by a blank line (openembedded-core <c>meta/classes-recipe/license_image.bbclass</c>):
/// <code>
/// PACKAGE NAME: libssl3
/// PACKAGE VERSION: 3.1.4
/// RECIPE NAME: openssl
/// LICENSE: Apache-2.0
/// </code>
/// PACKAGE VERSION is the recipe's PV (the upstream version); the CPE comes from the recipe name
/// through the signature data (<c>Find</c>, then <c>sources</c>). Package URLs are
/// <c>pkg:generic/NAME@VERSION?distro=yocto</c> (no purl type is registered for OpenEmbedded).
/// <para>Limitations: the manifest carries no architecture and no package revision (PR), and
/// Yocto's own CVE_PRODUCT names are not in the image, so recipes the signature data does not know get no CPE.</para>
/// </summary>
public sealed class YoctoLicenseManifestCataloger : PackageListCataloger
{
    public const string CatalogerId = "yocto-license-manifest";
    private const string FileName = "license.manifest";

    public YoctoLicenseManifestCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public YoctoLicenseManifestCataloger(SignatureDatabase signatures)
        : base(signatures)
    {
    }

    public override string Id => CatalogerId;

    protected override bool WantsPath(string path) =>
        path.EndsWith("/" + FileName, StringComparison.Ordinal) || path.EndsWith("!" + FileName, StringComparison.Ordinal);

    /// <summary>
    /// The upstream release of a Yocto PV: source-revision suffixes dropped
    /// (<c>6.1.38+git0+d62bfbd59e_7f7b3a2b52</c> → <c>6.1.38</c>, <c>1.0+gitAUTOINC+abc</c> → <c>1.0</c>), then as <see cref="DebianVersion.Release"/>.
    /// </summary>
    internal static string ReleaseOf(string pv)
    {
        var v = DebianVersion.Release(pv);
        foreach (var marker in new[] { "+git", "+svn", "+hg", "+cvs" })
        {
            var i = v.IndexOf(marker, StringComparison.Ordinal);
            if (i > 0)
                v = v[..i];
        }
        return v;
    }

    protected override void Read(string path, string text, InspectionSink sink)
    {
        var stanzas = ControlStanzas.Parse(text, (line, content) =>
            sink.Add(new ScanError { Path = path, Handler = Id, Message = $"line {line}: '{content}' is not 'FIELD: value'; the line was skipped" }));
        if (stanzas.Count > 0 && stanzas.All(s => s["PACKAGE NAME"] is null))
        {
            sink.Add(new ScanError { Path = path, Handler = Id, Message = "no stanza has a 'PACKAGE NAME' field: this license.manifest is not the Yocto image manifest; nothing was read" });
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in stanzas)
        {
            var name = s["PACKAGE NAME"];
            var version = s["PACKAGE VERSION"];
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
            {
                sink.Add(new ScanError { Path = path, Handler = Id, Message = $"stanza at line {s.Line} has no PACKAGE NAME or PACKAGE VERSION; it was skipped" });
                continue;
            }
            if (!seen.Add(name))
                continue;
            var recipe = s["RECIPE NAME"] is { Length: > 0 } r ? r : name;
            var upstream = Signatures.Find(recipe) ?? Signatures.FindBySource(recipe) ?? Signatures.Find(name);
            var release = ReleaseOf(version);
            sink.Add(new Component
            {
                Name = name,
                Version = version,
                Location = path,
                Type = "yocto",
                Purl = PackageUrl.Create("generic", null, name, version, [new("distro", "yocto")]),
                Cpe = upstream?.CpeFor(release),
                Linkage = "package",
                PackageVersion = version,
                SourcePackage = recipe == name ? null : recipe,
                Licenses = s["LICENSE"] is { Length: > 0 } l ? [l] : [],
                Evidence = [new Evidence { Source = Id, Path = path, Text = $"PACKAGE NAME: {name} PACKAGE VERSION: {version} RECIPE NAME: {recipe}" }],
            });
        }
    }
}
