using System.IO.Compression;
using Assay.Core.Content;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.CramFs;

/// <summary>
/// The content of one cramfs file: block i is the zlib stream between the end of block i−1 (the
/// end of the pointer table for block 0) and pointer i; a block whose start and end are equal is a
/// hole of zeros (flag 0x100). Every block but the last decodes to exactly 4096 bytes.
/// </summary>
internal sealed class CramFsFileStream : Stream
{
    private readonly IBlob _image;
    private readonly long _size;
    private readonly uint[] _ends;
    private readonly long _firstStart;
    private readonly string _formatId;
    private readonly long _baseOffset;
    private readonly byte[] _block = new byte[CramFsHandler.BlockSize];
    private int _blockIndex = -1;
    private int _blockLength;
    private int _blockPosition;
    private long _position;

    public CramFsFileStream(IBlob image, CramFsHandler.Inode inode, bool bigEndian, string formatId, long baseOffset)
    {
        _image = image;
        _size = inode.Size;
        _formatId = formatId;
        _baseOffset = baseOffset;
        var blocks = (int)((inode.Size + CramFsHandler.BlockSize - 1) / CramFsHandler.BlockSize);
        var table = image.ReadBytes(inode.Offset, blocks * 4);
        if (inode.Size > 0 && (inode.Offset == 0 || table.Length != blocks * 4))
            throw new FormatException(formatId, baseOffset + inode.Offset, $"the block pointer table of a {inode.Size}-byte file ({blocks} pointers at 0x{inode.Offset:x}) lies outside the image");
        _ends = new uint[blocks];
        for (var i = 0; i < blocks; i++)
            _ends[i] = CramFsHandler.U32(table, i * 4, bigEndian);
        _firstStart = inode.Offset + (blocks * 4L);
        PackedSize = blocks == 0 ? 0 : Math.Max(0, _ends[^1] - _firstStart);
    }

    public long PackedSize { get; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _size;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _position >= _size)
            return 0;
        if (_blockPosition == _blockLength)
            LoadBlock(_blockIndex + 1);
        var n = Math.Min(buffer.Length, _blockLength - _blockPosition);
        _block.AsSpan(_blockPosition, n).CopyTo(buffer);
        _blockPosition += n;
        _position += n;
        return n;
    }

    private void LoadBlock(int index)
    {
        var start = index == 0 ? _firstStart : _ends[index - 1];
        var end = (long)_ends[index];
        var expected = (int)Math.Min(CramFsHandler.BlockSize, _size - ((long)index * CramFsHandler.BlockSize));
        _blockIndex = index;
        _blockPosition = 0;
        _blockLength = expected;
        if (end == start)
        {
            Array.Clear(_block, 0, expected);
            return;
        }
        if (end < start || end > _image.Length)
            throw new FormatException(_formatId, _baseOffset + start, $"block {index} runs from 0x{start:x} to 0x{end:x}, backwards or past the image end (0x{_image.Length:x})");
        using var zlib = new ZLibStream(_image.Slice(start, end - start).OpenStream(), CompressionMode.Decompress);
        var got = 0;
        try
        {
            int n;
            while (got < expected && (n = zlib.Read(_block, got, expected - got)) > 0)
                got += n;
        }
        catch (InvalidDataException e)
        {
            throw new FormatException(_formatId, _baseOffset + start, $"block {index} is not a valid zlib stream ({e.Message})");
        }
        if (got != expected)
            throw new FormatException(_formatId, _baseOffset + start, $"block {index} decodes to {got} bytes, not {expected}; the image is corrupt");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
