using System.Collections.Immutable;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Core.Pipeline;

/// <summary>
/// A regular file waiting to be processed: where it sits in the tree, its content, and the lease
/// (<see cref="Owner"/>) that keeps that content alive until it is processed (null for the input,
/// which outlives the walk).
/// </summary>
internal sealed record Node(string Path, EntryMeta Meta, IBlob Blob, SharedBlob? Owner, string? Sha256, int Depth, string? Container,
    ImmutableArray<string> Ancestors, IFormatHandler? Forced)
{
    /// <summary>The cache key of the file's packed form (see <see cref="PackedIdentity"/>), when its container gave one.</summary>
    public string? PackedKey { get; init; }
}

/// <summary>
/// What processing one node produced: its own file record, the records its handler listed
/// (directories, links, special files), its chunks and errors, what the inspectors reported about
/// it, and its children's results. The subtree is complete when the node and all its descendants
/// are done; the walker is told then (the cache stores a subtree at that point).
/// </summary>
internal sealed class NodeResult
{
    private readonly Action<NodeResult> _completed;
    private readonly List<NodeResult> _children = [];
    private int _pending = 1;

    public NodeResult(NodeResult? parent, Action<NodeResult> completed)
    {
        Parent = parent;
        _completed = completed;
    }

    public NodeResult? Parent { get; }

    /// <summary>The virtual path of the node (set when it is processed).</summary>
    public string? Path { get; set; }

    public List<FileRecord> Files { get; } = [];
    public List<ChunkRecord> Chunks { get; } = [];
    public List<ScanError> Errors { get; } = [];

    /// <summary>What the inspectors reported while looking at this node's own file; null when none looked.</summary>
    public InspectionSink? Inspection { get; set; }

    /// <summary>The node's cache key when its subtree is to be stored once complete.</summary>
    public string? CacheKey { get; set; }

    /// <summary>The key of the node's packed form, under which its subtree is stored too.</summary>
    public string? PackedKey { get; set; }

    /// <summary>The node's own file record (for the cache entry).</summary>
    public FileRecord? Own { get; set; }

    /// <summary>True when the subtree came from the cache (not stored again).</summary>
    public bool Replayed { get; set; }

    /// <summary>True when something in this node cannot be replayed (an inspector that keeps its own state looked at it).</summary>
    public bool Uncacheable { get; set; }

    /// <summary>Children, complete once <see cref="IsComplete"/>.</summary>
    public IReadOnlyList<NodeResult> Children => _children;

    public bool IsComplete => Volatile.Read(ref _pending) == 0;

    /// <summary>A result for a child; the subtree waits for it.</summary>
    public NodeResult NewChild()
    {
        var child = new NodeResult(this, _completed);
        lock (_children)
            _children.Add(child);
        Interlocked.Increment(ref _pending);
        return child;
    }

    /// <summary>One piece of work of the subtree is done (the node's own processing, or a child's subtree).</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _pending);
        if (left < 0)
            throw new InvalidOperationException($"the result of '{Path}' was released more often than it was held");
        if (left > 0)
            return;
        _completed(this);
        Parent?.Release();
    }

    /// <summary>Every result of the subtree, this one first, depth first.</summary>
    public IEnumerable<NodeResult> Subtree()
    {
        var stack = new Stack<NodeResult>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var r = stack.Pop();
            yield return r;
            for (var i = r._children.Count - 1; i >= 0; i--)
                stack.Push(r._children[i]);
        }
    }
}
