using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Core.Plugins;

/// <summary>
/// A cataloger or analyzer: looks at each regular file of the unpacked tree while its content is
/// at hand, and at the whole tree once the scan is done. A new instance serves one scan;
/// <see cref="Inspect"/> is called from several threads at once and must be thread-safe.
/// <para>
/// What an inspector learns from one file and needs again in <see cref="Complete"/> (a package
/// database's text, an ELF's hardening row) goes to the sink as an <see cref="InspectionFact"/>,
/// not into a field: then everything it derives from a file comes out of that file's sink, the
/// pipeline can cache it by the file's content and give it back without the content, and the
/// inspector declares so with <see cref="CacheableByContent"/>.
/// </para>
/// </summary>
public interface IInspector
{
    /// <summary>Stable lower-case id (<c>dpkg-status</c>, <c>elf-hardening</c>).</summary>
    string Id { get; }

    /// <summary>Cheap filter on path, type and size; only wanted files are read.</summary>
    bool Wants(FileRecord file);

    /// <summary>
    /// For a file that is itself a container (<see cref="FileRecord.Format"/> set): how many of its
    /// leading bytes <see cref="Inspect"/> reads at most (a header signature), or null when it may
    /// read all of it. A container unpacked as it streamed out of a decompressor keeps only its
    /// first <see cref="Formats.StreamHead.Bytes"/>; an inspector that wants such a container and
    /// needs more makes the pipeline spool it instead.
    /// </summary>
    long? ContainerHeadBytes => null;

    /// <summary>
    /// True when <see cref="Inspect"/> keeps nothing in the inspector (caches of pure functions
    /// aside) and what it reports for a file depends only on the file's content and its record
    /// (the path inside its container, type, mode, owner), not on the scan's date or other files:
    /// then its results for a file are cached by the file's SHA-256 and replayed, facts included.
    /// Default false: the pipeline then never replays a subtree in which the inspector wanted a file.
    /// </summary>
    bool CacheableByContent => false;

    /// <summary>Looks at one file. Throwing records an error against the file and the scan goes on.</summary>
    void Inspect(InspectedFile file, InspectionSink sink);

    /// <summary>
    /// Called once after every file was inspected, with the whole file list (sorted by path);
    /// <paramref name="sink"/> holds every <see cref="InspectionFact"/> reported during the scan.
    /// </summary>
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

/// <summary>
/// Thread-safe collector of what inspectors report. A scan keeps one per inspected file until the
/// evaluation is assembled (tens of thousands on a large input), so it is small: lists made on
/// first use behind one lock. (With four ConcurrentBags and a ConcurrentDictionary each, as
/// before, every sink cost 1.5 KB or more even when nearly empty, plus four ThreadLocal slots per
/// thread: a heap dump of the 1.1 GB benchmark scan held about 30 MB of them at 19,000 files, and
/// that grew with the input.) The lists are given out as
/// snapshots, newest first; every consumer orders them (<see cref="Pipeline.EvaluationOrder"/>).
/// </summary>
public sealed class InspectionSink
{
    private readonly Lock _lock = new();
    private List<Component>? _components;
    private List<Finding>? _findings;
    private List<ScanError>? _errors;
    private List<InspectionFact>? _facts;
    // Rule id -> count as an exact-size array searched in order: a file has a handful of rules
    // checked, and a dictionary per file (its buckets, entries and object) was ~380 bytes of every
    // inspected file's record until the evaluation was assembled, the largest part of it.
    private KeyValuePair<string, long>[]? _checks;
    private bool _checksShared; // _checks is a table of CheckTables: copied before it changes
    private EvaluationSummaries _summaries = EvaluationSummaries.None;

    public void Add(Component component)
    {
        lock (_lock)
            (_components ??= []).Add(component);
    }

    public void Add(Finding finding)
    {
        lock (_lock)
            (_findings ??= []).Add(finding);
    }

    public void Add(ScanError error)
    {
        lock (_lock)
            (_errors ??= []).Add(error);
    }

    /// <summary>Something learned from one file for <see cref="IInspector.Complete"/>.</summary>
    public void Add(InspectionFact fact)
    {
        lock (_lock)
            (_facts ??= []).Add(fact);
    }

    /// <summary>Sets the summary sections that <paramref name="sections"/> has (the others stay as they are).</summary>
    public void SetSummary(EvaluationSummaries sections)
    {
        lock (_lock)
            _summaries = _summaries.Merge(sections);
    }

    /// <summary>
    /// Records that each of <paramref name="ruleIds"/> examined one file (or, from
    /// <see cref="IInspector.Complete"/>, the whole tree once), whether it fired or not. An analyzer
    /// calls it once per file per rule it evaluated there, so reports can tell "checked and passed"
    /// from "nothing to check".
    /// </summary>
    public void Checked(params ReadOnlySpan<string> ruleIds)
    {
        lock (_lock)
        {
            foreach (var id in ruleIds)
                AddCheck(id, 1);
        }
    }

    /// <summary>Records that <paramref name="ruleId"/> examined <paramref name="count"/> more files (checks replayed from a cache or merged from another sink).</summary>
    public void Checked(string ruleId, long count)
    {
        if (count <= 0)
            return;
        lock (_lock)
            AddCheck(ruleId, count);
    }

