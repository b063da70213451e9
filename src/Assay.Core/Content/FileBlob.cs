using Microsoft.Win32.SafeHandles;

namespace Assay.Core.Content;

/// <summary>Content of a file on the host, read with positional I/O (thread-safe, no shared file pointer).</summary>
public sealed class FileBlob : IBlob
{
    private readonly SafeFileHandle _handle;
    private readonly string? _deleteOnDispose;

    private FileBlob(SafeFileHandle handle, long length, string? deleteOnDispose)
    {
        _handle = handle;
        Length = length;
        _deleteOnDispose = deleteOnDispose;
    }

    public long Length { get; }

    /// <summary>Opens an input file read-only.</summary>
    public static FileBlob Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return new FileBlob(handle, RandomAccess.GetLength(handle), null);
    }

    /// <summary>Adopts a finished scratch file; it is deleted when the blob is disposed.</summary>
    internal static FileBlob AdoptScratch(SafeFileHandle handle, long length, string path) => new(handle, length, path);

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length)
            return 0;
        var n = (int)Math.Min(buffer.Length, Length - position);
        return RandomAccess.Read(_handle, buffer[..n], position);
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_deleteOnDispose is not null)
        {
            try
            {
                File.Delete(_deleteOnDispose);
            }
            catch (IOException)
            {
                // the scratch folder is removed at the end of the scan anyway
            }
        }
    }
}
