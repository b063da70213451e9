using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Core.Plugins;

/// <summary>
/// A cataloger or analyzer: looks at each regular file of the unpacked tree while its content is
/// at hand, and at the whole tree once the scan is done. A new instance serves one scan, so it may
/// keep state between <see cref="Inspect"/> and <see cref="Complete"/>; <see cref="Inspect"/> is
/// called from several threads at once and must be thread-safe.
/// </summary>
public interface IInspector
{
    /// <summary>Stable lower-case id (<c>dpkg-status</c>, <c>elf-hardening</c>).</summary>
    string Id { get; }

    /// <summary>Cheap filter on path, type and size; only wanted files are read.</summary>
    bool Wants(FileRecord file);

    /// <summary>Looks at one file. Throwing records an error against the file and the scan goes on.</summary>
    void Inspect(InspectedFile file, InspectionSink sink);

    /// <summary>Called once after every file was inspected, with the whole file list (sorted by path).</summary>
    void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
    }
}

/// <summary>A regular file given to an inspector: its record and its content.</summary>
public sealed class InspectedFile(FileRecord record, IBlob content)
{
    public FileRecord Record { get; } = record;
    public IBlob Content { get; } = content;
    public string Path => Record.Path;

    /// <summary>The path inside the innermost container (<c>/etc/shadow</c> for <c>fw.bin!/rootfs!/etc/shadow</c>).</summary>
    public string InnerPath => VirtualPath.Inner(Record.Path);

    /// <summary>Reads the content as bytes, at most <paramref name="maxBytes"/> (the rest is ignored).</summary>
    public byte[] ReadBytes(int maxBytes = 16 << 20) => Content.ReadBytes(0, (int)Math.Min(maxBytes, Content.Length));

    /// <summary>Reads the content as UTF-8 text (invalid bytes replaced), at most <paramref name="maxBytes"/>.</summary>
    public string ReadText(int maxBytes = 4 << 20) => System.Text.Encoding.UTF8.GetString(ReadBytes(maxBytes));
}

/// <summary>Thread-safe collector of what inspectors report.</summary>
public sealed class InspectionSink
{
    private readonly System.Collections.Concurrent.ConcurrentBag<Component> _components = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<Finding> _findings = [];
    private readonly System.Collections.Concurrent.ConcurrentBag<ScanError> _errors = [];
    private readonly Lock _summaryLock = new();
    private EvaluationSummaries _summaries = EvaluationSummaries.None;

    public void Add(Component component) => _components.Add(component);
    public void Add(Finding finding) => _findings.Add(finding);
    public void Add(ScanError error) => _errors.Add(error);

    /// <summary>Sets the summary sections that <paramref name="sections"/> has (the others stay as they are).</summary>
    public void SetSummary(EvaluationSummaries sections)
    {
        lock (_summaryLock)
            _summaries = _summaries.Merge(sections);
    }

    public IReadOnlyCollection<Component> Components => _components;
    public IReadOnlyCollection<Finding> Findings => _findings;
    public IReadOnlyCollection<ScanError> Errors => _errors;
    public EvaluationSummaries Summaries
    {
        get
        {
            lock (_summaryLock)
                return _summaries;
        }
    }
}
