using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.SquashFs;

/// <summary>
/// The content of one regular file, decompressed block by block as it is read: full data blocks
/// from <c>start_block</c> on (size word 0: a hole of zeros), then the tail end from a fragment
/// block when the inode names one. Every block's decompressed size must be exactly what the file
/// size says it is. Files of several blocks are decoded a few blocks ahead on worker threads (as
/// many as there are processors), so a large file decompresses on every core while it is read.
/// </summary>
internal sealed class SquashFsFileStream : Stream
{
    private const int BlockListEntrySize = 4;
    private const int MinBlocksForReadAhead = 2;
    private static readonly int ReadAheadDepth = Math.Clamp(Environment.ProcessorCount, 1, 8);

    private readonly SquashFsImage _image;
    private readonly SquashFsInode _inode;
    private readonly uint[] _sizes;
    private readonly byte[] _buffer;
    private ReadOnlyMemory<byte> _current;
    private int _nextBlock;
    private long _nextPosition;
    private long _position;
    private bool _tailDone;
    private bool _disposed;
    private readonly Queue<Task<byte[]>> _ahead = new();
    private int _scheduled;
    private long _scheduledPosition;
    private byte[]? _lease;

    private SquashFsFileStream(SquashFsImage image, SquashFsInode inode, uint[] sizes)
    {
        _image = image;
        _inode = inode;
        _sizes = sizes;
        _nextPosition = inode.StartBlock;
        _scheduledPosition = inode.StartBlock;
        _buffer = ArrayPool<byte>.Shared.Rent(image.BlockSize);
        long packed = 0;
        foreach (var s in sizes)
            packed += s & ~SquashFsLayout.DataUncompressed;
        PackedSize = packed + TailLength;
    }

    /// <summary>Bytes the file occupies in the image (blocks plus its share of a fragment).</summary>
    public long PackedSize { get; }

