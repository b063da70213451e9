using System.Buffers;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;
using Assay.Core.Pipeline;
using Assay.Core.Identifiers;

namespace Assay.Catalog.Binaries;

/// <summary>
/// Component versions read out of the bytes of executables, libraries, kernels and firmware blobs,
/// statically linked copies included, with the signatures of <see cref="SignatureDatabase"/>.
/// <para>
/// One pass per file: the content is read in 1 MiB chunks (with an overlap as long as the
/// largest window) and searched for every anchor at once with a vectorized
/// <see cref="SearchValues{T}"/> of strings (in groups of <see cref="AnchorsPerGroup"/>); only around a hit does a bounded pattern
/// (<see cref="Assay.Core.Text.GuardedRegex"/>: interpreted, linear past a budget, over a window of at most 1 KiB) read the version.
/// </para>
/// <para>
/// Limitations: versions computed at run time (from integers) are invisible; a string that names
/// another product's version in the same words (a "requires OpenSSL 1.1.1" message with a date)
/// would be reported; container files that another handler unpacked are only read for header
/// signatures (their content is scanned as their children); a version text of a component
/// whose library the file links dynamically is taken for a header reference and dropped.
/// </para>
/// </summary>
public sealed class BinarySignatureCataloger : IInspector
{
    public const string CatalogerId = "binary-signature";

    /// <summary>Files larger than this are not scanned (a scan error says so).</summary>
    public const long MaxFileSize = 512L << 20;

    /// <summary>At most this many anchor hits are examined per file.</summary>
    public const int MaxHitsPerFile = 50_000;

    /// <summary>Evidence entries kept per component of one file.</summary>
    public const int MaxEvidencePerComponent = 8;

    private const int ChunkSize = 1 << 20;
    private const int HeaderBytes = 256;
    private const int MaxEvidenceText = 200;

    private static readonly HashSet<string> ScannedClasses = new(StringComparer.Ordinal) { "elf", "pe", "macho", "data", "unknown" };

    private readonly SignatureDatabase _db;
    private readonly AnchorGroup[] _anchors;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<Hit>> _seen = new(StringComparer.Ordinal);
    private readonly List<Signature> _unscoped;
    private readonly List<Signature> _scoped;

    // Anchors of signatures limited to some file names (" 20" of the PCRE date) are searched only
    // in those files: one SearchValues per distinct set of file-scoped signatures, built once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AnchorGroup[]> _scopedAnchors = new(StringComparer.Ordinal);

    /// <summary>
    /// Anchors per SearchValues: .NET's vectorized multi-string search (Teddy, over the first three
    /// characters in eight buckets) stays near memory speed up to a couple of dozen values and
    /// slows tenfold beyond (measured on a 39 MiB binary: 16 anchors 0.03 s, 76 anchors 0.8 s), so
    /// the anchors are searched in groups, one pass each.
    /// </summary>
    private const int AnchorsPerGroup = 16;
    private readonly Dictionary<char, List<(string Anchor, Signature Signature)>> _byFirstChar = [];
    private readonly List<Signature> _headers;
    private readonly List<Signature> _fileNames;
    private readonly int _maxBefore;
    private readonly int _maxForward;

    public BinarySignatureCataloger()
        : this(SignatureDatabase.Default)
    {
    }

    public BinarySignatureCataloger(SignatureDatabase database)
    {
        _db = database;
        var anchored = database.Signatures.Where(s => s.Kind is SignatureKind.Anchor or SignatureKind.Lone).ToList();
        _unscoped = anchored.Where(s => s.File is null).ToList();
        _scoped = anchored.Where(s => s.File is not null).ToList();
        _anchors = Groups(_unscoped);
        foreach (var s in anchored)
        {
            foreach (var a in s.Anchors)
            {
                if (!_byFirstChar.TryGetValue(a[0], out var list))
                    _byFirstChar[a[0]] = list = [];
                list.Add((a, s));
            }
        }
        _headers = database.Signatures.Where(s => s.Kind == SignatureKind.Header).ToList();
        _fileNames = database.Signatures.Where(s => s.Kind == SignatureKind.FileName).ToList();
        _maxBefore = anchored.Count == 0 ? 0 : anchored.Max(s => s.Before);
        _maxForward = anchored.Count == 0 ? 64 : anchored.Max(s => s.After + s.Anchors.Max(a => a.Length)) + 64;
    }

