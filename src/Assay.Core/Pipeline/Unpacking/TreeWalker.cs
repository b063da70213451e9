using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
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
/// file while its content is at hand (DESIGN.md "Data flow of a scan"), as a work queue:
/// <list type="bullet">
/// <item>a handler hands each file over (<see cref="IUnpackContext.AddFile(EntryMeta, IBlob)"/>) and
/// goes on; the file waits in the <see cref="WorkQueue"/> holding a lease on its container's content
/// (<see cref="SharedBlob"/>), and a free worker identifies, hashes, inspects and unpacks it;</item>
/// <item>when the queue is full the handler's own thread processes the file, with the handler's
/// clock (<see cref="HandlerClock"/>) paused;</item>
/// <item>tar and cpio coming out of a decompressor are unpacked as they stream
/// (<see cref="IStreamingFormatHandler"/>): the decompressor runs on one thread, the entries are
/// processed by the others, and memory does not grow with the archive;</item>
/// <item>every failure is filed by <see cref="FailureClassifier"/> against the node it concerns,
/// and the walk goes on.</item>
/// </list>
/// Nothing is written to the host but spooled scratch content (deleted) and, when asked, the
/// extraction folder. One walker serves one walk.
/// </summary>
internal sealed class TreeWalker : IDisposable
{
    private const int HashChunk = 1 << 20;

    /// <summary>Regular files from this size on are looked up in the cache (containers always are).</summary>
    private const long CachedLeafBytes = 64 << 10;

    private readonly ScanSession _session;
    private readonly IReadOnlyList<IInspector> _inspectors;
    private readonly ExtractionRoot? _extraction;
    private readonly Carver _carver;
    private readonly WorkQueue _queue;
    private readonly ManualResetEventSlim _done = new(false);
    private readonly CancellationToken _ct;
    private readonly Action<NodeResult>? _subtreeDone;
    private readonly SubtreeCache? _cache;
    private int _cacheFailed;
    private Exception? _fatal;
    private int _used;

    /// <param name="subtreeDone">Told when a node's whole subtree is complete (on the thread that completed it).</param>
    public TreeWalker(ScanSession session, IReadOnlyList<IInspector> inspectors, Action<NodeResult>? subtreeDone = null)
    {
        _session = session;
        _inspectors = inspectors;
        _extraction = session.Options.Extraction;
        _carver = new Carver(session.Handlers);
        _ct = session.CancellationToken;
        _subtreeDone = subtreeDone;
        _queue = new WorkQueue(session.Options.Parallelism, Fail);
        if (session.Options.Cache is { } cache && _extraction is null)
        {
            var fingerprint = session.Options.CacheFingerprint ?? throw new InvalidOperationException("ScanOptions.Cache needs ScanOptions.CacheFingerprint");
            _cache = new SubtreeCache(cache, fingerprint, session.Limits, inspectors);
        }
    }

    private ScanLimits Limits => _session.Limits;
    private ScanProgress Progress => _session.Progress;

