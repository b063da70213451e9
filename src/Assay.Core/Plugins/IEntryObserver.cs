namespace Assay.Core.Plugins;

/// <summary>
/// Told of every entry a container lists, in the order the container stores them (the order a
/// handler reports them). Inspectors see file contents but not this order; a comparison of two
/// builds needs it to tell an archive whose members were reordered (<c>assay verify-build</c>).
/// Called from the thread unpacking that container: calls for one container are sequential, calls
/// for different containers may be concurrent.
/// </summary>
public interface IEntryObserver
{
    /// <summary>The container at <paramref name="containerPath"/> listed the entry <paramref name="entryPath"/> (both virtual paths).</summary>
    void Listed(string containerPath, string entryPath);
}