    public string Id => CatalogerId;

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    /// <summary>Of a file that is a container, only the header signatures are read (its content is scanned as its children).</summary>
    public long? ContainerHeadBytes => HeaderBytes;

    public bool Wants(FileRecord file)
    {
        if (file.Kind != NodeKind.File || file.Size is not > 0)
            return false;
        if (file.Format is not null)
            return _headers.Count > 0;
        return file.Type is null || ScannedClasses.Contains(file.Type.Class);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var headerOnly = file.Record.Format is not null;
        // the bound is on the bytes searched; of a container only its header is (a 2.5 GB tar
        // streamed out of a tar.gz is no reason to call the scan incomplete)
        if (!headerOnly && file.Content.Length > MaxFileSize)
        {
            sink.Add(new ScanError { Path = file.Path, Handler = Id, Category = ErrorCategory.Limit, Message = $"{file.Content.Length} bytes is more than the {MaxFileSize >> 20} MiB the signature scan reads; the file was not searched for component versions" });
            return;
        }
        var name = VirtualPath.Name(file.Path);
        // the same bytes under the same name (a library in the rootfs and again in a recovery
        // partition) give the same hits: read once per scan
        var key = file.Record.Sha256 is { } sha ? $"{sha}/{headerOnly}/{name}" : null;
        if (key is null || !_seen.TryGetValue(key, out var hits))
        {
            var found = Scan(file.Content, name, headerOnly, out var truncated);
            if (truncated)
                sink.Add(new ScanError { Path = file.Path, Handler = Id, Category = ErrorCategory.Limit, Message = $"more than {MaxHitsPerFile} anchor hits; the rest of the file was not searched (a file full of version-like text?)" });
            var needed = file.Record.Type?.Class == "elf" && ElfSections.TryRead(file.Content) is { } elf ? ElfSections.Needed(file.Content, elf) : [];
            hits = HeaderReferencesDropped(found, name, needed);
            if (key is not null)
                _seen.TryAdd(key, hits);
        }
        foreach (var component in ToComponents(file.Path, hits))
            sink.Add(component);
    }

    /// <summary>
    /// A program that links a component's library dynamically (DT_NEEDED <c>libcrypto.so.3</c>)
    /// often holds the version text of the headers it was compiled against
    /// (<c>OPENSSL_VERSION_TEXT</c> for "compiled against OpenSSL ..." messages); that is not a
    /// copy of the component, and the library file itself is scanned on its own.
    /// </summary>
    internal IReadOnlyList<Hit> HeaderReferencesDropped(IReadOnlyList<Hit> hits, string fileName, IReadOnlyList<string> needed)
    {
        if (needed.Count == 0)
            return hits;
        return hits.Where(h =>
        {
            var info = _db.Find(h.Component);
            return info is null || info.IsOwnFile(fileName) || !needed.Any(info.IsOwnFile);
        }).ToList();
    }

    /// <summary>One version read by one signature.</summary>
    public sealed record Hit(Signature Signature, string Component, string Version, long Offset, long AnchorOffset, string Text);