    /// <summary>Walks the input; returns the root's result once every node is done. Throws <see cref="OperationCanceledException"/> when the scan was cancelled.</summary>
    public NodeResult Walk(IBlob input, string rootName, string? sha256)
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
            throw new InvalidOperationException("a TreeWalker serves one walk");
        var root = new NodeResult(null, Completed);
        Run(new Node(rootName, new EntryMeta(rootName), input, Owner: null, sha256, Depth: 0, Container: null, Ancestors: [], Forced: null), root);
        _queue.HelpUntil(_done);
        if (_fatal is not null)
            ExceptionDispatchInfo.Throw(_fatal);
        return root;
    }

    public void Dispose()
    {
        _queue.Dispose();
        _done.Dispose();
    }

    private void Completed(NodeResult result)
    {
        if (_cache is not null && result.CacheKey is { } key && result.Own is { } own && !result.Replayed)
        {
            try
            {
                _cache.Store(result.PackedKey is { } packed ? [key, packed] : [key], result, own);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // a cache that cannot be written costs the next scan time, not this scan its result
                if (Interlocked.Exchange(ref _cacheFailed, 1) == 0)
                    _session.Notice($"the scan cache could not be written ({e.GetType().Name}: {e.Message}); results are not cached");
            }
        }
        result.Inspection?.ShareChecks();
        _subtreeDone?.Invoke(result);
        if (result.Parent is null)
            _done.Set();
    }

    private void Fail(Exception e) => Interlocked.CompareExchange(ref _fatal, e, null);

    /// <summary>Processes a node and accounts for it, whatever happens.</summary>
    private void Run(Node node, NodeResult result)
    {
        try
        {
            Process(node, result);
        }
        catch (Exception e)
        {
            // Only a cancelled scan (or a bug in the bookkeeping below) gets here.
            Fail(e);
        }
        finally
        {
            node.Owner?.Release();
            result.Release();
        }
    }

    /// <summary>Queues a child, or processes it on this thread (clock paused) when the queue is full.</summary>
    private void Dispatch(Node child, NodeResult parent, HandlerClock? clock)
    {
        var result = parent.NewChild();
        var owned = child.Owner is { } owner && ReferenceEquals(owner.Blob, child.Blob) ? child.Blob.Length : 0;
        if (_queue.TryPost(() => Run(child, result), owned))
            return;
        if (clock is null)
        {
            Run(child, result);
            return;
        }
        using (clock.Pause())
            Run(child, result);
    }

    private void Process(Node node, NodeResult result)
    {
        result.Path = node.Path;
        try
        {
            _ct.ThrowIfCancellationRequested();
            var blob = node.Blob;
            var sha = node.Sha256 ?? Hash(blob);
            var header = blob.ReadBytes(0, FileType.HeaderBytes);
            var type = FileType.Detect(header, blob.Length);
            var (handler, match) = node.Forced is { } forced ? (forced, Identifier.SafeMatch(forced, blob, 0, node.Path, result.Errors)) : Identifier.Identify(_session.Handlers, blob, header, type, node.Path, result.Errors);
            var selfContained = node.Ancestors.Contains(sha) && blob.Length > 0;
            if (handler is not null && match is not null)
                type = type with { Class = ClassOf(handler.Category), Description = match.Description };
            string? key = null;
            if (_cache is not null && !selfContained && (match is not null || blob.Length >= CachedLeafBytes))
            {
                key = _cache.Key(node, sha);
                if (_cache.Find(key, node.Path) is { } entry && Replay(node, entry, result))
                {
                    // the same content met before in another packed form: next time, this form is enough
                    if (node.PackedKey is { } packed)
                        _cache.Alias(key, packed);
                    return;
                }
            }
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
                Type = FileTypeInfo.Shared(type),
                Container = node.Container,
                Format = match is not null ? handler!.Id : null,
                Layer = node.Meta.Layer,
            };
            result.Files.Add(record);
            result.Own = record;
            result.CacheKey = key;
            result.PackedKey = key is null ? null : node.PackedKey;
            Progress.AddFile(blob.Length);
            if (node.Depth > 0)
                Extract(node.Path, result.Errors, () => _extraction!.WriteFile(node.Path, blob, node.Meta.Mode));
            Inspect(record, blob, result);
            if (selfContained)
            {
                result.Errors.Add(new ScanError { Path = node.Path, Handler = "pipeline", Category = ErrorCategory.Limit, Message = "this file is identical to a container it was unpacked from (a self-reproducing archive, e.g. a zip quine); not unpacked again" });
                return;
            }
            if (handler is not null && match is not null)
            {
                var end = Unpack(node, sha, handler, match, result);
                if (end < blob.Length && blob.Length - end >= Limits.MinCarveBytes)
                    Carve(node, sha, blob, end, result);
                else if (end < blob.Length)
                    AddGap(node.Path, blob, end, blob.Length - end, result.Chunks);
            }
            else
            {
                if (Identifier.StrongMagicAtStart(_session.Handlers, header) is { } claimed)
                    result.Errors.Add(new ScanError { Path = node.Path, Handler = claimed, Offset = 0, Message = $"{claimed} signature at offset 0 but the header is invalid or the file is truncated; not unpacked as {claimed}" });
                if (type.Class == "data" && blob.Length >= Limits.MinCarveBytes)
                    Carve(node, sha, blob, 0, result);
            }
        }
        catch (OperationCanceledException) when (_ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            result.Errors.Add(new ScanError
            {
                Path = node.Path,
                Handler = "pipeline",
                Category = FailureClassifier.Classify(e),
                Message = FailureClassifier.Classify(e) == ErrorCategory.Limit ? e.Message : $"{e.GetType().Name}: {e.Message}",
            });
        }
    }

    /// <summary>
    /// Gives back a subtree found in the cache instead of unpacking and inspecting it; false (and
    /// nothing added) when it may not be used here: it holds a container that is an ancestor of
    /// this node (a self-reproducing archive), or it would pass the scan's budget.
    /// </summary>
    /// <param name="unread">True when the node's own content was not read (a file answered by its
    /// packed form): its bytes count against the scan's budget here, as reading them would have.</param>
    private bool Replay(Node node, SubtreeEntry entry, NodeResult result, bool unread = false)
    {
        if (entry.Containers.Any(c => node.Ancestors.Contains(c)))
            return false;
        if (!_session.Budget.TryReserve(entry.Files.Count, entry.Bytes + (unread ? entry.Size : 0)))
            return false;
        var own = new FileRecord
        {
            Path = node.Path,
            Kind = NodeKind.File,
            Size = entry.Size,
            Mode = FormatMode(node.Meta.Mode),
            Uid = node.Meta.Uid,
            Gid = node.Meta.Gid,
            Mtime = node.Meta.Mtime,
            Xattrs = XattrRecord.From(node.Meta.Xattrs),
            Sha256 = entry.Sha256,
            Type = entry.Type is { } cachedType ? FileTypeInfo.Shared(cachedType) : null,
            Container = node.Container,
            Format = entry.Format,
            Layer = node.Meta.Layer,
        };
        result.Files.Add(own);
        result.Files.AddRange(entry.Files);
        result.Chunks.AddRange(entry.Chunks);
        result.Errors.AddRange(entry.Errors);
        if (entry.Components.Count + entry.Findings.Count + entry.InspectionErrors.Count + entry.Facts.Count + entry.Checks.Count > 0)
        {
            var sink = new InspectionSink();
            foreach (var c in entry.Components)
                sink.Add(c);
            foreach (var f in entry.Findings)
                sink.Add(f);
            foreach (var e in entry.InspectionErrors)
                sink.Add(e);
            foreach (var f in entry.Facts)
                sink.Add(f);
            foreach (var (rule, count) in entry.Checks)
                sink.Checked(rule, count);
            result.Inspection = sink;
        }
        result.Replayed = true;
        Progress.AddFile(entry.Size);
        Progress.AddCached(entry.Files.Count + 1);
        return true;
    }

    /// <summary>Unpacks one chunk; returns where it ends (its declared length, or what the handler reported, or the blob end).</summary>
    private long Unpack(Node node, string sha, IFormatHandler handler, FormatMatch match, NodeResult result)
    {
        var blob = node.Blob;
        var length = match.Length ?? blob.Length - match.Offset;
        if (match.Offset < 0 || match.Offset > blob.Length || length < 0 || length > blob.Length - match.Offset)
        {
            result.Errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Offset = match.Offset, Message = $"{handler.Id} declares {length} bytes at 0x{match.Offset:x} but only {Math.Max(0, blob.Length - match.Offset)} are there; the image is truncated" });
            length = Math.Clamp(blob.Length - Math.Clamp(match.Offset, 0, blob.Length), 0, blob.Length);
            match = match with { Offset = Math.Clamp(match.Offset, 0, blob.Length), Length = length };
        }
        if (node.Depth + 1 > Limits.MaxDepth)
        {
            result.Errors.Add(new ScanError { Path = node.Path, Handler = handler.Id, Category = ErrorCategory.Limit, Message = $"nesting depth {node.Depth + 1} passes --max-depth {Limits.MaxDepth}; {handler.Id} content not unpacked" });
            result.Chunks.Add(new ChunkRecord { Path = node.Path, Offset = match.Offset, Length = length, Format = handler.Id, Node = node.Path });
            return match.Offset + length;
        }
        Progress.AddContainer();
        Progress.Current = node.Path;
        using var clock = new HandlerClock(Limits.HandlerTimeout, _ct);
        var context = new NodeContext(this, node.Path, node.Depth, node.Owner, result, handler.Id, node.Ancestors.Add(sha), clock, node.Meta.Layer);
        var chunk = match.Offset == 0 && length == blob.Length ? blob : blob.Slice(match.Offset, length);
        RunHandler(handler, node.Path, result, () => handler.Unpack(chunk, match, context));
        if (match.Length is null && context.ReportedLength is { } reported && reported > 0 && reported < length)
            length = reported;
        result.Chunks.Add(new ChunkRecord { Path = node.Path, Offset = match.Offset, Length = length, Format = handler.Id, Node = node.Path });
        return match.Offset + length;
    }

    /// <summary>Runs a handler's unpacking and files whatever it throws against the node.</summary>
    private void RunHandler(IFormatHandler handler, string path, NodeResult result, Action unpack)
    {
        try
        {
            unpack();
        }
        catch (OperationCanceledException) when (!_ct.IsCancellationRequested)
        {
            result.Errors.Add(new ScanError { Path = path, Handler = handler.Id, Category = ErrorCategory.Limit, Message = $"{handler.Id} spent more than {Limits.HandlerTimeout.TotalSeconds:0} s here (--handler-timeout); the rest of this container was not unpacked" });
        }
        catch (Exception e) when (e is not (OperationCanceledException or SourceFailedException))
        {
            result.Errors.Add(UnpackFailure(handler.Id, path, e));
        }
    }

    /// <summary>The error entry of a handler that failed while unpacking, by what the failure means.</summary>
    private static ScanError UnpackFailure(string handlerId, string path, Exception e) => FailureClassifier.Classify(e) switch
    {
        ErrorCategory.Malformed when e is FormatException f => new ScanError { Path = path, Handler = handlerId, Offset = f.Offset, Message = f.Message },
        ErrorCategory.Limit => new ScanError { Path = path, Handler = handlerId, Category = ErrorCategory.Limit, Message = e.Message },
        ErrorCategory.Internal => new ScanError { Path = path, Handler = handlerId, Category = ErrorCategory.Internal, Message = FailureClassifier.Describe(e, handlerId) },
        var category => new ScanError { Path = path, Handler = handlerId, Category = category, Message = $"{handlerId}: {e.Message}" },
    };

    /// <summary>Carves <paramref name="blob"/> (the node's content, or the kept tail of a streamed container) from <paramref name="from"/>.</summary>
    private void Carve(Node node, string sha, IBlob blob, long from, NodeResult result)
    {
        var found = _carver.Find(blob, from, _ct, out var truncated, (handler, offset, e) => result.Errors.Add(Identifier.MatchFailure(handler, offset, node.Path, e)));
        if (truncated)
            result.Errors.Add(new ScanError { Path = node.Path, Handler = "carver", Category = ErrorCategory.Limit, Message = $"more than {Carver.MaxCandidates:N0} candidate signatures; carving stopped early" });
        if (found.Count == 0)
        {
            if (node.Depth == 0 || from > 0)
                AddGap(node.Path, blob, from, blob.Length - from, result.Chunks);
            return;
        }
        var cursor = from;
        for (var i = 0; i < found.Count; i++)
        {
            var chunk = found[i];
            var nextStart = i + 1 < found.Count ? found[i + 1].Offset : blob.Length;
            var end = chunk.Match.Length is { } known ? chunk.Offset + known : nextStart;
            if (chunk.Offset > cursor)
                AddGap(node.Path, blob, cursor, chunk.Offset - cursor, result.Chunks);
            var childPath = VirtualPath.Child(node.Path, $"0x{chunk.Offset:x}.{chunk.Handler.Id}");
            result.Chunks.Add(new ChunkRecord { Path = node.Path, Offset = chunk.Offset, Length = end - chunk.Offset, Format = chunk.Handler.Id, Node = childPath });
            var slice = blob.Slice(chunk.Offset, end - chunk.Offset);
            Dispatch(new Node(childPath, new EntryMeta(childPath), slice, node.Owner?.Acquire(), null, node.Depth + 1, "carver", node.Ancestors.Add(sha), chunk.Handler), result, clock: null);
            cursor = Math.Max(cursor, end);
        }
        if (cursor < blob.Length)
            AddGap(node.Path, blob, cursor, blob.Length - cursor, result.Chunks);
    }

    private void AddGap(string path, IBlob blob, long offset, long length, List<ChunkRecord> chunks)
    {
        foreach (var region in Carver.SplitGap(blob, offset, length, _ct))
        {
            chunks.Add(new ChunkRecord
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

    private void Inspect(FileRecord record, IBlob blob, NodeResult result, bool headOnly = false)
    {
        if (_inspectors.Count == 0)
            return;
        InspectedFile? file = null;
        foreach (var inspector in _inspectors)
        {
            try
            {
                if (!inspector.Wants(record))
                    continue;
                if (!inspector.CacheableByContent)
                    result.Uncacheable = true;
                if (headOnly && !(inspector.ContainerHeadBytes is { } head && head <= StreamHead.Bytes))
                {
                    (result.Inspection ??= new InspectionSink()).Add(new ScanError { Path = record.Path, Handler = inspector.Id, Category = ErrorCategory.Internal, Message = $"{inspector.Id} wants this container, which was unpacked as it streamed, but did not say it reads only its head (IInspector.ContainerHeadBytes); not inspected" });
                    continue;
                }
                file ??= new InspectedFile(record, blob);
                inspector.Inspect(file, result.Inspection ??= new InspectionSink());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                (result.Inspection ??= new InspectionSink()).Add(new ScanError { Path = record.Path, Handler = inspector.Id, Category = FailureClassifier.Classify(e), Message = $"{inspector.Id} failed on this file: {e.GetType().Name}: {e.Message}" });
            }
        }
    }

    private void Extract(string path, List<ScanError> errors, Action write)
    {
        if (_extraction is null)
            return;
        try
        {
            write();
        }
        catch (ExtractionRefusedException e)
        {
            errors.Add(new ScanError { Path = path, Handler = "extract", Category = ErrorCategory.Unsafe, Message = e.Message });
        }
        catch (IOException e)
        {
            errors.Add(new ScanError { Path = path, Handler = "extract", Category = ErrorCategory.Io, Message = $"could not write: {e.Message}" });
        }
        catch (UnauthorizedAccessException e)
        {
            errors.Add(new ScanError { Path = path, Handler = "extract", Category = ErrorCategory.Io, Message = $"could not write: {e.Message}" });
        }
    }

    // ---- content out of a decompressor ----

    /// <summary>
    /// A file whose bytes come out of <paramref name="content"/>: read its head; a short file goes
    /// to pooled memory, a tar or cpio is unpacked as it streams, anything else is spooled.
    /// </summary>
    private void AddStreamedFile(NodeContext parent, string path, EntryMeta meta, Stream content, long? packedSize, PackedIdentity? identity = null)
    {
        string? packedKey = null;
        if (identity is not null && _cache is not null && identity.Size >= PackedIdentity.MinimumSize)
        {
            var probe = new Node(path, meta, new MemoryBlob(ReadOnlyMemory<byte>.Empty), null, null, parent.Depth + 1, parent.HandlerId, parent.Ancestors, null);
            packedKey = _cache.PackedKey(probe, identity);
            if (_cache.Find(packedKey, path) is { } entry)
            {
                // (a replay refused for the scan's budget or a self-containing entry leaves this
                // result empty, which adds nothing to the evaluation; the file is then read below)
                var replayed = parent.Result.NewChild();
                replayed.Path = path;
                var done = Replay(probe, entry, replayed, unread: true);
                replayed.Release();
                if (done)
                    return;
            }
        }
        var metered = new MeteredStream(content, Limits, _session.Budget, packedSize, parent.CancellationToken);
        var head = ArrayPool<byte>.Shared.Rent(StreamHead.Bytes);
        try
        {
            var n = metered.ReadFull(head.AsSpan(0, StreamHead.Bytes));
            if (n == StreamHead.Bytes && Streamer(parent, path, meta, head) is { } streamer)
            {
                StreamChild(parent, path, meta, head.AsSpan(0, n).ToArray(), metered, streamer);
                return;
            }
            var blob = _session.Spooler.Spool(head.AsSpan(0, n), metered, parent.CancellationToken);
            var shared = new SharedBlob(blob, owns: true);
            Dispatch(new Node(path, meta, blob, shared, null, parent.Depth + 1, parent.HandlerId, parent.Ancestors, null) { PackedKey = packedKey }, parent.Result, parent.Clock);
        }
        catch (Exception e) when (e is LimitExceededException { Limit: "maxRatio" or "maxFileBytes" })
        {
            parent.Result.Errors.Add(new ScanError { Path = path, Handler = parent.HandlerId, Category = ErrorCategory.Limit, Message = e.Message });
            parent.Result.Files.Add(parent.Record(path, NodeKind.File, meta));
        }
        catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException or SourceFailedException))
        {
            // (a SourceFailedException is the failure of the stream the parent itself streams from:
            // it goes up to where that stream is read, and is filed there)
            ContentUnreadable(parent.HandlerId, parent.Result, path, parent.Record(path, NodeKind.File, meta), e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static void ContentUnreadable(string handlerId, NodeResult result, string path, FileRecord record, Exception e)
    {
        // Third-party decoders are wrapped in DecoderStream, so what arrives here is classified like
        // any other failure: corrupt data, a host problem, or our bug.
        var category = FailureClassifier.Classify(e);
        var what = category == ErrorCategory.Malformed ? e.Message : $"{e.GetType().Name}: {e.Message}";
        result.Errors.Add(new ScanError { Path = path, Handler = handlerId, Category = category, Message = $"content could not be read: {what}", Offset = (e as FormatException)?.Offset });
        result.Files.Add(record);
    }

    /// <summary>The streaming handler for content that starts with <paramref name="head"/>, when it may be unpacked as it streams.</summary>
    private IStreamingFormatHandler? Streamer(NodeContext parent, string path, EntryMeta meta, byte[] head)
    {
        if (!_session.Options.Streaming || _extraction is not null || parent.Depth + 2 > Limits.MaxDepth)
            return null;
        using var headBlob = new MemoryBlob(head.AsMemory(0, StreamHead.Bytes));
        var header = head.AsSpan(0, FileType.HeaderBytes).ToArray();
        var type = FileType.Detect(header, StreamHead.Bytes);
        var (handler, match) = Identifier.Identify(_session.Handlers, headBlob, header, type, path, []);
        if (handler is not IStreamingFormatHandler streaming || match is null || !streaming.CanStream(head.AsSpan(0, StreamHead.Bytes)))
            return null;
        // The inspectors that will want this container must be content with its head. Its size and
        // hash are known only at the end, so they are asked with the smallest and largest size it
        // can have.
        var provisional = new FileRecord
        {
            Path = path,
            Kind = NodeKind.File,
            Mode = FormatMode(meta.Mode),
            Uid = meta.Uid,
            Gid = meta.Gid,
            Mtime = meta.Mtime,
            Sha256 = "",
            Type = FileTypeInfo.Shared(type with { Class = ClassOf(handler.Category), Description = match.Description }),
            Container = parent.HandlerId,
            Format = handler.Id,
            Layer = meta.Layer,
        };
        foreach (var inspector in _inspectors)
        {
            if (inspector.ContainerHeadBytes is { } bytes && bytes <= StreamHead.Bytes)
                continue;
            if (inspector.Wants(provisional with { Size = StreamHead.Bytes }) || inspector.Wants(provisional with { Size = Limits.MaxFileBytes }))
                return null;
        }
        return streaming;
    }

    /// <summary>Unpacks a tar or cpio as it streams out of its parent's decompressor, on the parent's thread.</summary>
    private void StreamChild(NodeContext parent, string path, EntryMeta meta, byte[] head, MeteredStream source, IStreamingFormatHandler handler)
    {
        var result = parent.Result.NewChild();
        result.Path = path;
        try
        {
            using (parent.Clock.Pause())
                ProcessStreamed(parent, path, meta, head, source, handler, result);
        }
        finally
        {
            result.Release();
        }
    }

    private void ProcessStreamed(NodeContext parent, string path, EntryMeta meta, byte[] head, MeteredStream source, IStreamingFormatHandler handler, NodeResult result)
    {
        var depth = parent.Depth + 1;
        using var headBlob = new MemoryBlob(head);
        var header = head.AsSpan(0, FileType.HeaderBytes).ToArray();
        var match = handler.TryMatch(headBlob, 0)!;
        var type = FileType.Detect(header, head.Length) with { Class = ClassOf(handler.Category), Description = match.Description };
        using var content = new StreamedContent(head, source);
        Progress.AddContainer();
        Progress.Current = path;
        using var clock = new HandlerClock(Limits.HandlerTimeout, _ct);
        var context = new NodeContext(this, path, depth, owner: null, result, handler.Id, parent.Ancestors, clock, meta.Layer);
        SharedBlob? tail = null;
        try
        {
            RunHandler(handler, path, result, () => handler.UnpackStream(content, context));
            // Where the archive ends; what follows it is kept for the carver, as in the blob form.
            var end = context.ReportedLength;
            if (end is { } e && e > content.Position && content.Skip(e - content.Position) < e - content.Position)
                end = null;
            if (end is { } known0 && content.KeptSince(known0) is { } over)
                tail = new SharedBlob(_session.Spooler.Spool(over, content, _ct), owns: true);
            else
                content.Drain();
            var size = content.Position;
            var sha = content.Sha256();
            var record = new FileRecord
            {
                Path = path,
                Kind = NodeKind.File,
                Size = size,
                Mode = FormatMode(meta.Mode),
                Uid = meta.Uid,
                Gid = meta.Gid,
                Mtime = meta.Mtime,
                Xattrs = XattrRecord.From(meta.Xattrs),
                Sha256 = sha,
                Type = FileTypeInfo.Shared(type),
                Container = parent.HandlerId,
                Format = handler.Id,
                Layer = meta.Layer,
            };
            result.Files.Add(record);
            Progress.AddFile(size);
            Inspect(record, new WindowBlob(size, 0, new MemoryBlob(head)), result, headOnly: true);
            var length = end is { } known && known > 0 && known < size ? known : size;
            result.Chunks.Add(new ChunkRecord { Path = path, Offset = 0, Length = length, Format = handler.Id, Node = path });
            if (tail is not null && length < size)
            {
                var window = new WindowBlob(size, length, tail.Blob);
                var node = new Node(path, meta, window, tail, sha, depth, parent.HandlerId, parent.Ancestors, null);
                if (size - length >= Limits.MinCarveBytes)
                    Carve(node, sha, window, length, result);
                else
                    AddGap(path, window, length, size - length, result.Chunks);
            }
        }
        catch (SourceFailedException e) when (e.InnerException is LimitExceededException { Limit: "maxRatio" or "maxFileBytes" } limit)
        {
            result.Errors.Add(new ScanError { Path = path, Handler = parent.HandlerId, Category = ErrorCategory.Limit, Message = limit.Message });
            result.Files.Add(parent.Record(path, NodeKind.File, meta));
        }
        catch (SourceFailedException e) when (e.InnerException is LimitExceededException limit)
        {
            // the scan's byte budget ran out: the parent's handler stops here, as it would have while spooling
            ExceptionDispatchInfo.Throw(limit);
        }
        catch (SourceFailedException e)
        {
            ContentUnreadable(parent.HandlerId, result, path, parent.Record(path, NodeKind.File, meta), e.InnerException!);
        }
        finally
        {
            tail?.Release();
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
    public static string? FormatMode(int? mode)
    {
        if (mode is not { } m)
            return null;
        // One string per permission value, made once (a scan has tens of thousands of records, few distinct modes).
        var bits = m & 0xfff;
        return s_modes[bits] ??= Convert.ToString(bits, 8).PadLeft(4, '0');
    }

    private static readonly string?[] s_modes = new string?[0x1000];

    private static string ClassOf(FormatCategory category) => category switch
    {
        FormatCategory.Compression => "compressed",
        FormatCategory.Archive => "archive",
        FormatCategory.Filesystem => "filesystem",
        FormatCategory.Firmware => "firmware",
        FormatCategory.Encoding => "encoding",
        _ => "data",
    };

    /// <summary>
    /// The unpack context of one container: turns a handler's callbacks into records, errors and
    /// child nodes. It holds what it needs (the container's path, depth, content lease, result and
    /// clock) and asks the walker only to dispatch and to stream children.
    /// </summary>
    private sealed class NodeContext(TreeWalker walker, string path, int depth, SharedBlob? owner, NodeResult result, string handlerId, ImmutableArray<string> ancestors, HandlerClock clock, string? layer) : IUnpackContext
    {
        public CancellationToken CancellationToken => clock.Token;
        public ScanLimits Limits => walker.Limits;
        public string ContainerPath => path;
        public int Depth => depth;
        public NodeResult Result => result;
        public string HandlerId => handlerId;
        public ImmutableArray<string> Ancestors => ancestors;
        public HandlerClock Clock => clock;
        public long? ReportedLength { get; private set; }

        public void AddDirectory(EntryMeta meta)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            result.Files.Add(Record(child, NodeKind.Dir, meta));
            walker.Extract(child, result.Errors, () => walker._extraction!.CreateDirectory(child, meta.Mode));
        }

        public void AddSymlink(EntryMeta meta, string target)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            result.Files.Add(Record(child, NodeKind.Symlink, meta) with { Target = target, Size = System.Text.Encoding.UTF8.GetByteCount(target) });
            walker.Extract(child, result.Errors, () => walker._extraction!.CreateSymlink(child, target));
        }

        public void AddHardlink(EntryMeta meta, string target)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            var normalized = VirtualPath.Normalize(target, out _) ?? target;
            result.Files.Add(Record(child, NodeKind.Hardlink, meta) with { Target = target });
            walker.Extract(child, result.Errors, () => walker._extraction!.CreateHardlink(child, VirtualPath.Child(path, normalized)));
        }

        public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            var record = Record(child, kind, meta);
            if (kind == NodeKind.Device)
                record = record with { Device = isBlock ? "block" : "char", Major = meta.Major, Minor = meta.Minor };
            result.Files.Add(record);
            walker.Extract(child, result.Errors, () => ExtractionRoot.RefuseSpecial(child, kind == NodeKind.Device ? (isBlock ? "block device" : "character device") : kind.ToName()));
        }

        public void AddFile(EntryMeta meta, IBlob content)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            // Content presented without copying still gets read, hashed and inspected: a sparse
            // file's holes cost as much as decompressed bytes, so every file counts against the budget.
            walker._session.Budget.AddBytes(content.Length);
            walker.Dispatch(new Node(child, meta, content, owner?.Acquire(), null, depth + 1, handlerId, ancestors, null), result, clock);
        }

        public void AddFile(EntryMeta meta, Stream content, long? packedSize = null) => AddFile(meta, content, packedSize, null);

        public bool KeepsResults => walker._cache is not null;

        public void AddFile(EntryMeta meta, Stream content, long? packedSize, PackedIdentity? identity)
        {
            meta = Inherit(meta);
            if (ChildPath(meta) is not { } child)
                return;
            walker.AddStreamedFile(this, child, meta, content, packedSize, identity);
        }

        public void AddError(string message, long? offset = null, string? entryPath = null)
        {
            var at = entryPath is null ? path : VirtualPath.Child(path, VirtualPath.Normalize(entryPath, out _) ?? entryPath);
            result.Errors.Add(new ScanError { Path = at, Handler = handlerId, Message = message, Offset = offset });
        }

        public void ReportLength(long length) => ReportedLength = length;

        /// <summary>A child of a file that came from an image layer came from that layer too.</summary>
        private EntryMeta Inherit(EntryMeta meta) => meta.Layer is null && layer is not null ? meta with { Layer = layer } : meta;

        private string? ChildPath(EntryMeta meta)
        {
            CancellationToken.ThrowIfCancellationRequested();
            var normalized = VirtualPath.Normalize(meta.Path, out var escaped);
            if (escaped)
                result.Errors.Add(new ScanError { Path = path, Handler = handlerId, Category = ErrorCategory.Unsafe, Message = $"entry name '{Printable(meta.Path)}' climbs out of the container (path traversal); listed as '{normalized}'" });
            else if (meta.Path.StartsWith('/') && normalized is not null)
                result.Errors.Add(new ScanError { Path = path, Handler = handlerId, Category = ErrorCategory.Unsafe, Message = $"entry name '{Printable(meta.Path)}' is absolute (an extractor that honours it writes outside its folder); listed as '{normalized}' inside the container" });
            if (normalized is null)
                return null;
            walker._session.Budget.AddFile();
            var child = VirtualPath.Child(path, normalized);
            walker._session.Options.EntryObserver?.Listed(path, child);
            return child;
        }

        public FileRecord Record(string child, NodeKind kind, EntryMeta meta) => new()
        {
            Path = child,
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
