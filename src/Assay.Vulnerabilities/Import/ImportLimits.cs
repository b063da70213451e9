namespace Assay.Vulnerabilities.Import;

/// <summary>Bounds on what one import reads: feed files are untrusted (gzip and zip bombs, endless lines).</summary>
public sealed record ImportLimits
{
    /// <summary>Longest JSON Lines record (the largest real NVD records are a few MiB).</summary>
    public long MaxRecordBytes { get; init; } = 64L << 20;

    /// <summary>Largest single JSON document (an NVD API response page, an OSV record, a zip entry), after decompression.</summary>
    public long MaxDocumentBytes { get; init; } = 1L << 30;

    /// <summary>Most bytes one input file may decompress to (the whole NVD as JSON Lines is about 2 GiB).</summary>
    public long MaxDecompressedBytes { get; init; } = 16L << 30;

    /// <summary>Most entries read from one zip archive (OSV's all.zip per ecosystem holds up to a few hundred thousand).</summary>
    public int MaxZipEntries { get; init; } = 2_000_000;

    public static ImportLimits Default { get; } = new();
}

/// <summary>An input exceeded one of the <see cref="ImportLimits"/>.</summary>
public sealed class ImportLimitException(string message) : IOException(message);

/// <summary>A read-only stream that throws <see cref="ImportLimitException"/> once more than a limit has been read.</summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string what) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _read += n;
        if (_read > limit)
            throw new ImportLimitException($"{what} is larger than the limit of {limit:N0} bytes; the file is corrupt, a decompression bomb, or the limit must be raised");
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
