using System.Collections.Concurrent;
using System.Security.Cryptography;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.History.Build;

/// <summary>
/// Records, during the one scan of a build (<c>ScanRequest.ExtraInspectors</c> and
/// <c>ScanRequest.EntryObserver</c>), what <see cref="BuildComparison"/> needs of every file once the
/// bytes are gone (<see cref="FileFacts"/>), and each archive's member order. One instance per scan;
/// <see cref="Inspect"/> runs on several threads at once. Nothing is unpacked here: the engine hands
/// over every file it unpacked.
/// </summary>
public sealed class BuildRecorder : IInspector, IEntryObserver
{
    private const int HashChunk = 1 << 20;

    private readonly ConcurrentDictionary<string, FileFacts> _facts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<string>> _members = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Id => "build-facts";

    /// <inheritdoc/>
    public bool Wants(FileRecord file) => file.Kind == NodeKind.File;

    /// <inheritdoc/>
    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        ArgumentNullException.ThrowIfNull(file);
        _facts[file.Path] = Record(file.Record, file.Content);
    }

    /// <inheritdoc/>
    public void Listed(string containerPath, string entryPath)
    {
        var list = _members.GetOrAdd(containerPath, _ => []);
        lock (list)
            list.Add(entryPath);
    }

    /// <summary>The build as scanned: its evaluation with the facts this recorder kept.</summary>
    public BuildTree Complete(Evaluation evaluation) =>
        new(evaluation, new Dictionary<string, FileFacts>(_facts, StringComparer.Ordinal),
            _members.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value], StringComparer.Ordinal));

    /// <summary>The facts of one file.</summary>
    internal static FileFacts Record(FileRecord record, IBlob content, CancellationToken cancellationToken = default)
    {
        var length = content.Length;
        var name = Core.Pipeline.VirtualPath.Name(record.Path);
        if (record.Format is "fit" or "dtb")
        {
            try
            {
                return new FileFacts { Length = length, DeviceTree = FdtStructure.Read(content, record.Format == "fit", cancellationToken) };
            }
            catch (InvalidDataException e)
            {
                return new FileFacts { Length = length, Problem = e.Message };
            }
        }
        if (record.Format is not null)
            return new FileFacts { Length = length };

        var signature = ModuleSignature.TryRead(content);
        var contentLength = signature?.ContentLength ?? length;
        var unsigned = signature is null ? null : Sha256(content, 0, contentLength, cancellationToken);
        var detached = DetachedSignature.Classify(name, content);
        if (ElfSectionTable.IsElf(content))
        {
            try
            {
                var regions = ElfSectionTable.Read(content, contentLength);
                var digests = regions.Select(r => new RegionDigest(r.Name, r.Offset, r.Length, Sha256(content, r.Offset, r.Length, cancellationToken))).ToList();
                var gaps = ElfSectionTable.Gaps(regions, contentLength);
                if (gaps.Count > 0)
                    digests.Add(new RegionDigest(ElfSectionTable.Outside, gaps[0].Offset, gaps.Sum(g => g.Length), Sha256(content, gaps, cancellationToken)));
                return new FileFacts { Length = length, Elf = digests, ModuleSignature = signature, UnsignedSha256 = unsigned, DetachedSignature = detached };
            }
            catch (InvalidDataException e)
            {
                return new FileFacts { Length = length, Blocks = BlockDigests.Compute(content, contentLength, cancellationToken), ModuleSignature = signature, UnsignedSha256 = unsigned, Problem = e.Message };
            }
        }
        return new FileFacts
        {
            Length = length,
            Blocks = BlockDigests.Compute(content, contentLength, cancellationToken),
            ModuleSignature = signature,
            UnsignedSha256 = unsigned,
            DetachedSignature = detached,
        };
    }

    private static string Sha256(IBlob blob, long offset, long length, CancellationToken cancellationToken) =>
        Sha256(blob, [(offset, length)], cancellationToken);

    private static string Sha256(IBlob blob, IEnumerable<(long Offset, long Length)> ranges, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(HashChunk);
        try
        {
            foreach (var (offset, length) in ranges)
            {
                long done = 0;
                while (done < length)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var n = blob.Read(offset + done, buffer.AsSpan(0, (int)Math.Min(HashChunk, length - done)));
                    if (n <= 0)
                        throw new EndOfStreamException($"content ends at {offset + done} while a region to {offset + length} was hashed");
                    hash.AppendData(buffer, 0, n);
                    done += n;
                }
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>A scanned build: its evaluation, the facts of its files (by virtual path) and each container's entries in stored order.</summary>
public sealed class BuildTree
{
    internal BuildTree(Evaluation evaluation, IReadOnlyDictionary<string, FileFacts> facts, IReadOnlyDictionary<string, IReadOnlyList<string>> members)
    {
        Evaluation = evaluation;
        Facts = facts;
        Members = members;
    }

    /// <summary>The scan's evaluation.</summary>
    public Evaluation Evaluation { get; }

    internal IReadOnlyDictionary<string, FileFacts> Facts { get; }

    internal IReadOnlyDictionary<string, IReadOnlyList<string>> Members { get; }
}