    /// <summary>
    /// Shares this sink's rule-check table with every sink that has an equal one: most files of a
    /// kind are checked by the same rules once each, and the scan keeps a sink per inspected file
    /// until the evaluation is assembled (a table was ~180 bytes of each). Called when the file's
    /// subtree is done; a later <see cref="Checked(string, long)"/> copies the table first.
    /// </summary>
    public void ShareChecks()
    {
        lock (_lock)
        {
            if (_checks is { Length: > 0 } checks && !_checksShared)
            {
                _checks = CheckTables.Shared(checks);
                _checksShared = true;
            }
        }
    }

    /// <summary>The rule-check table itself, for tests of its sharing.</summary>
    internal object? ChecksTable
    {
        get
        {
            lock (_lock)
                return _checks;
        }
    }

    // Under _lock.
    private void AddCheck(string ruleId, long count)
    {
        var checks = _checks ?? [];
        if (_checksShared)
        {
            checks = (KeyValuePair<string, long>[])checks.Clone();
            _checks = checks;
            _checksShared = false;
        }
        for (var i = 0; i < checks.Length; i++)
        {
            if (string.Equals(checks[i].Key, ruleId, StringComparison.Ordinal))
            {
                checks[i] = new(ruleId, checked(checks[i].Value + count));
                return;
            }
        }
        Array.Resize(ref checks, checks.Length + 1);
        checks[^1] = new(ruleId, count);
        _checks = checks;
    }

    /// <summary>One instance of every equal rule-check table, up to 4,096 tables (past that a table is its own).</summary>
    private static class CheckTables
    {
        private static readonly Model.SharedInstances<KeyValuePair<string, long>[]> s_shared = new(4096, new TableComparer());

        public static KeyValuePair<string, long>[] Shared(KeyValuePair<string, long>[] checks) => s_shared.Shared(checks);

        private sealed class TableComparer : IEqualityComparer<KeyValuePair<string, long>[]>
        {
            public bool Equals(KeyValuePair<string, long>[]? x, KeyValuePair<string, long>[]? y)
            {
                if (ReferenceEquals(x, y))
                    return true;
                if (x is null || y is null || x.Length != y.Length)
                    return false;
                for (var i = 0; i < x.Length; i++)
                {
                    if (x[i].Value != y[i].Value || !string.Equals(x[i].Key, y[i].Key, StringComparison.Ordinal))
                        return false;
                }
                return true;
            }

            public int GetHashCode(KeyValuePair<string, long>[] checks)
            {
                var hash = new HashCode();
                foreach (var (key, value) in checks)
                {
                    hash.Add(key, StringComparer.Ordinal);
                    hash.Add(value);
                }
                return hash.ToHashCode();
            }
        }
    }

    public IReadOnlyCollection<Component> Components
    {
        get
        {
            lock (_lock)
                return Snapshot(_components);
        }
    }

    public IReadOnlyCollection<Finding> Findings
    {
        get
        {
            lock (_lock)
                return Snapshot(_findings);
        }
    }

    public IReadOnlyCollection<ScanError> Errors
    {
        get
        {
            lock (_lock)
                return Snapshot(_errors);
        }
    }

    public IReadOnlyCollection<InspectionFact> Facts
    {
        get
        {
            lock (_lock)
                return Snapshot(_facts);
        }
    }


    /// <summary>The facts one inspector reported, in a fixed order (path, kind, data).</summary>
    public IReadOnlyList<InspectionFact> FactsOf(string inspector) =>
        [.. Facts.Where(f => f.Inspector == inspector).OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Data, StringComparer.Ordinal)];

    public EvaluationSummaries Summaries
    {
        get
        {
            lock (_lock)
                return _summaries;
        }
    }

    /// <summary>Rule id -> number of files it examined (see <see cref="Checked(ReadOnlySpan{string})"/>); a snapshot.</summary>
    public IReadOnlyDictionary<string, long> Checks
    {
        get
        {
            lock (_lock)
                return _checks is { Length: > 0 } checks ? new Dictionary<string, long>(checks, StringComparer.Ordinal) : s_noChecks;
        }
    }

    private static readonly Dictionary<string, long> s_noChecks = new(StringComparer.Ordinal);

    /// <summary>A copy, newest first (the order a ConcurrentBag filled on one thread gave).</summary>
    private static T[] Snapshot<T>(List<T>? list)
    {
        if (list is not { Count: > 0 })
            return [];
        var copy = list.ToArray();
        Array.Reverse(copy);
        return copy;
    }
}

/// <summary>
/// Something an inspector learned from one file and needs again in <see cref="IInspector.Complete"/>:
/// <see cref="Kind"/> is the inspector's own label (<c>status</c>, <c>hardening-row</c>), <see cref="Data"/>
/// its own text (the file's text, or a JSON record). <see cref="Path"/> is the file's virtual
/// path; the data must not hold paths (a cached fact is rebased by its <see cref="Path"/> only).
/// </summary>
public sealed record InspectionFact(string Inspector, string Path, string Kind, string Data);