    /// <summary>
    /// What decides this file's bytes as the image stores them: the compressor, block size and file
    /// size, every block's size word and stored bytes, and for the tail, the stored fragment block
    /// with the tail's offset and length. Two files with the same identity decompress to the same
    /// bytes (the decoders are deterministic), so a result kept for one serves the other without
    /// decompressing it. Null when a block or fragment lies outside the image or cannot be located
    /// (reading the file reports why).
    /// </summary>
    public PackedIdentity? Identity()
    {
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var number = new byte[8];
            void Add(long value)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, value);
                hash.AppendData(number);
            }
            hash.AppendData("assay-squashfs-file/1"u8);
            Add((long)_image.Super.Compression);
            Add(_image.BlockSize);
            Add(_inode.FileSize);
            Add(_sizes.Length);
            var position = _inode.StartBlock;
            foreach (var word in _sizes)
            {
                Add(word);
                if (word == 0)
                    continue; // a hole: zeros, nothing stored
                if (!_image.HashStored(hash, position, word))
                    return null;
                position = checked(position + (word & ~SquashFsLayout.DataUncompressed));
            }
            if (HasFragment)
            {
                if (_image.StoredFragmentDigest(_inode.Fragment) is not { } fragment)
                    return null;
                hash.AppendData(fragment);
                Add(_inode.FragmentOffset);
                Add(TailLength);
            }
            return new PackedIdentity(Convert.ToHexStringLower(hash.GetHashAndReset()), _inode.FileSize);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }

    private bool HasFragment => _inode.Fragment != SquashFsLayout.InvalidFragment;
    private int TailLength => HasFragment ? (int)(_inode.FileSize & (_image.BlockSize - 1)) : 0;

    /// <summary>Reads the file's block list from the inode table and opens the stream; <paramref name="maxBytes"/> bounds the file size.</summary>
    public static SquashFsFileStream Open(SquashFsImage image, SquashFsInode inode, long maxBytes)
    {
        if (inode.FileSize > maxBytes)
            throw image.Error(inode.StartBlock, $"file inode {inode.Number} is {inode.FileSize} bytes, more than the {maxBytes}-byte limit per file");
        var log = image.Super.BlockLog;
        var full = inode.FileSize >> log;
        var blocks = inode.Fragment == SquashFsLayout.InvalidFragment && (inode.FileSize & (image.BlockSize - 1)) != 0 ? full + 1 : full;
        var entrySize = image.Super.IsVersion1 ? Inode1.BlockListEntrySize : BlockListEntrySize;
        if (blocks > Array.MaxLength / BlockListEntrySize)
            throw image.Error(inode.StartBlock, $"file inode {inode.Number} needs {blocks} blocks; the inode is corrupt");
        if (inode.Fragment != SquashFsLayout.InvalidFragment && inode.FragmentOffset >= image.BlockSize)
            throw image.Error(inode.StartBlock, $"file inode {inode.Number} has fragment offset {inode.FragmentOffset}; expected less than the block size {image.BlockSize}; the inode is corrupt");
        var sizes = new uint[blocks];
        if (blocks > 0)
        {
            var raw = new byte[checked((int)blocks * entrySize)];
            var cursor = inode.BlockList;
            image.Read(ref cursor, raw, "inode table (block list)");
            var order = image.Super.Order;
            for (var i = 0; i < sizes.Length; i++)
                sizes[i] = entrySize == BlockListEntrySize ? order.U32(raw, i * BlockListEntrySize) : SizeWord1(order.U16(raw, i * entrySize));
        }
        return new SquashFsFileStream(image, inode, sizes);
    }

    /// <summary>
    /// A 1.x 16-bit block list entry as the 32-bit size word of 2.x-4.0: stored size (0 means
    /// 32 KiB, squashfs_fs.h SQUASHFS_COMPRESSED_SIZE), bit 15 (stored uncompressed) moved to bit 24.
    /// </summary>
    private static uint SizeWord1(ushort entry)
    {
        var stored = (uint)(entry & ~Inode1.BlockUncompressed);
        if (stored == 0)
            stored = Inode1.BlockUncompressed;
        return (entry & Inode1.BlockUncompressed) != 0 ? stored | SquashFsLayout.DataUncompressed : stored;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _inode.FileSize;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _inode.FileSize)
            return 0;
        if (_current.IsEmpty && !Fill())
            return 0;
        var n = Math.Min(buffer.Length, _current.Length);
        _current.Span[..n].CopyTo(buffer);
        _current = _current[n..];
        _position += n;
        return n;
    }

    private bool Fill()
    {
        var blockSize = _image.BlockSize;
        if (_nextBlock < _sizes.Length)
        {
            var index = _nextBlock++;
            var expected = (int)Math.Min(blockSize, _inode.FileSize - ((long)index * blockSize));
            if (_sizes.Length >= MinBlocksForReadAhead)
            {
                Schedule();
                var block = _ahead.Dequeue().GetAwaiter().GetResult();
                ReturnLease();
                _lease = block;
                _current = block.AsMemory(0, expected);
                return true;
            }
            var word = _sizes[index];
            if (word == 0)
            {
                _buffer.AsSpan(0, expected).Clear();
                _current = _buffer.AsMemory(0, expected);
                return true;
            }
            var what = $"data block {index} of file inode {_inode.Number}";
            var n = _image.ReadDataBlock(_nextPosition, word, _buffer.AsSpan(0, blockSize), what);
            if (n != expected)
                throw _image.Error(_nextPosition, $"{what} at 0x{_nextPosition:x} decompresses to {n} bytes; the file size says {expected}; the image is corrupt");
            _nextPosition = checked(_nextPosition + (word & ~SquashFsLayout.DataUncompressed));
            _current = _buffer.AsMemory(0, n);
            return true;
        }
        if (!HasFragment || _tailDone)
            return false;
        _tailDone = true;
        var fragment = _image.ReadFragmentBlock(_inode.Fragment);
        var tail = TailLength;
        if (_inode.FragmentOffset + (long)tail > fragment.Length)
            throw _image.Error(_image.Super.FragmentTableStart, $"the tail of file inode {_inode.Number} ({tail} bytes at offset {_inode.FragmentOffset}) lies past the {fragment.Length} bytes of fragment {_inode.Fragment}; the image is corrupt");
        _current = fragment.AsMemory((int)_inode.FragmentOffset, tail);
        return !_current.IsEmpty;
    }

    /// <summary>Keeps up to <see cref="ReadAheadDepth"/> blocks decoding ahead of the reader.</summary>
    private void Schedule()
    {
        while (_scheduled < _sizes.Length && _ahead.Count < ReadAheadDepth)
        {
            var index = _scheduled++;
            var word = _sizes[index];
            var position = _scheduledPosition;
            _scheduledPosition = checked(_scheduledPosition + (word & ~SquashFsLayout.DataUncompressed));
            var expected = (int)Math.Min(_image.BlockSize, _inode.FileSize - ((long)index * _image.BlockSize));
            _ahead.Enqueue(Task.Run(() => DecodeBlock(index, position, word, expected), _image.CancellationToken));
        }
    }

    private byte[] DecodeBlock(int index, long position, uint word, int expected)
    {
        var block = ArrayPool<byte>.Shared.Rent(_image.BlockSize);
        try
        {
            if (word == 0)
            {
                block.AsSpan(0, expected).Clear();
                return block;
            }
            var what = $"data block {index} of file inode {_inode.Number}";
            var n = _image.ReadDataBlock(position, word, block.AsSpan(0, _image.BlockSize), what);
            if (n != expected)
                throw _image.Error(position, $"{what} at 0x{position:x} decompresses to {n} bytes; the file size says {expected}; the image is corrupt");
            return block;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(block);
            throw;
        }
    }

    private void ReturnLease()
    {
        if (_lease is not null)
            ArrayPool<byte>.Shared.Return(_lease);
        _lease = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _current = default;
            ArrayPool<byte>.Shared.Return(_buffer);
            ReturnLease();
            while (_ahead.Count > 0)
            {
                var task = _ahead.Dequeue();
                try
                {
                    ArrayPool<byte>.Shared.Return(task.GetAwaiter().GetResult());
                }
                catch (Exception)
                {
                    // the reader stopped before this block; its failure is of no interest any more
                }
            }
        }
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
