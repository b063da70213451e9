using System.Buffers;
using System.Security.Cryptography;

namespace Assay.Store.Blobs;

/// <summary>
/// Blobs in a folder: <c>ROOT/sha256/ab/abcdef…</c>, temporary files in <c>ROOT/tmp</c> (same file
/// system, so the final rename is atomic), upload parts in <c>ROOT/parts</c>.
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    private const int BufferSize = 1 << 20;
    private readonly string _root;

    public FileBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(_root, "sha256"));
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        Directory.CreateDirectory(Path.Combine(_root, "parts"));
    }

    public async Task<BlobInfo> PutAsync(Stream source, long maxBytes, CancellationToken cancellationToken = default)
    {
        var temporary = Path.Combine(_root, "tmp", $"{Guid.NewGuid():N}.tmp");
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    total = checked(total + read);
                    if (total > maxBytes)
                        throw new BlobTooLargeException(maxBytes);
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                await file.FlushAsync(cancellationToken);
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            Place(temporary, sha);
            return new BlobInfo(sha, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            TryDelete(temporary);
        }
    }

    public Stream Open(string sha256) => new FileStream(LocalPath(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public bool Exists(string sha256) => File.Exists(LocalPath(sha256));

    public string LocalPath(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            throw new ArgumentException($"'{sha256}' is not a lower-case SHA-256 in hex (64 characters)", nameof(sha256));
        return Path.Combine(_root, "sha256", sha256[..2], sha256);
    }

    public string PartPath(string uploadId)
    {
        if (!Ids.IsWellFormed(uploadId))
            throw new ArgumentException($"'{uploadId}' is not an upload id", nameof(uploadId));
        return Path.Combine(_root, "parts", uploadId + ".part");
    }

    public async Task<BlobInfo> CommitPartAsync(string uploadId, CancellationToken cancellationToken = default)
    {
        var part = PartPath(uploadId);
        string sha;
        long size;
        await using (var stream = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.None, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            size = stream.Length;
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        Place(part, sha);
        TryDelete(part);
        return new BlobInfo(sha, size);
    }

    /// <summary>Renames a finished file to its content address (no-op when the blob is already there).</summary>
    private void Place(string file, string sha)
    {
        var target = LocalPath(sha);
        if (File.Exists(target))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(file, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another writer placed the same content first: the bytes are identical.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
