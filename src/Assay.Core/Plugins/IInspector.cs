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
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _summaries = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _checks = new(StringComparer.Ordinal);

    public void Add(Component component) => _components.Add(component);
    public void Add(Finding finding) => _findings.Add(finding);
    public void Add(ScanError error) => _errors.Add(error);

    /// <summary>A table for the evaluation's <c>summaries</c> (e.g. the TS 33.117 requirement status).</summary>
    public void SetSummary(string id, object summary) => _summaries[id] = summary;

    /// <summary>
    /// Records that each of <paramref name="ruleIds"/> examined one file (or, from
    /// <see cref="IInspector.Complete"/>, the whole tree once), whether it fired or not. An analyzer
    /// calls it once per file per rule it evaluated there, so reports can tell "checked and passed"
    /// from "nothing to check".
    /// </summary>
    public void Checked(params ReadOnlySpan<string> ruleIds)
    {
        foreach (var id in ruleIds)
            _checks.AddOrUpdate(id, 1, static (_, n) => n + 1);
    }

    public IReadOnlyCollection<Component> Components => _components;
    public IReadOnlyCollection<Finding> Findings => _findings;
    public IReadOnlyCollection<ScanError> Errors => _errors;
    public IReadOnlyDictionary<string, object> Summaries => _summaries;

    /// <summary>Rule id -> number of files it examined (see <see cref="Checked"/>).</summary>
    public IReadOnlyDictionary<string, long> Checks => _checks;
}
