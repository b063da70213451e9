using Assay.Catalog.Binaries;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Packages;

/// <summary>
/// A cataloger that reads a package list a build system writes (Buildroot's legal-info manifest,
/// Yocto's image and license manifests) whole, and turns it into components once the scan is done.
/// The text travels as an <see cref="InspectionFact"/>, not in a field, so what the cataloger reports
/// is cached by the list's content (<see cref="IInspector.CacheableByContent"/>) and a rescan of an
/// unchanged root filesystem does not unpack it again only to read the list.
/// </summary>
public abstract class PackageListCataloger : IInspector
{
    /// <summary>Largest list read; build manifests are KiBs to a few MiB.</summary>
    public const int MaxFileBytes = 16 << 20;

    private const string TextFact = "text";

    protected PackageListCataloger(SignatureDatabase signatures) => Signatures = signatures;

    /// <summary>Names and CPEs of upstream projects.</summary>
    protected SignatureDatabase Signatures { get; }

    public abstract string Id { get; }

    /// <summary>Keeps no state of its own: the list's text is a fact of the file that holds it.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) =>
        file.Kind == NodeKind.File && file.Size is > 0 and <= MaxFileBytes && WantsPath(file.Path);

    /// <summary>Whether a regular file at this virtual path is the list this cataloger reads.</summary>
    protected abstract bool WantsPath(string path);

    public void Inspect(InspectedFile file, InspectionSink sink) =>
        sink.Add(new InspectionFact(Id, file.Path, TextFact, file.ReadText(MaxFileBytes)));

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var fact in sink.FactsOf(Id))
            Read(fact.Path, fact.Data, sink);
    }

    /// <summary>Components (and errors for rows that cannot be read) of one list, in the list's order.</summary>
    protected abstract void Read(string path, string text, InspectionSink sink);
}
