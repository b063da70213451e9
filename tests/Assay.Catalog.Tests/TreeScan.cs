using Assay.Core.Content;
using Assay.Core.Identification;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Tests;

/// <summary>
/// Feeds a fixture folder to inspectors the way the scan pipeline does: every regular file as a
/// <see cref="FileRecord"/> under the virtual root <c>img!/</c>, Inspect for wanted files (in
/// parallel, as the pipeline calls it), then Complete with the sorted file list.
/// </summary>
internal static class TreeScan
{
    public const string Root = "img";

    public static InspectionSink Run(string folder, params IInspector[] inspectors)
    {
        var sink = new InspectionSink();
        var records = new List<(FileRecord Record, string HostPath)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(folder, file).Replace('\\', '/');
            var bytes = File.ReadAllBytes(file);
            records.Add((Record(Root + "!/" + rel, bytes), file));
        }
        Parallel.ForEach(records, r =>
        {
            var bytes = File.ReadAllBytes(r.HostPath);
            foreach (var inspector in inspectors)
            {
                if (inspector.Wants(r.Record))
                    inspector.Inspect(new InspectedFile(r.Record, new MemoryBlob(bytes)), sink);
            }
        });
        var sorted = records.Select(r => r.Record).OrderBy(r => r.Path, StringComparer.Ordinal).ToList();
        foreach (var inspector in inspectors)
            inspector.Complete(sorted, sink);
        return sink;
    }

    public static FileRecord Record(string path, byte[] bytes, string? format = null) => new()
    {
        Path = path,
        Kind = NodeKind.File,
        Size = bytes.Length,
        Type = FileType.Detect(bytes.AsSpan(0, Math.Min(bytes.Length, FileType.HeaderBytes)), bytes.Length),
        Format = format,
    };

    /// <summary>Runs one inspector on one in-memory file (Inspect and Complete).</summary>
    public static InspectionSink One(IInspector inspector, string path, byte[] bytes, string? format = null)
    {
        var sink = new InspectionSink();
        var record = Record(path, bytes, format);
        if (inspector.Wants(record))
            inspector.Inspect(new InspectedFile(record, new MemoryBlob(bytes)), sink);
        inspector.Complete([record], sink);
        return sink;
    }
}
