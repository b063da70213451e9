using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Core.Formats;

/// <summary>
/// Metadata of one entry of a container. <see cref="Path"/> is relative to the container root,
/// '/'-separated, as stored (the pipeline normalizes it and reports names that try to leave the
/// container).
/// </summary>
public sealed record EntryMeta(string Path)
{
    /// <summary>Permission and special bits (07777), without the file type bits.</summary>
    public int? Mode { get; init; }
    public long? Uid { get; init; }
    public long? Gid { get; init; }
    public long? Mtime { get; init; }
    public long? Major { get; init; }
    public long? Minor { get; init; }

    /// <summary>Extended attributes as stored (SquashFS, ext4, UBIFS), full names with their namespace prefix.</summary>
    public IReadOnlyList<ExtendedAttribute>? Xattrs { get; init; }

    /// <summary>
    /// The container-image layer that put this entry into the tree (its digest, <c>sha256:…</c>),
    /// for entries of a layered image; inherited by everything unpacked from the entry.
    /// </summary>
    public string? Layer { get; init; }
}

/// <summary>One extended attribute: full name (<c>security.capability</c>) and raw value.</summary>
public sealed record ExtendedAttribute(string Name, byte[] Value);

/// <summary>Where a handler puts what it finds. Thread-safe only for the handler that owns it.</summary>
public interface IUnpackContext
{
    /// <summary>Cancelled when the time limit per handler is reached or the user stops the scan.</summary>
    CancellationToken CancellationToken { get; }

    ScanLimits Limits { get; }

    /// <summary>Virtual path of the container being unpacked (for messages).</summary>
    string ContainerPath { get; }

    void AddDirectory(EntryMeta meta);
    void AddSymlink(EntryMeta meta, string target);

    /// <summary>A hard link to another entry of the same container (archives that store links as entries: tar, cpio).</summary>
    void AddHardlink(EntryMeta meta, string target);

    /// <summary>A device (<see cref="NodeKind.Device"/>, <paramref name="isBlock"/> tells which), fifo or socket.</summary>
    void AddSpecial(EntryMeta meta, NodeKind kind, bool isBlock = false);

    /// <summary>A regular file whose bytes are a blob that lives as long as the container (a slice of the chunk: no copy).</summary>
    void AddFile(EntryMeta meta, IBlob content);

    /// <summary>
    /// A regular file whose bytes come out of a stream (a decompressor). The stream is read to its end
    /// now, hashed, and spooled within the limits; <paramref name="packedSize"/> (the compressed size)
    /// lets the pipeline check the compression ratio. The stream is disposed by the caller.
    /// </summary>
    void AddFile(EntryMeta meta, Stream content, long? packedSize = null);

    /// <summary>
    /// True when the walk keeps results by content (a result cache is in use): a handler that can
    /// tell cheaply what decides a file's bytes as it stores them should then pass a
    /// <see cref="PackedIdentity"/> to <see cref="AddFile(EntryMeta, Stream, long?, PackedIdentity?)"/>.
    /// </summary>
    bool KeepsResults => false;

    /// <summary>
    /// As <see cref="AddFile(EntryMeta, Stream, long?)"/>, with the identity of the file's packed
    /// form: a file met before in the same packed form (the unchanged files of the next release of a
    /// filesystem image) is answered from the cache without its stream being read, so it is neither
    /// decompressed nor hashed again. Without a cache the identity is ignored.
    /// </summary>
    void AddFile(EntryMeta meta, Stream content, long? packedSize, PackedIdentity? identity) => AddFile(meta, content, packedSize);

    /// <summary>A problem with one entry or region; the handler goes on.</summary>
    void AddError(string message, long? offset = null, string? entryPath = null);

    /// <summary>
    /// For a chunk matched without a length (a compressed stream): the length found while
    /// unpacking, so what follows the stream in the blob is carved rather than hidden.
    /// </summary>
    void ReportLength(long length)
    {
    }
}

/// <summary>
/// What decides a file's bytes as its container stores them: a digest, by the handler, of the
/// stored (compressed) data and of everything its decoding depends on (codec, block size, file size,
/// block layout), so that two files with the same identity decode to the same bytes; and the file's
/// size (decoded). A handler that cannot vouch for that gives none.
/// </summary>
public sealed record PackedIdentity(string Digest, long Size)
{
    /// <summary>
    /// Files smaller than this are not looked up by their packed form (reading, hashing and
    /// inspecting a small file costs about what a lookup does), so a handler need not compute one.
    /// </summary>
    public const long MinimumSize = 64 << 10;

    /// <summary>
    /// The identity of a file stored as one run of bytes that decodes by itself (a zip entry's
    /// data): a digest of <paramref name="scheme"/> (the handler and its decoder), the decoding
    /// <paramref name="parameters"/> and the stored bytes; <paramref name="size"/> is the decoded size.
    /// </summary>
    public static PackedIdentity OfStored(string scheme, ReadOnlySpan<long> parameters, IBlob stored, long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(scheme + "\n"));
        Span<byte> number = stackalloc byte[8];
        foreach (var value in parameters)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, value);
            hash.AppendData(number);
        }
        BinaryPrimitives.WriteInt64LittleEndian(number, stored.Length);
        hash.AppendData(number);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (long at = 0; at < stored.Length;)
            {
                var n = stored.Read(at, buffer.AsSpan(0, (int)Math.Min(buffer.Length, stored.Length - at)));
                if (n <= 0)
                    throw new EndOfStreamException($"stored data ends at {at} of {stored.Length} bytes");
                hash.AppendData(buffer, 0, n);
                at += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new PackedIdentity(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }
}
