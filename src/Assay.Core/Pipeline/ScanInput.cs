using Assay.Core.Content;

namespace Assay.Core.Pipeline;

/// <summary>
/// The content a scan reads: a file of the host, or bytes at hand. <see cref="Name"/> becomes the
/// root of every virtual path; <see cref="DisplayPath"/> is what the evaluation names as the input.
/// The scan reads it and never writes it; dispose the input when the scan is done.
/// </summary>
public sealed class ScanInput : IDisposable
{
    private readonly bool _owns;

    private ScanInput(IBlob blob, string name, string displayPath, bool owns)
    {
        Blob = blob;
        // "!/" in the input's own name would pose as a container boundary.
        Name = string.IsNullOrEmpty(name) ? "input" : name.Replace("!/", "!_", StringComparison.Ordinal);
        DisplayPath = displayPath;
        _owns = owns;
    }

    public IBlob Blob { get; }
    public string Name { get; }
    public string DisplayPath { get; }

    /// <summary>
    /// Opens a file of the host read-only, named in the evaluation by <paramref name="displayPath"/>
    /// (default its full path). Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/> when it cannot be read.
    /// </summary>
    public static ScanInput Open(string path, string? displayPath = null)
    {
        var full = Path.GetFullPath(path);
        return new ScanInput(FileBlob.Open(full), Path.GetFileName(full), displayPath ?? full, owns: true);
    }

    /// <summary>Content already at hand; the caller keeps ownership of <paramref name="blob"/>.</summary>
    public static ScanInput FromBlob(IBlob blob, string name, string? displayPath = null) => new(blob, name, displayPath ?? name, owns: false);

    public void Dispose()
    {
        if (_owns)
            Blob.Dispose();
    }
}
