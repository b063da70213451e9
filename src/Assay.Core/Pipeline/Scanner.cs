using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Extraction;
using Assay.Core.Formats;
using Assay.Core.Identification;
using Assay.Core.Model;
using Assay.Core.Plugins;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Core.Pipeline;

/// <summary>
/// Unpacks an input recursively into the virtual tree and runs the inspectors over every regular
/// file (DESIGN.md "Data flow of a scan"). Content is read through blobs; nothing is written to
/// the host except spooled scratch content (deleted) and, when asked, the extraction folder.
/// Work is spread over the cores: children of a container are processed by free workers, or by
/// the unpacking thread itself when none is free, so memory stays bounded.
/// </summary>
public sealed class Scanner
{
    private const int HashChunk = 1 << 20;

    private readonly ScanOptions _options;
    private readonly ScanLimits _limits;
    private readonly Carver _carver;
    private readonly ConcurrentBag<FileRecord> _files = [];
    private readonly ConcurrentBag<ChunkRecord> _chunks = [];
    private readonly ConcurrentBag<ScanError> _errors = [];
    private readonly InspectionSink _sink = new();
    private readonly SemaphoreSlim _slots;
    private ScanBudget _budget = null!;
    private Spooler _spooler = null!;
    private CancellationToken _cancellation;
    private int _used;

    public Scanner(ScanOptions options)
    {
        _options = options;
        _limits = options.Limits;
        _carver = new Carver(options.Handlers);
        _slots = new SemaphoreSlim(Math.Max(0, options.Parallelism - 1));
    }

    public ScanProgress Progress { get; } = new();

    /// <summary>Scans a file of the host. Throws <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/> when it cannot be read.</summary>
    public Evaluation Scan(string inputPath, CancellationToken cancellationToken = default)
    {
        using var blob = FileBlob.Open(inputPath);
        return Scan(blob, Path.GetFileName(Path.GetFullPath(inputPath)), Path.GetFullPath(inputPath), cancellationToken);
    }