    /// <summary>Searches a file's content with every signature; the hits are in file order.</summary>
    public IReadOnlyList<Hit> Scan(IBlob content, string fileName, bool headerOnly, out bool truncated)
    {
        truncated = false;
        var hits = new List<Hit>();
        ScanHeader(content, hits);
        if (headerOnly)
            return hits;
        var confirmations = new List<(Signature Signature, string Version, byte[] Needle)>();
        if (fileName.Length > SignatureDatabase.MaxFileNameLength)
            fileName = "";
        foreach (var s in _fileNames)
        {
            var m = s.Pattern.Match(fileName);
            if (!m.Success)
                continue;
            var version = m.Groups["v"].Value;
            if (s.Confirm)
                confirmations.Add((s, version, Encoding.Latin1.GetBytes("\0" + version + "\0")));
            else
                hits.Add(new Hit(s, s.Component.Name, version, -1, -1, fileName));
        }
        var fileScoped = _scoped.Where(s => s.File!.IsMatch(fileName)).ToHashSet();
        var gated = new HashSet<Signature>();
        var anchors = fileScoped.Count == 0
            ? _anchors
            : _scopedAnchors.GetOrAdd(string.Join('\n', fileScoped.Select(s => s.Id).Order(StringComparer.Ordinal)), _ => Groups(_unscoped.Concat(fileScoped)));
        // sized to the file for small files: most files of a root filesystem are a few KiB
        var bytes = ArrayPool<byte>.Shared.Rent((int)Math.Min(_maxBefore + ChunkSize + _maxForward, content.Length + _maxBefore));
        var chars = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var examined = 0;
            var confirmed = new HashSet<Signature>();
            for (long start = 0; start < content.Length; start += ChunkSize)
            {
                var readAt = Math.Max(0, start - _maxBefore);
                var lead = (int)(start - readAt);
                var want = (int)Math.Min(lead + ChunkSize + _maxForward, content.Length - readAt);
                var n = ReadFully(content, readAt, bytes.AsSpan(0, want));
                var limit = Math.Min(n, lead + ChunkSize);
                foreach (var (s, version, needle) in confirmations)
                {
                    if (confirmed.Contains(s))
                        continue;
                    var at = bytes.AsSpan(lead, n - lead).IndexOf(needle);
                    if (at >= 0 && lead + at < limit)
                    {
                        confirmed.Add(s);
                        hits.Add(new Hit(s, s.Component.Name, version, readAt + lead + at + 1, readAt + lead + at, Sanitize(version)));
                    }
                }
                Encoding.Latin1.GetChars(bytes.AsSpan(0, n), chars);
                var text = chars.AsSpan(0, n);
                foreach (var group in anchors)
                {
                    var i = lead;
                    while (i < limit)
                    {
                        var k = text[i..].IndexOfAny(group.Values);
                        if (k < 0 || i + k >= limit)
                            break;
                        var p = i + k;
                        if (++examined > MaxHitsPerFile)
                        {
                            truncated = true;
                            return Resolve(hits);
                        }
                        MatchAt(text, p, readAt, group.Anchors, fileScoped, hits, gated);
                        i = p + 1;
                    }
                }
                if (n < want)
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
        gated.RemoveWhere(g => !g.Component.IsOwnFile(fileName));
        if (gated.Count > 0)
            ReadLoneStrings(content, gated, hits);
        return Resolve(hits);
    }

    /// <summary>Longest bare version string a lone signature reads.</summary>
    private const int MaxLoneLength = 32;

    /// <summary>
    /// The lone signatures whose gate was seen: every NUL-terminated string of the file is read back
    /// from its NUL (at most <see cref="MaxLoneLength"/> bytes); each tail that starts at the string's
    /// start, after a '-' (<c>c-ares-1.19.1</c>, <c>xn--2.3.3</c>) or after a byte that is not printable
    /// ASCII (the data before a string placed without a NUL in front) is tried against
    /// each pattern as a whole. The compiler often places such a string right after binary data, so
    /// no NUL before it is asked for. One distinct value: a hit at its first offset. Several: a hit
    /// with an empty version (the component is there; which string is its version is not known).
    /// </summary>
    private static void ReadLoneStrings(IBlob content, HashSet<Signature> gated, List<Hit> hits)
    {
        var found = gated.ToDictionary(s => s, _ => new SortedDictionary<string, long>(StringComparer.Ordinal));
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + MaxLoneLength);
        try
        {
            for (long start = 0; start < content.Length; start += ChunkSize)
            {
                var readAt = Math.Max(0, start - MaxLoneLength);
                var n = ReadFully(content, readAt, buffer.AsSpan(0, (int)Math.Min(ChunkSize + MaxLoneLength, content.Length - readAt)));
                var span = buffer.AsSpan(0, n);
                for (var e = (int)(start - readAt); e < n; e++)
                {
                    if (span[e] != 0 || e == 0 || !char.IsAsciiLetterOrDigit((char)span[e - 1]))
                        continue;
                    var from = Math.Max(0, e - MaxLoneLength);
                    var nul = span[from..e].LastIndexOf((byte)0);
                    if (nul >= 0)
                        from += nul + 1;
                    for (var k = from; k < e - 2; k++)
                    {
                        var c = (char)span[k];
                        if (!char.IsAsciiDigit(c) && c != 'v')
                            continue;
                        if (k > from && span[k - 1] is >= 0x20 and < 0x7f and not (byte)'-')
                            continue; // inside a longer text ("TLSv1.3", "%1.3f", "libfoo 1.2"): not a version string of its own
                        var candidate = Encoding.Latin1.GetString(span[k..e]);
                        foreach (var s in gated)
                        {
                            var m = s.Pattern.Match(candidate);
                            if (m.Success && m.Groups["v"].Success)
                                found[s].TryAdd(m.Groups["v"].Value, readAt + k);
                        }
                    }
                }
                if (readAt + n >= content.Length)
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        foreach (var (s, values) in found)
        {
            if (values.Count == 1)
            {
                var (version, offset) = values.First();
                hits.Add(new Hit(s, s.Component.Name, version, offset, -2, Sanitize("\0" + version + "\0")));
            }
            else if (values.Count > 1)
            {
                hits.Add(new Hit(s, s.Component.Name, "", -1, -2,
                    Sanitize($"{values.Count} different version strings ({string.Join(", ", values.Keys.Take(4))}): the version is not read")));
            }
        }
    }

    /// <summary>One pass of the anchor search: the strings searched for at once, and the anchors they are.</summary>
    internal sealed record AnchorGroup(SearchValues<string> Values, HashSet<string> Anchors);

    /// <summary>
    /// The anchors in search passes. .NET searches a set of strings vectorized (Teddy) only when
    /// every string is at least two characters long and its first three are ASCII other than NUL;
    /// one other string in a set makes the whole set fall back to Aho-Corasick, a character at a
    /// time (node's <c>"\0ares\0"</c> anchor did that: 3 s of a scan's 4.7 s on its 80 MB binary).
    /// Such an anchor gets a pass of its own: a single string is searched vectorized whatever it holds.
    /// </summary>
    internal static AnchorGroup[] Groups(IEnumerable<Signature> signatures)
    {
        var anchors = signatures.SelectMany(s => s.Anchors).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var together = anchors.Where(Vectorizable).Chunk(AnchorsPerGroup)
            .Select(g => new AnchorGroup(SearchValues.Create(g, StringComparison.Ordinal), g.ToHashSet(StringComparer.Ordinal)));
        var alone = anchors.Where(a => !Vectorizable(a))
            .Select(a => new AnchorGroup(SearchValues.Create([a], StringComparison.Ordinal), new HashSet<string>([a], StringComparer.Ordinal)));
        return [.. together, .. alone];
    }

    /// <summary>Whether an anchor may share a vectorized multi-string search (see <see cref="Groups"/>).</summary>
    internal static bool Vectorizable(string anchor) =>
        anchor.Length >= 2 && !anchor.AsSpan(0, Math.Min(3, anchor.Length)).ContainsAnyExceptInRange('\u0001', '\u007f');

    private void ScanHeader(IBlob content, List<Hit> hits)
    {
        if (_headers.Count == 0)
            return;
        var header = content.ReadBytes(0, HeaderBytes);
        foreach (var s in _headers)
        {
            if (header.Length < Math.Max(s.To, s.Magic.Length) || !header.AsSpan().StartsWith(s.Magic))
                continue;
            var window = Encoding.Latin1.GetString(header, s.From, s.To - s.From);
            var m = s.Pattern.Match(window);
            if (m.Success)
                AddGroups(s, m, s.From, 0, window, hits);
        }
    }

    private void MatchAt(ReadOnlySpan<char> text, int p, long readAt, HashSet<string> searched, HashSet<Signature> fileScoped, List<Hit> hits, HashSet<Signature> gated)
    {
        if (!_byFirstChar.TryGetValue(text[p], out var candidates))
            return;
        foreach (var (anchor, s) in candidates)
        {
            // an anchor of another pass is matched in that pass (not twice where two passes' anchors start alike)
            if (!searched.Contains(anchor) || !text[p..].StartsWith(anchor, StringComparison.Ordinal))
                continue;
            if (s.File is not null && !fileScoped.Contains(s))
                continue;
            if (s.Kind == SignatureKind.Lone)
            {
                gated.Add(s);
                continue;
            }
            var ws = Math.Max(0, p - s.Before);
            var we = Math.Min(text.Length, p + anchor.Length + s.After);
            var window = new string(text[ws..we]);
            var rel = p - ws;
            System.Text.RegularExpressions.Match? best = null;
            var bestDistance = int.MaxValue;
            var matches = s.Pattern.Matches(window);
            foreach (System.Text.RegularExpressions.Match m in matches)
            {
                var covers = m.Index <= rel && m.Index + m.Length > rel;
                if (!covers && !s.Near)
                    continue;
                var distance = covers ? 0 : Math.Min(Math.Abs(m.Index - rel), Math.Abs(m.Index + m.Length - rel));
                if (distance < bestDistance)
                {
                    best = m;
                    bestDistance = distance;
                }
            }
            if (best is not null)
                AddGroups(s, best, readAt + ws, readAt + p, window, hits);
        }
    }

    private static void AddGroups(Signature s, System.Text.RegularExpressions.Match m, long windowOffset, long anchorOffset, string window, List<Hit> hits)
    {
        foreach (var (group, component) in s.Groups)
        {
            var g = m.Groups[group];
            if (!g.Success || g.Length == 0)
                continue;
            hits.Add(new Hit(s, component, g.Value, windowOffset + m.Index, anchorOffset, Sanitize(window.Substring(m.Index, m.Length))));
        }
    }

    /// <summary>Of the hits for one component at one anchor, only those of the highest priority stay.</summary>
    private static List<Hit> Resolve(List<Hit> hits) =>
        hits.GroupBy(h => (h.Component, h.AnchorOffset))
            .SelectMany(g =>
            {
                var top = g.Max(h => h.Signature.Priority);
                return g.Where(h => h.Signature.Priority == top);
            })
            .OrderBy(h => h.Offset)
            .ThenBy(h => h.Component, StringComparer.Ordinal)
            .ToList();

    /// <summary>One component per (name, version) of a file, with its evidence.</summary>
    public IEnumerable<Component> ToComponents(string path, IReadOnlyList<Hit> hits)
    {
        var fileName = VirtualPath.Name(path);
        var versioned = hits.Where(h => h.Version.Length > 0).Select(h => h.Component).ToHashSet(StringComparer.Ordinal);
        foreach (var g in hits.GroupBy(h => (h.Component, h.Version)).OrderBy(g => g.Key.Component, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal))
        {
            if (g.Key.Version.Length == 0 && versioned.Contains(g.Key.Component))
                continue; // another signature read the version
            var version = g.Key.Version.Length == 0 ? null : g.Key.Version;
            var info = _db.Find(g.Key.Component);
            var type = info?.Type ?? "binary";
            yield return new Component
            {
                Name = g.Key.Component,
                Version = g.Key.Version,
                Location = path,
                Type = type,
                Purl = PackageUrl.Create("generic", null, g.Key.Component, version),
                Cpe = version is null ? null : info?.CpeFor(version),
                Confidence = g.Max(h => h.Signature.Confidence),
                Linkage = type != "binary" ? null : Linkage(info, path, fileName),
                Evidence = g.Take(MaxEvidencePerComponent)
                    .Select(h => new Evidence { Source = CatalogerId + ":" + h.Signature.Id, Path = path, Offset = h.Offset < 0 ? null : h.Offset, Text = h.Text, Confidence = h.Signature.Confidence })
                    .ToList(),
            };
        }
    }

    private static readonly string[] SystemLibraryDirs = ["/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/local/lib/"];

    /// <summary>
    /// shared: the component's own file (its library or program); vendored: its own shared library
    /// shipped outside the system library folders, inside an application (<c>/opt/app/lib/libssl.so.1.0.0</c>,
    /// <c>package/lib/libvips-cpp.so.42</c>); static: its code linked into another file.
    /// </summary>
    internal static string Linkage(ComponentInfo? info, string path, string fileName)
    {
        if (info is null || !info.IsOwnFile(fileName))
            return "static";
        var inner = VirtualPath.Inner(path);
        var isLibrary = fileName.Contains(".so", StringComparison.Ordinal);
        return isLibrary && !SystemLibraryDirs.Any(d => inner.StartsWith(d, StringComparison.Ordinal)) ? "vendored" : "shared";
    }

    private static int ReadFully(IBlob blob, long position, Span<byte> buffer)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = blob.Read(position + done, buffer[done..]);
            if (n <= 0)
                break;
            done += n;
        }
        return done;
    }

    /// <summary>Printable text of a match: NUL shown as <c>\0</c>, other control bytes as '.', bounded.</summary>
    internal static string Sanitize(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxEvidenceText) + 8);
        foreach (var c in text)
        {
            if (sb.Length >= MaxEvidenceText)
                break;
            if (c == '\0')
                sb.Append("\\0");
            else if (c < 0x20 || c is >= (char)0x7f and < (char)0xa0)
                sb.Append('.');
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
