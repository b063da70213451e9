using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Core.Formats;

/// <summary>One entry a handler reported, as collected by <see cref="CollectingUnpackContext"/>.</summary>
public sealed record CollectedEntry(EntryMeta Meta, NodeKind Kind, string? Target, byte[]? Content, bool IsBlockDevice = false);

/// <summary>
/// An <see cref="IUnpackContext"/> that keeps every entry in memory: for tests, fuzz harnesses and
/// tools that list one container without the pipeline. Bounded by <see cref="MaxContentBytes"/>.
/// </summary>
public sealed class CollectingUnpackContext(ScanLimits? limits = null, CancellationToken cancellationToken = default) : IUnpackContext
{
    private readonly List<CollectedEntry> _entries = [];
    private readonly List<(string Message, long? Offset, string? Path)> _errors = [];
    private long _contentBytes;

    public CancellationToken CancellationToken { get; } = cancellationToken;
    public ScanLimits Limits { get; } = limits ?? new ScanLimits();
    public string ContainerPath { get; init; } = "test";

    /// <summary>Total file content kept; more throws <see cref="LimitExceededException"/>.</summary>
    public long MaxContentBytes { get; init; } = 256L << 20;

    /// <summary>What <see cref="IUnpackContext.KeepsResults"/> says: true makes handlers compute packed identities (the fuzz targets do, so that code is fuzzed too).</summary>
    public bool KeepsResults { get; init; }

    public IReadOnlyList<CollectedEntry> Entries => _entries;
    public IReadOnlyList<(string Message, long? Offset, string? Path)> Errors => _errors;

    /// <summary>The entry with this exact path (as the handler gave it), or null.</summary>
    public CollectedEntry? Find(string path) => _entries.FirstOrDefault(e => e.Meta.Path == path);

    public void AddDirectory(EntryMeta meta) => _entries.Add(new(meta, NodeKind.Dir, null, null));
    public void AddSymlink(EntryMeta meta, string target) => _entries.Add(new(meta, NodeKind.Symlink, target, null));
    public void AddHardlink(EntryMeta meta, string target) => _entries.Add(new(meta, NodeKind.Hardlink, target, null));
    public void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false) => _entries.Add(new(meta, kind, null, null, isBlock));

    public void AddFile(EntryMeta meta, IBlob content)
    {
        Reserve(content.Length);
        var bytes = new byte[content.Length];
        content.ReadExactly(0, bytes);
        _entries.Add(new(meta, NodeKind.File, null, bytes));
    }

    public void AddFile(EntryMeta meta, Stream content, long? packedSize = null)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = content.Read(chunk)) > 0)
        {
            Reserve(n);
            buffer.Write(chunk, 0, n);
        }
        _entries.Add(new(meta, NodeKind.File, null, buffer.ToArray()));
    }

    public void AddError(string message, long? offset = null, string? entryPath = null) => _errors.Add((message, offset, entryPath));

    private void Reserve(long bytes)
    {
        _contentBytes += bytes;
        if (_contentBytes > MaxContentBytes)
            throw new LimitExceededException("maxTotalBytes", $"collected content passed {MaxContentBytes} bytes");
    }
}
