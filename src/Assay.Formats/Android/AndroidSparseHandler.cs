using System.Buffers.Binary;
using System.IO.Hashing;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Android sparse image (<c>img2simg</c>, fastboot): a little-endian header and a list of chunks that
/// describe a raw partition image block by block. Expanded into one child, <c>&lt;name&gt;.raw</c>, by a
/// stream that walks the chunks (nothing buffered): RAW copies, FILL repeats a 32-bit value,
/// DONT_CARE gives zeros, CRC32 chunks are checked against the output so far.
/// </summary>
/// <remarks>
/// <code>
/// typedef struct sparse_header {     // libsparse sparse_format.h, little-endian
///     __le32 magic;           // 0x00  0xed26ff3a
///     __le16 major_version;   // 0x04  1
///     __le16 minor_version;   // 0x06  0
///     __le16 file_hdr_sz;     // 0x08  28
///     __le16 chunk_hdr_sz;    // 0x0a  12
///     __le32 blk_sz;          // 0x0c  multiple of 4
///     __le32 total_blks;      // 0x10  blocks of the expanded image
///     __le32 total_chunks;    // 0x14
///     __le32 image_checksum;  // 0x18  CRC-32 of the expanded image, 0 when not computed
/// } sparse_header_t;
/// typedef struct chunk_header {
///     __le16 chunk_type;      // 0xcac1 RAW, 0xcac2 FILL, 0xcac3 DONT_CARE, 0xcac4 CRC32
///     __le16 reserved1;
///     __le32 chunk_sz;        // blocks of output
///     __le32 total_sz;        // bytes of this chunk in the sparse file, header included
/// } chunk_header_t;
/// </code>
/// A real header (<c>img2simg raw.img sparse.simg 1024</c>):
/// <code>
/// 00000000  3a ff 26 ed 01 00 00 00  1c 00 0c 00 00 04 00 00  |:.&amp;.............|
/// 00000010  40 00 00 00 04 00 00 00  00 00 00 00 c1 ca 00 00  |@...............|
/// </code>
/// </remarks>
internal sealed class AndroidSparseHandler : IFormatHandler<AndroidSparseHandler.SparseState>
{
    private const uint Magic = 0xed26ff3a;
    private const int HeaderLength = 28;
    private const int MajorVersionOffset = 0x04;
    private const int MinorVersionOffset = 0x06;
    private const int FileHeaderSizeOffset = 0x08;
    private const int ChunkHeaderSizeOffset = 0x0a;
    private const int BlockSizeOffset = 0x0c;
    private const int TotalBlocksOffset = 0x10;
    private const int TotalChunksOffset = 0x14;
    private const int ImageChecksumOffset = 0x18;

    private const int ChunkHeaderLength = 12;
    private const int ChunkSizeOffset = 4;
    private const int ChunkTotalSizeOffset = 8;

    private const ushort ChunkRaw = 0xcac1;
    private const ushort ChunkFill = 0xcac2;
    private const ushort ChunkDontCare = 0xcac3;
    private const ushort ChunkCrc32 = 0xcac4;

    private const ushort MajorVersion = 1;

    /// <summary>Header sizes past these are not written by any libsparse version; larger values mean this is not a sparse image.</summary>
    private const int MaxFileHeaderSize = 512;
    private const int MaxChunkHeaderSize = 512;

