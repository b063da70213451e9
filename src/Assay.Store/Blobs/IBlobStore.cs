namespace Assay.Store.Blobs;

/// <summary>A stored blob: its SHA-256 (lower-case hex) and size.</summary>
public sealed record BlobInfo(string Sha256, long Size);

/// <summary>
/// Content-addressed bytes (deliveries, evaluations, stage outputs). A blob is written to a
/// temporary file while it is hashed and renamed into place under its hash, so a reader never sees
/// a half-written blob and writing the same content twice is harmless. A shared folder or an
/// object store can stand behind the same interface when workers run on other machines.
/// </summary>
public interface IBlobStore
{
    /// <summary>Streams <paramref name="source"/> into the store (never buffered whole), hashing as it goes.</summary>
    /// <param name="maxBytes">More bytes than this: <see cref="BlobTooLargeException"/>, nothing kept.</param>
    Task<BlobInfo> PutAsync(Stream source, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for reading; <see cref="FileNotFoundException"/> when absent.</summary>
    Stream Open(string sha256);

    bool Exists(string sha256);

    /// <summary>A path on this host that holds the blob's bytes (the engine scans files).</summary>
    string LocalPath(string sha256);

    /// <summary>The part file of a resumable upload (created empty when absent).</summary>
    string PartPath(string uploadId);

    /// <summary>Hashes a finished part file and moves it into the store under its hash.</summary>
    Task<BlobInfo> CommitPartAsync(string uploadId, CancellationToken cancellationToken = default);
}

/// <summary>An upload or stage output is larger than its limit.</summary>
public sealed class BlobTooLargeException(long limit) : IOException($"the content is larger than the limit of {limit} bytes; raise --max-upload or split the delivery")
{
    public long Limit { get; } = limit;
}
