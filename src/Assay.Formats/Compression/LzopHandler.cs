using System.Buffers.Binary;
using System.IO.Hashing;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// lzop files: a header, then blocks of LZO1X data (default 256 KiB each) with Adler-32 or CRC-32
/// checksums, ended by a zero-length block. The child is named after the stored file name, else
/// after the container without its <c>.lzo</c>.
/// </summary>
/// <remarks>
/// Header (big-endian, lzop 1.04):
/// <code>
/// 89 4c 5a 4f 00 0d 0a 1a 0a   magic "\x89LZO\0\r\n\x1a\n"
/// be16 version; be16 lib_version; be16 version_needed (version >= 0x0940); u8 method (1, 2, 3: LZO1X);
/// u8 level (version >= 0x0940); be32 flags; be32 filter (flags 0x800); be32 mode; be32 mtime_low;
/// be32 mtime_high (version >= 0x0940); u8 name_len; name; be32 header checksum (Adler-32, CRC-32 with flags 0x1000)
/// 00000000: 894c 5a4f 000d 0a1a 0a10 4020 a009 4002  .LZO......@ ..@.
/// 00000010: 0103 0000 0100 0081 a46b 076f ec00 0000  (method 2, level 1, flags 0x03000001)
/// </code>
/// Block: be32 dst_len (0 ends the file); be32 src_len (equal to dst_len: stored); be32 checksum of the
/// decompressed data (flags 0x1 Adler-32 / 0x100 CRC-32); be32 checksum of the compressed data
/// (flags 0x2 / 0x200, only when compressed); src_len bytes.
/// </remarks>
internal sealed class LzopHandler : IFormatHandler<LzopHandler.Header>
{
    private const int MagicLength = 9;
    private const ushort ExtendedHeaderVersion = 0x0940;
    private const uint FlagAdlerDecompressed = 0x1;
    private const uint FlagAdlerCompressed = 0x2;
    private const uint FlagExtraField = 0x40;
    private const uint FlagCrcDecompressed = 0x100;
    private const uint FlagCrcCompressed = 0x200;
    private const uint FlagMultipart = 0x400;
    private const uint FlagFilter = 0x800;
    private const uint FlagHeaderCrc = 0x1000;
    private const int MaxHeaderLength = MagicLength + 2 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4 + 4 + 1 + 255 + 4;

    /// <summary>lzop's MAX_BLOCK_SIZE (64 MiB).</summary>
    private const uint MaxBlockSize = 64u << 20;

    private const int MaxExtraField = 1 << 16;

    private static ReadOnlySpan<byte> Magic => [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a];