    public string Id => "android-sparse";
    public string Description => "Android sparse image (libsparse / img2simg), expanded to the raw image";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("3aff26ed")];
    public IReadOnlyList<string> References { get; } = ["AOSP system/core libsparse/sparse_format.h", "AOSP libsparse/sparse_read.cpp (chunk semantics, CRC32 chunk)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "DONT_CARE regions are produced as zeros (the child is a full raw image, not a sparse host file)",
        "the expanded image is bounded by maxFileBytes; a larger one is refused as a limit",
    ];

    /// <summary>The file header, fields as stored.</summary>
    internal readonly record struct SparseHeader(
        ushort Major, ushort Minor, ushort FileHeaderSize, ushort ChunkHeaderSize, uint BlockSize, uint TotalBlocks, uint TotalChunks, uint ImageChecksum)
    {
        public static SparseHeader Read(ReadOnlySpan<byte> h) => new(
            BinaryPrimitives.ReadUInt16LittleEndian(h[MajorVersionOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[MinorVersionOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[FileHeaderSizeOffset..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[ChunkHeaderSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[BlockSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[TotalBlocksOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[TotalChunksOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[ImageChecksumOffset..]));

        public long ExpandedSize => (long)TotalBlocks * BlockSize;
    }

    /// <summary>One chunk header, fields as stored.</summary>
    internal readonly record struct ChunkHeader(ushort Type, uint Blocks, uint TotalSize)
    {
        public static ChunkHeader Read(ReadOnlySpan<byte> c) => new(
            BinaryPrimitives.ReadUInt16LittleEndian(c),
            BinaryPrimitives.ReadUInt32LittleEndian(c[ChunkSizeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(c[ChunkTotalSizeOffset..]));
    }

    /// <summary>What the chunk walk of TryMatch found: the problem (null when none) and where.</summary>
    internal sealed record SparseState(SparseHeader Header, string? Problem, long ProblemOffset);

    public FormatMatch<SparseState>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || BinaryPrimitives.ReadUInt32LittleEndian(h) != Magic)
            return null;
        var header = SparseHeader.Read(h);
        if (header.Major != MajorVersion || header.FileHeaderSize is < HeaderLength or > MaxFileHeaderSize ||
            header.ChunkHeaderSize is < ChunkHeaderLength or > MaxChunkHeaderSize || header.BlockSize == 0 || header.BlockSize % 4 != 0)
        {
            return null;
        }

        var (end, problem, problemOffset) = WalkChunks(blob, offset, header);
        var description = $"android sparse image v{header.Major}.{header.Minor}, {header.TotalChunks} chunks, {header.TotalBlocks} blocks of {header.BlockSize} bytes ({header.ExpandedSize} bytes expanded)" +
                          (problem is null ? "" : ", damaged");
        // A walk that ends past the blob (a file header size larger than the data) has no extent here.
        var length = problem is null && end <= blob.Length ? end - offset : (long?)null;
        return new FormatMatch<SparseState>(offset, length, description, new SparseState(header, problem, problemOffset));
    }

    public void Unpack(IBlob chunk, FormatMatch<SparseState> match, IUnpackContext context)
    {
        var state = match.State;
        if (state.Problem is not null)
            throw new FormatException(Id, state.ProblemOffset, state.Problem);
        var header = state.Header;
        if (header.ExpandedSize > context.Limits.MaxFileBytes)
        {
            throw new LimitExceededException("maxFileBytes",
                $"android sparse image at 0x{match.Offset:x} expands to {header.ExpandedSize} bytes ({header.TotalBlocks} blocks of {header.BlockSize}), over maxFileBytes {context.Limits.MaxFileBytes}");
        }

        using var stream = new ExpandStream(chunk, header, match.Offset, context.CancellationToken);
        var name = ChildNameFor(context.ContainerPath);
        context.AddFile(new EntryMeta(name), stream, chunk.Length);
        foreach (var (message, at) in stream.Problems)
            context.AddError(message, at, name);
        if (header.ImageChecksum != 0 && stream.Finished && stream.Crc != header.ImageChecksum)
        {
            context.AddError($"image_checksum is 0x{header.ImageChecksum:x8} but the expanded image has CRC-32 0x{stream.Crc:x8}; the image was modified or damaged",
                match.Offset + ImageChecksumOffset, name);
        }
    }

    /// <summary>
    /// Walks every chunk header, checking types, sizes and the block count; returns the end offset
    /// of the last chunk, or the first problem.
    /// </summary>
    private static (long End, string? Problem, long ProblemOffset) WalkChunks(IBlob blob, long offset, SparseHeader header)
    {
        Span<byte> c = stackalloc byte[ChunkHeaderLength];
        var pos = offset + header.FileHeaderSize;
        long blocks = 0;
        for (uint i = 0; i < header.TotalChunks; i++)
        {
            if (!blob.TryReadExactly(pos, c))
                return (pos, $"chunk {i} of {header.TotalChunks} starts at 0x{pos:x}, past the end of the data (0x{blob.Length:x}); the sparse image is truncated", pos);
            var chunk = ChunkHeader.Read(c);
            if (Check(chunk, header, i) is { } problem)
                return (pos, problem, pos);
            blocks += chunk.Blocks;
            if (blocks > header.TotalBlocks)
                return (pos, $"chunk {i} brings the block count to {blocks}, past total_blks {header.TotalBlocks}; the chunk list is damaged", pos + ChunkSizeOffset);
            pos += chunk.TotalSize;
            if (pos > blob.Length)
                return (pos, $"chunk {i} (type 0x{chunk.Type:x4}, {chunk.TotalSize} bytes) runs past the end of the data (0x{blob.Length:x}); the sparse image is truncated", pos - chunk.TotalSize);
        }
        if (blocks != header.TotalBlocks)
            return (pos, $"the {header.TotalChunks} chunks describe {blocks} blocks but total_blks is {header.TotalBlocks}; the header or chunk list is damaged", offset + TotalBlocksOffset);
        return (pos, null, 0);
    }

    /// <summary>A problem with one chunk header's type or sizes, or null.</summary>
    private static string? Check(ChunkHeader chunk, SparseHeader header, uint index)
    {
        long data;
        switch (chunk.Type)
        {
            case ChunkRaw:
                data = (long)chunk.Blocks * header.BlockSize;
                break;
            case ChunkFill:
            case ChunkCrc32:
                data = 4;
                break;
            case ChunkDontCare:
                data = 0;
                break;
            default:
                return $"chunk {index} has type 0x{chunk.Type:x4} (expected 0xcac1 RAW, 0xcac2 FILL, 0xcac3 DONT_CARE or 0xcac4 CRC32); the chunk list is damaged";
        }
        if (chunk.Type == ChunkCrc32 && chunk.Blocks != 0)
            return $"CRC32 chunk {index} claims {chunk.Blocks} output blocks (expected 0); the chunk list is damaged";
        if (chunk.TotalSize != header.ChunkHeaderSize + data)
            return $"chunk {index} (type 0x{chunk.Type:x4}, {chunk.Blocks} blocks) has total_sz {chunk.TotalSize}, expected {header.ChunkHeaderSize + data}; the chunk list is damaged";
        return null;
    }

    private static string ChildNameFor(string containerPath)
    {
        var name = Core.Pipeline.VirtualPath.Name(containerPath);
        foreach (var suffix in (string[])[".simg", ".sparse"])
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length)
                return name[..^suffix.Length] + ".raw";
        }
        return name + ".raw";
    }

    /// <summary>The expanded image, produced chunk by chunk as it is read.</summary>
    private sealed class ExpandStream(IBlob blob, SparseHeader header, long chunkOffset, CancellationToken cancellationToken) : Stream
    {
        private readonly Crc32 _crc = new();
        private long _next = header.FileHeaderSize;
        private uint _chunksLeft = header.TotalChunks;
        private uint _index;
        private ushort _type;
        private long _remaining;
        private long _rawPosition;
        private uint _fill;
        private long _produced;

        public List<(string Message, long Offset)> Problems { get; } = [];
        public bool Finished { get; private set; }
        public uint Crc => _crc.GetCurrentHashAsUInt32();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => header.ExpandedSize;
        public override long Position { get => _produced; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (buffer.Length > 0)
            {
                if (_remaining == 0 && !NextChunk())
                    break;
                if (_remaining == 0)
                    continue;
                var n = (int)Math.Min(buffer.Length, _remaining);
                var target = buffer[..n];
                switch (_type)
                {
                    case ChunkRaw:
                        if (!blob.TryReadExactly(_rawPosition, target))
                            throw new FormatException("android-sparse", chunkOffset + _rawPosition, $"RAW chunk {_index - 1} data ends past the end of the image; the sparse image is truncated");
                        _rawPosition += n;
                        break;
                    case ChunkFill:
                        for (var i = 0; i < n; i++)
                            target[i] = (byte)(_fill >> (int)(8 * ((_produced + i) & 3)));
                        break;
                    default:
                        target.Clear();
                        break;
                }
                _crc.Append(target);
                _produced += n;
                _remaining -= n;
                total += n;
                buffer = buffer[n..];
            }
            return total;
        }

        /// <summary>Reads the next chunk header; false after the last chunk. CRC32 chunks are checked here.</summary>
        private bool NextChunk()
        {
            Span<byte> c = stackalloc byte[ChunkHeaderLength];
            Span<byte> v = stackalloc byte[4];
            while (_chunksLeft > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var at = _next;
                if (!blob.TryReadExactly(at, c))
                    throw new FormatException("android-sparse", chunkOffset + at, $"chunk {_index} header lies past the end of the image; the sparse image is truncated");
                var chunk = ChunkHeader.Read(c);
                if (Check(chunk, header, _index) is { } problem)
                    throw new FormatException("android-sparse", chunkOffset + at, problem);
                _next = checked(at + chunk.TotalSize);
                _chunksLeft--;
                _index++;
                var dataAt = at + header.ChunkHeaderSize;
                _type = chunk.Type;
                _remaining = (long)chunk.Blocks * header.BlockSize;
                _rawPosition = dataAt;
                if (chunk.Type is ChunkFill or ChunkCrc32)
                {
                    if (!blob.TryReadExactly(dataAt, v))
                        throw new FormatException("android-sparse", chunkOffset + dataAt, $"chunk {_index - 1} value lies past the end of the image; the sparse image is truncated");
                    var value = BinaryPrimitives.ReadUInt32LittleEndian(v);
                    if (chunk.Type == ChunkFill)
                    {
                        _fill = value;
                    }
                    else if (value != Crc)
                    {
                        Problems.Add(($"CRC32 chunk {_index - 1} records 0x{value:x8} but the {_produced} bytes expanded so far have CRC-32 0x{Crc:x8}; the data before it was modified or damaged",
                            chunkOffset + dataAt));
                    }
                }
                if (_remaining > 0)
                    return true;
            }
            Finished = true;
            return false;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