    /// <summary>Scans content already at hand; <paramref name="name"/> becomes the root of the virtual paths.</summary>
    public Evaluation Scan(IBlob input, string name, string displayPath, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
            throw new InvalidOperationException("a Scanner serves one scan; create a new one (it holds the results of the first)");
        var started = DateTimeOffset.UtcNow;
        _cancellation = cancellationToken;
        _budget = new ScanBudget(_limits, input.Length);
        var scratch = Path.Combine(_options.ScratchDirectory ?? Path.GetTempPath(), $"assay-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _spooler = new Spooler(_limits, _budget, scratch);
        var rootName = string.IsNullOrEmpty(name) ? "input" : name.Replace("!/", "!_", StringComparison.Ordinal);
        string inputSha;
        try
        {
            inputSha = Hash(input);
            ProcessFile(new Node(rootName, new EntryMeta(rootName), input, Owns: false, inputSha, Depth: 0, Container: null, Ancestors: [], Forced: null));
            RunCompletion();
        }
        finally
        {
            TryDeleteDirectory(scratch);
        }
        var files = _files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        return new Evaluation
        {
            Tool = new ToolInfo(_options.ToolName, _options.ToolVersion),
            Input = new InputInfo(displayPath, input.Length, inputSha),
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            Limits = _limits.ToTable(),
            Files = files,
            Chunks = [.. _chunks.OrderBy(c => c.Path, StringComparer.Ordinal).ThenBy(c => c.Offset)],
            Components = [.. _sink.Components.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Version, StringComparer.Ordinal).ThenBy(c => c.Location, StringComparer.Ordinal).ThenBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Purl, StringComparer.Ordinal)],
            Findings = [.. _sink.Findings.OrderBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Evidence, StringComparer.Ordinal)],
            Errors = [.. _errors.Concat(_sink.Errors).Distinct().OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Handler, StringComparer.Ordinal).ThenBy(e => e.Message, StringComparer.Ordinal)],
            RuleChecks = new SortedDictionary<string, long>(_sink.Checks.ToDictionary(), StringComparer.Ordinal),
            Summaries = new SortedDictionary<string, object>(_sink.Summaries.ToDictionary(), StringComparer.Ordinal),
        };
    }

    private void RunCompletion()
    {
        var all = _files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        foreach (var inspector in _options.Inspectors)
        {
            try
            {
                inspector.Complete(all, _sink);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _errors.Add(new ScanError { Path = "", Handler = inspector.Id, Message = $"failed after the scan: {e.GetType().Name}: {e.Message}", Category = "internal" });
            }
        }
    }

    /// <summary>A regular file waiting to be processed.</summary>
    private sealed record Node(string Path, EntryMeta Meta, IBlob Blob, bool Owns, string? Sha256, int Depth, string? Container,
        ImmutableArray<string> Ancestors, IFormatHandler? Forced);

    private void ProcessFile(Node node)
    {
        try
        {
            _cancellation.ThrowIfCancellationRequested();
            var blob = node.Blob;
            var sha = node.Sha256 ?? Hash(blob);
            var header = blob.ReadBytes(0, FileType.HeaderBytes);
            var type = FileType.Detect(header, blob.Length);
            var (handler, match) = node.Forced is { } forced ? (forced, SafeMatch(forced, blob, 0)) : Identify(blob, header, type);
            var selfContained = node.Ancestors.Contains(sha) && blob.Length > 0;
            if (handler is not null && match is not null)
                type = type with { Class = ClassOf(handler.Category), Description = match.Description };
            var record = new FileRecord
            {
                Path = node.Path,
                Kind = NodeKind.File,
                Size = blob.Length,
                Mode = FormatMode(node.Meta.Mode),
                Uid = node.Meta.Uid,
                Gid = node.Meta.Gid,
                Mtime = node.Meta.Mtime,
                Xattrs = XattrRecord.From(node.Meta.Xattrs),
                Sha256 = sha,
                Type = type,
                Container = node.Container,
                Format = match is not null ? handler!.Id : null,
                Layer = node.Meta.Layer,
            };
            _files.Add(record);
            Progress.AddFile(blob.Length);
            if (node.Depth > 0)
                Extract(node.Path, () => _options.Extraction!.WriteFile(node.Path, blob, node.Meta.Mode));
            Inspect(record, blob);
            if (selfContained)
            {
                _errors.Add(new ScanError { Path = node.Path, Handler = "pipeline", Category = "limit", Message = "this file is identical to a container it was unpacked from (a self-reproducing archive, e.g. a zip quine); not unpacked again" });
                return;
            }
            if (handler is not null && match is not null)
            {
                var end = Unpack(node, sha, handler, match);
                if (end < blob.Length && blob.Length - end >= _limits.MinCarveBytes)
                    Carve(node, sha, end);
                else if (end < blob.Length)
                    AddGap(node.Path, blob, end, blob.Length - end);
            }
            else
            {
                if (StrongMagicAtStart(header) is { } claimed)
                    _errors.Add(new ScanError { Path = node.Path, Handler = claimed, Offset = 0, Message = $"{claimed} signature at offset 0 but the header is invalid or the file is truncated; not unpacked as {claimed}" });
                if (type.Class == "data" && blob.Length >= _limits.MinCarveBytes)
                    Carve(node, sha, 0);
            }
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (LimitExceededException e)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = "pipeline", Category = "limit", Message = e.Message });
        }
        catch (Exception e)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = "pipeline", Category = "internal", Message = $"{e.GetType().Name}: {e.Message}" });
        }
        finally
        {
            if (node.Owns)
                node.Blob.Dispose();
        }
    }

    private (IFormatHandler? Handler, FormatMatch? Match) Identify(IBlob blob, byte[] header, FileTypeInfo type)
    {
        foreach (var handler in _options.Handlers.All)
        {
            var magics = handler.Magics;
            var candidate = magics.Count == 0;
            foreach (var magic in magics)
            {
                if (magic.Offset + magic.Bytes.Length <= header.Length && header.AsSpan(magic.Offset, magic.Bytes.Length).SequenceEqual(magic.Bytes))
                {
                    candidate = true;
                    break;
                }
                if (magic.Offset + magic.Bytes.Length > header.Length && magic.Offset + magic.Bytes.Length <= blob.Length)
                {
                    var bytes = blob.ReadBytes(magic.Offset, magic.Bytes.Length);
                    if (bytes.AsSpan().SequenceEqual(magic.Bytes))
                    {
                        candidate = true;
                        break;
                    }
                }
            }
            // Handlers without magic (text encodings) are only tried on text.
            if (!candidate || (magics.Count == 0 && type.Class != "text"))
                continue;
            var match = SafeMatch(handler, blob, 0);
            if (match is not null && match.Offset == 0)
                return (handler, match);
        }
        return (null, null);
    }

    /// <summary>A handler whose magic of at least 4 bytes sits at offset 0 (weak magics are too common to mean anything).</summary>
    private string? StrongMagicAtStart(byte[] header)
    {
        foreach (var handler in _options.Handlers.All)
        {
            foreach (var magic in handler.Magics)
            {
                if (magic.Offset == 0 && magic.Bytes.Length >= 4 && header.AsSpan().StartsWith(magic.Bytes))
                    return handler.Id;
            }
        }
        return null;
    }

    private FormatMatch? SafeMatch(IFormatHandler handler, IBlob blob, long offset)
    {
        try
        {
            return handler.TryMatch(blob, offset);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or ArgumentException or OverflowException or IOException)
        {
            return null;
        }
    }

    /// <summary>Unpacks one chunk; returns where it ends (its declared length, or what the handler reported, or the blob end).</summary>
    private long Unpack(Node node, string sha, IFormatHandler handler, FormatMatch match)
    {
        var blob = node.Blob;
        var length = match.Length ?? blob.Length - match.Offset;
        if (match.Offset < 0 || match.Offset > blob.Length || length < 0 || length > blob.Length - match.Offset)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Offset = match.Offset, Message = $"{handler.Id} declares {length} bytes at 0x{match.Offset:x} but only {Math.Max(0, blob.Length - match.Offset)} are there; the image is truncated" });
            length = Math.Clamp(blob.Length - Math.Clamp(match.Offset, 0, blob.Length), 0, blob.Length);
            match = match with { Offset = Math.Clamp(match.Offset, 0, blob.Length), Length = length };
        }
        if (node.Depth + 1 > _limits.MaxDepth)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Category = "limit", Message = $"nesting depth {node.Depth + 1} passes --max-depth {_limits.MaxDepth}; {handler.Id} content not unpacked" });
            _chunks.Add(new ChunkRecord { Path = node.Path, Offset = match.Offset, Length = length, Format = handler.Id, Node = node.Path });
            return match.Offset + length;
        }
        Progress.AddContainer();
        Progress.Current = node.Path;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cancellation);
        timeout.CancelAfter(_limits.HandlerTimeout);
        var context = new NodeContext(this, node, handler.Id, node.Ancestors.Add(sha), timeout.Token);
        var chunk = match.Offset == 0 && length == blob.Length ? blob : blob.Slice(match.Offset, length);
        try
        {
            handler.Unpack(chunk, match, context);
        }
        catch (FormatException e)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Offset = e.Offset, Message = e.Message });
        }
        catch (LimitExceededException e)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Category = "limit", Message = e.Message });
        }
        catch (OperationCanceledException) when (!_cancellation.IsCancellationRequested)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Category = "limit", Message = $"{handler.Id} spent more than {_limits.HandlerTimeout.TotalSeconds:0} s here (--handler-timeout); the rest of this container was not unpacked" });
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Message = $"{handler.Id}: {e.Message}" });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Category = "internal", Message = $"{handler.Id} failed with {e.GetType().Name}: {e.Message} (a bug in Assay; please report it with the input)" });
        }
        finally
        {
            context.WaitForChildren();
        }
        if (match.Length is null && context.ReportedLength is { } reported && reported > 0 && reported < length)
            length = reported;
        _chunks.Add(new ChunkRecord { Path = node.Path, Offset = match.Offset, Length = length, Format = handler.Id, Node = node.Path });
        return match.Offset + length;
    }

    private void Carve(Node node, string sha, long from)
    {
        var blob = node.Blob;
        var found = _carver.Find(blob, from, _cancellation, out var truncated);
        if (truncated)
            _errors.Add(new ScanError { Path = node.Path, Handler = "carver", Category = "limit", Message = $"more than {Carver.MaxCandidates:N0} candidate signatures; carving stopped early" });
        if (found.Count == 0)
        {
            if (node.Depth == 0 || from > 0)
                AddGap(node.Path, blob, from, blob.Length - from);
            return;
        }
        var cursor = from;
        var children = new List<Task>();
        for (var i = 0; i < found.Count; i++)
        {
            var chunk = found[i];
            var nextStart = i + 1 < found.Count ? found[i + 1].Offset : blob.Length;
            var end = chunk.Match.Length is { } known ? chunk.Offset + known : nextStart;
            if (chunk.Offset > cursor)
                AddGap(node.Path, blob, cursor, chunk.Offset - cursor);
            var childPath = VirtualPath.Child(node.Path, $"0x{chunk.Offset:x}.{chunk.Handler.Id}");
            _chunks.Add(new ChunkRecord { Path = node.Path, Offset = chunk.Offset, Length = end - chunk.Offset, Format = chunk.Handler.Id, Node = childPath });
            var slice = blob.Slice(chunk.Offset, end - chunk.Offset);
            Dispatch(new Node(childPath, new EntryMeta(childPath), slice, Owns: false, null, node.Depth + 1, "carver", node.Ancestors.Add(sha), chunk.Handler), children);
            cursor = Math.Max(cursor, end);
        }
        if (cursor < blob.Length)
            AddGap(node.Path, blob, cursor, blob.Length - cursor);
        WaitAll(children);
    }

    private void AddGap(string path, IBlob blob, long offset, long length)
    {
        foreach (var region in Carver.SplitGap(blob, offset, length, _cancellation))
        {
            _chunks.Add(new ChunkRecord
            {
                Path = path,
                Offset = region.Offset,
                Length = region.Length,
                Format = region.Kind == GapKind.Fill ? "padding" : "unknown",
                Entropy = Math.Round(region.Entropy, 3),
                Note = region.Note,
            });
        }
    }

    private void Inspect(FileRecord record, IBlob blob)
    {
        if (_options.Inspectors.Count == 0)
            return;
        InspectedFile? file = null;
        foreach (var inspector in _options.Inspectors)
        {
            try
            {
                if (!inspector.Wants(record))
                    continue;
                file ??= new InspectedFile(record, blob);
                inspector.Inspect(file, _sink);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _errors.Add(new ScanError { Path = record.Path, Handler = inspector.Id, Category = "internal", Message = $"{inspector.Id} failed on this file: {e.GetType().Name}: {e.Message}" });
            }
        }
    }

    private void Extract(string path, Action write)
    {
        if (_options.Extraction is null)
            return;
        try
        {
            write();
        }
        catch (ExtractionRefusedException e)
        {
            _errors.Add(new ScanError { Path = path, Handler = "extract", Category = "unsafe", Message = e.Message });
        }
        catch (IOException e)
        {
            _errors.Add(new ScanError { Path = path, Handler = "extract", Category = "io", Message = $"could not write: {e.Message}" });
        }
        catch (UnauthorizedAccessException e)
        {
            _errors.Add(new ScanError { Path = path, Handler = "extract", Category = "io", Message = $"could not write: {e.Message}" });
        }
    }

    private void Dispatch(Node node, List<Task> siblings)
    {
        if (_slots.Wait(0))
        {
            siblings.Add(Task.Run(() =>
            {
                try
                {
                    ProcessFile(node);
                }
                finally
                {
                    _slots.Release();
                }
            }));
        }
        else
        {
            ProcessFile(node);
        }
    }

    private static void WaitAll(List<Task> tasks)
    {
        if (tasks.Count == 0)
            return;
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            throw new OperationCanceledException("scan cancelled", e);
        }
    }

    internal static string Hash(IBlob blob)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashChunk);
        try
        {
            long position = 0;
            int n;
            while ((n = blob.Read(position, buffer.AsSpan(0, HashChunk))) > 0)
            {
                hash.AppendData(buffer, 0, n);
                position += n;
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Mode bits as four octal digits (<c>4755</c>).</summary>
    public static string? FormatMode(int? mode) => mode is { } m ? Convert.ToString(m & 0xfff, 8).PadLeft(4, '0') : null;

    private static string ClassOf(FormatCategory category) => category switch
    {
        FormatCategory.Compression => "compressed",
        FormatCategory.Archive => "archive",
        FormatCategory.Filesystem => "filesystem",
        FormatCategory.Firmware => "firmware",
        FormatCategory.Encoding => "encoding",
        _ => "data",
    };

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: scratch files are private and already closed
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The unpack context of one container: turns handler callbacks into nodes and records.</summary>
    private sealed class NodeContext(Scanner scanner, Node parent, string handlerId, ImmutableArray<string> ancestors, CancellationToken cancellationToken) : IUnpackContext
    {
        private readonly List<Task> _children = [];

        public CancellationToken CancellationToken { get; } = cancellationToken;
        public ScanLimits Limits => scanner._limits;
        public string ContainerPath => parent.Path;

        public void AddDirectory(EntryMeta meta)
        {
            if (ChildPath(meta) is not { } path)
                return;
            scanner._files.Add(Record(path, NodeKind.Dir, meta));
            scanner.Extract(path, () => scanner._options.Extraction!.CreateDirectory(path, meta.Mode));
        }

        public void AddSymlink(EntryMeta meta, string target)
        {
            if (ChildPath(meta) is not { } path)
                return;
            scanner._files.Add(Record(path, NodeKind.Symlink, meta) with { Target = target, Size = System.Text.Encoding.UTF8.GetByteCount(target) });
            scanner.Extract(path, () => scanner._options.Extraction!.CreateSymlink(path, target));
        }

        public void AddHardlink(EntryMeta meta, string target)
        {
            if (ChildPath(meta) is not { } path)
                return;
            var normalized = VirtualPath.Normalize(target, out _) ?? target;
            scanner._files.Add(Record(path, NodeKind.Hardlink, meta) with { Target = target });
            scanner.Extract(path, () => scanner._options.Extraction!.CreateHardlink(path, VirtualPath.Child(parent.Path, normalized)));
        }

        public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false)
        {
            if (ChildPath(meta) is not { } path)
                return;
            var record = Record(path, kind, meta);
            if (kind == NodeKind.Device)
                record = record with { Device = isBlock ? "block" : "char", Major = meta.Major, Minor = meta.Minor };
            scanner._files.Add(record);
            scanner.Extract(path, () => ExtractionRoot.RefuseSpecial(path, kind == NodeKind.Device ? (isBlock ? "block device" : "character device") : kind.ToName()));
        }

        public void AddFile(EntryMeta meta, IBlob content)
        {
            if (ChildPath(meta) is not { } path)
                return;
            // Content presented without copying still gets read, hashed and inspected: a sparse
            // file's holes cost as much as decompressed bytes, so every file counts against the budget.
            scanner._budget.AddBytes(content.Length);
            scanner.Dispatch(new Node(path, Inherit(meta), content, Owns: false, null, parent.Depth + 1, handlerId, ancestors, null), _children);
        }

        public void AddFile(EntryMeta meta, Stream content, long? packedSize = null)
        {
            if (ChildPath(meta) is not { } path)
                return;
            IBlob blob;
            string sha;
            try
            {
                (blob, sha) = scanner._spooler.Spool(content, packedSize, CancellationToken);
            }
            catch (LimitExceededException e) when (e.Limit is "maxRatio" or "maxFileBytes")
            {
                scanner._errors.Add(new ScanError { Path = path, Handler = handlerId, Category = "limit", Message = e.Message });
                scanner._files.Add(Record(path, NodeKind.File, meta));
                return;
            }
            catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException))
            {
                // Anything a decompressor throws while its stream is read is about the data (third-party
                // decoders throw their own exception types for corrupt input).
                var what = e is InvalidDataException or FormatException or EndOfStreamException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                scanner._errors.Add(new ScanError { Path = path, Handler = handlerId, Message = $"content could not be read: {what}", Offset = (e as FormatException)?.Offset });
                scanner._files.Add(Record(path, NodeKind.File, meta));
                return;
            }
            scanner.Dispatch(new Node(path, Inherit(meta), blob, Owns: true, sha, parent.Depth + 1, handlerId, ancestors, null), _children);
        }

        public void AddError(string message, long? offset = null, string? entryPath = null)
        {
            var path = entryPath is null ? parent.Path : VirtualPath.Child(parent.Path, VirtualPath.Normalize(entryPath, out _) ?? entryPath);
            scanner._errors.Add(new ScanError { Path = path, Handler = handlerId, Message = message, Offset = offset });
        }

        public void WaitForChildren() => WaitAll(_children);

        public long? ReportedLength { get; private set; }

        public void ReportLength(long length) => ReportedLength = length;

        /// <summary>A child of a file that came from an image layer came from that layer too.</summary>
        private EntryMeta Inherit(EntryMeta meta) => meta.Layer is null && parent.Meta.Layer is { } layer ? meta with { Layer = layer } : meta;

        private string? ChildPath(EntryMeta meta)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var normalized = VirtualPath.Normalize(meta.Path, out var escaped);
            if (escaped)
                scanner._errors.Add(new ScanError { Path = parent.Path, Handler = handlerId, Category = "unsafe", Message = $"entry name '{Printable(meta.Path)}' climbs out of the container (path traversal); listed as '{normalized}'" });
            else if (meta.Path.StartsWith('/') && normalized is not null)
                scanner._errors.Add(new ScanError { Path = parent.Path, Handler = handlerId, Category = "unsafe", Message = $"entry name '{Printable(meta.Path)}' is absolute (an extractor that honours it writes outside its folder); listed as '{normalized}' inside the container" });
            if (normalized is null)
                return null;
            scanner._budget.AddFile();
            var path = VirtualPath.Child(parent.Path, normalized);
            scanner._options.EntryObserver?.Listed(parent.Path, path);
            return path;
        }

        private FileRecord Record(string path, NodeKind kind, EntryMeta meta) => new()
        {
            Path = path,
            Kind = kind,
            Mode = FormatMode(meta.Mode),
            Uid = meta.Uid,
            Gid = meta.Gid,
            Mtime = meta.Mtime,
            Xattrs = XattrRecord.From(meta.Xattrs),
            Container = handlerId,
            Layer = Inherit(meta).Layer,
        };

        private static string Printable(string s) => s.Length > 200 ? s[..200] + "…" : s.Replace('\0', '␀');
    }
}
