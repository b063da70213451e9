using Assay.Catalog.Binaries;
using Assay.Catalog.Ecosystems;
using Assay.Catalog.Packages;
using Assay.Core.Plugins;

namespace Assay.Catalog;

/// <summary>Every cataloger, sorted by id (STYLE.md rule 2: one explicit registry, no reflection).</summary>
public static class Catalogers
{
    /// <summary>New instances for one scan (catalogers keep state between Inspect and Complete).</summary>
    public static IReadOnlyList<IInspector> CreateAll() =>
    [
        new ApkInstalledCataloger(),
        new BinarySignatureCataloger(),
        new BuildrootManifestCataloger(),
        new CargoAuditableCataloger(),
        new DpkgStatusCataloger(),
        new ElfPackageNoteCataloger(),
        new GoBuildInfoCataloger(),
        new NodePackageJsonCataloger(),
        new OpkgStatusCataloger(),
        new PythonDistInfoCataloger(),
        new RpmSqliteCataloger(),
        new YoctoImageManifestCataloger(),
        new YoctoLicenseManifestCataloger(),
    ];
}