    public string Id => "lzo";
    public string Description => "lzop compressed file (LZO1X blocks with checksums)";
    public FormatCategory Category => FormatCategory.Compression;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("894c5a4f000d0a1a0a")];
    public IReadOnlyList<string> References { get; } = ["lzop 1.04 source (src/lzop.c, header and block layout)", "LZO1X format: see Lzo1x"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "lzop filters (flag 0x800) and multipart files are reported, not decoded",
        "methods other than LZO1X (1, 2, 3) are reported, not decoded",
    ];

    public FormatMatch<Header>? TryMatch(IBlob blob, long offset)
    {
        var bytes = blob.ReadBytes(offset, MaxHeaderLength);
        if (ParseHeader(bytes) is not { } header)
            return null;
        var length = BlocksEnd(blob, offset + header.Length, header.Flags);
        return new FormatMatch<Header>(offset, length is null ? null : length - offset, header.Name.Length > 0 ? $"lzop, method {header.Method}, original name \"{header.Name}\"" : $"lzop, method {header.Method}", header);
    }

    public void Unpack(IBlob chunk, FormatMatch<Header> match, IUnpackContext context)
    {
        var header = match.State;
        if ((header.Flags & (FlagFilter | FlagMultipart)) != 0)
            throw new FormatException(Id, 0, $"flags 0x{header.Flags:x} ask for a filter or a multipart file, which are not supported; decompress with lzop");
        if (header.Method is < 1 or > 3)
            throw new FormatException(Id, 0, $"method {header.Method} is not LZO1X (1, 2 or 3); decompress with lzop");
        var childName = ChildName.FromFieldOrContainer(header.Name, context.ContainerPath, [".lzo"], [(".tzo", ".tar")]);
        using var stream = new BlockStream(chunk, header.Length, header.Flags, context.CancellationToken);
        try
        {
            context.AddFile(new EntryMeta(childName) { Mtime = header.Mtime }, stream, chunk.Length);
        }
        catch (InvalidDataException e)
        {
            throw new FormatException(Id, stream.BlockOffset, $"{e.Message}; the file is damaged or truncated", e);
        }
    }

    private static Header? ParseHeader(byte[] b)
    {
        if (b.Length < MagicLength + 4 || !b.AsSpan().StartsWith(Magic))
            return null;
        var p = MagicLength;
        var version = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(p));
        var extended = version >= ExtendedHeaderVersion;
        p += 4 + (extended ? 2 : 0);
        if (p + 2 > b.Length)
            return null;
        var method = b[p];
        p += 1 + (extended ? 1 : 0);
        if (p + 4 > b.Length)
            return null;
        var flags = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(p));
        p += 4 + ((flags & FlagFilter) != 0 ? 4 : 0) + 4;
        if (p + 4 > b.Length)
            return null;
        long mtime = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(p));
        p += 4;
        if (extended)
        {
            if (p + 4 > b.Length)
                return null;
            mtime |= (long)BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(p)) << 32;
            p += 4;
        }

        if (p + 1 > b.Length || p + 1 + b[p] + 4 > b.Length)
            return null;
        var nameLength = b[p];
        var name = System.Text.Encoding.Latin1.GetString(b, p + 1, nameLength);
        p += 1 + nameLength;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(p));
        var covered = b.AsSpan(MagicLength, p - MagicLength);
        var computed = (flags & FlagHeaderCrc) != 0 ? Crc32.HashToUInt32(covered) : Adler32(covered);
        if (stored != computed)
            return null;
        p += 4;
        return new Header(p, method, flags, name, mtime);
    }

    /// <summary>Where the zero-length end block ends, from the block headers alone; null when the chain leaves the blob.</summary>
    private static long? BlocksEnd(IBlob blob, long position, uint flags)
    {
        Span<byte> lengths = stackalloc byte[8];
        if ((flags & FlagExtraField) != 0)
        {
            if (!blob.TryReadExactly(position, lengths[..4]))
                return null;
            var extra = BinaryPrimitives.ReadUInt32BigEndian(lengths);
            if (extra > MaxExtraField)
                return null;
            position += 4 + extra + 4;
        }

        while (true)
        {
            if (!blob.TryReadExactly(position, lengths[..4]))
                return null;
            var dst = BinaryPrimitives.ReadUInt32BigEndian(lengths);
            if (dst == 0)
                return position + 4;
            if (!blob.TryReadExactly(position + 4, lengths[4..]))
                return null;
            var src = BinaryPrimitives.ReadUInt32BigEndian(lengths[4..]);
            if (dst > MaxBlockSize || src == 0 || src > dst)
                return null;
            position += 8 + ChecksumBytes(flags, src < dst) + src;
            if (position > blob.Length)
                return null;
        }
    }

    private static int ChecksumBytes(uint flags, bool compressed)
    {
        var n = 0;
        if ((flags & FlagAdlerDecompressed) != 0)
            n += 4;
        if ((flags & FlagCrcDecompressed) != 0)
            n += 4;
        if (compressed && (flags & FlagAdlerCompressed) != 0)
            n += 4;
        if (compressed && (flags & FlagCrcCompressed) != 0)
            n += 4;
        return n;
    }

    /// <summary>Adler-32 (RFC 1950 8.2), lzop's default checksum.</summary>
    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        const int Chunk = 5552; // largest n with 255n(n+1)/2 + (n+1)(Mod-1) < 2^32
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            var part = data[..Math.Min(Chunk, data.Length)];
            foreach (var x in part)
            {
                a += x;
                b += a;
            }

            a %= Mod;
            b %= Mod;
            data = data[part.Length..];
        }

        return (b << 16) | a;
    }

    internal sealed record Header(int Length, byte Method, uint Flags, string Name, long Mtime);

    /// <summary>The decompressed blocks, one at a time, each checked against its stored checksums.</summary>
    private sealed class BlockStream(IBlob chunk, long start, uint flags, CancellationToken cancellationToken) : Stream
    {
        private readonly long _start = start;
        private long _next = start;
        private byte[] _block = [];
        private int _blockPosition;
        private int _blockLength;
        private bool _ended;
        private long _produced;

        public long BlockOffset { get; private set; } = start;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _produced;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_blockPosition >= _blockLength)
            {
                if (_ended || !NextBlock())
                    return 0;
            }

            var n = Math.Min(buffer.Length, _blockLength - _blockPosition);
            _block.AsSpan(_blockPosition, n).CopyTo(buffer);
            _blockPosition += n;
            _produced += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private bool NextBlock()
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_next == _start && (flags & FlagExtraField) != 0)
            {
                var extra = BinaryPrimitives.ReadUInt32BigEndian(Read(_next, 4));
                if (extra > MaxExtraField)
                    throw new InvalidDataException($"extra field length {extra} exceeds {MaxExtraField} bytes");
                _next += 4 + extra + 4;
            }

            BlockOffset = _next;
            var dst = BinaryPrimitives.ReadUInt32BigEndian(Read(_next, 4));
            if (dst == 0)
            {
                _ended = true;
                return false;
            }

            var src = BinaryPrimitives.ReadUInt32BigEndian(Read(_next + 4, 4));
            if (dst > MaxBlockSize || src == 0 || src > dst)
                throw new InvalidDataException($"block at 0x{_next:x} has dst_len {dst} and src_len {src}; expected 0 < src_len <= dst_len <= {MaxBlockSize}");
            var compressed = src < dst;
            var sums = Read(_next + 8, ChecksumBytes(flags, compressed));
            var data = Read(_next + 8 + sums.Length, (int)src);
            _next += 8 + sums.Length + src;

            var s = 0;
            uint? adlerD = null, crcD = null, adlerC = null, crcC = null;
            if ((flags & FlagAdlerDecompressed) != 0)
                adlerD = BinaryPrimitives.ReadUInt32BigEndian(sums.AsSpan((s += 4) - 4));
            if ((flags & FlagCrcDecompressed) != 0)
                crcD = BinaryPrimitives.ReadUInt32BigEndian(sums.AsSpan((s += 4) - 4));
            if (compressed && (flags & FlagAdlerCompressed) != 0)
                adlerC = BinaryPrimitives.ReadUInt32BigEndian(sums.AsSpan((s += 4) - 4));
            if (compressed && (flags & FlagCrcCompressed) != 0)
                crcC = BinaryPrimitives.ReadUInt32BigEndian(sums.AsSpan((s += 4) - 4));
            if ((adlerC is { } ac && ac != Adler32(data)) || (crcC is { } cc && cc != Crc32.HashToUInt32(data)))
                throw new InvalidDataException($"block at 0x{BlockOffset:x}: checksum of the compressed data does not match");

            if (_block.Length < dst)
                _block = new byte[dst];
            if (compressed)
            {
                var n = Lzo1x.Decompress(data, _block.AsSpan(0, (int)dst));
                if (n != dst)
                    throw new InvalidDataException($"block at 0x{BlockOffset:x} decompressed to {n} bytes, dst_len is {dst}");
            }
            else
            {
                data.CopyTo(_block, 0);
            }

            var output = _block.AsSpan(0, (int)dst);
            if ((adlerD is { } ad && ad != Adler32(output)) || (crcD is { } cd && cd != Crc32.HashToUInt32(output)))
                throw new InvalidDataException($"block at 0x{BlockOffset:x}: checksum of the decompressed data does not match");
            _blockPosition = 0;
            _blockLength = (int)dst;
            return true;
        }

        private byte[] Read(long position, int count)
        {
            var bytes = new byte[count];
            if (!chunk.TryReadExactly(position, bytes))
                throw new InvalidDataException($"the file ends inside the block at 0x{BlockOffset:x}");
            return bytes;
        }
    }
}
