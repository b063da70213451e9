using System.Buffers.Binary;
using System.IO.Hashing;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Checks a gzip file's trailer against what was decompressed. .NET's <c>GZipStream</c> ends
/// quietly when its input ends early, so a download cut short reads as a shorter, valid-looking
/// file; the trailer (RFC 1952 §2.3.1: <c>CRC32</c> and <c>ISIZE</c>, the uncompressed length
/// modulo 2^32, little-endian, the last 8 bytes of the member) tells. At the end of the data this
/// stream compares both and throws <see cref="InvalidDataException"/> when they differ.
/// Limitations: only the last member of a multi-member file is described by the final trailer, so
/// multi-member files (concatenated gzip) are reported as corrupt; the public feeds are single-member.
/// </summary>
internal sealed class GzipTrailerCheckStream(Stream decompressed, uint expectedCrc, uint expectedSize, string what) : Stream
{
    /// <summary>Size of the gzip trailer: CRC32 then ISIZE.</summary>
    public const int TrailerLength = 8;

    private readonly Crc32 _crc = new();
    private ulong _length;
    private bool _checked;

    /// <summary>Reads the trailer of a gzip file (its last 8 bytes).</summary>
    public static (uint Crc, uint Size)? ReadTrailer(string path)
    {
        using var file = File.OpenRead(path);
        if (file.Length < 18 + TrailerLength)
            return null;
        Span<byte> trailer = stackalloc byte[TrailerLength];
        file.Seek(-TrailerLength, SeekOrigin.End);
        file.ReadExactly(trailer);
        return (BinaryPrimitives.ReadUInt32LittleEndian(trailer), BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => (long)_length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = decompressed.Read(buffer);
        if (n > 0)
        {
            _crc.Append(buffer[..n]);
            _length += (ulong)n;
            return n;
        }
        if (!_checked && buffer.Length > 0)
        {
            _checked = true;
            var crc = _crc.GetCurrentHashAsUInt32();
            if (crc != expectedCrc || (uint)_length != expectedSize)
                throw new InvalidDataException(
                    $"{what}: the gzip data ends after {_length:N0} bytes with CRC32 {crc:x8}, but its trailer says {expectedSize:N0} bytes (mod 2^32) with CRC32 {expectedCrc:x8}; the file is truncated or corrupt (download it again)");
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            decompressed.Dispose();
        base.Dispose(disposing);
    }
}
