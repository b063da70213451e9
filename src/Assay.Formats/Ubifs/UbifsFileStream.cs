using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ubifs;

/// <summary>
/// The content of one regular file, decoded block by block as it is read: block n covers bytes
/// n*4096 .. n*4096+4095; a block without a data node (a hole) and the tail of a short block read as
/// zeros. A damaged data node becomes an error entry and zeros, so the rest of the file is kept.
/// </summary>
internal sealed class UbifsFileStream(UbifsImage image, long size, DataRef[] blocks, IUnpackContext context, string path) : Stream
{
    private readonly byte[] _block = new byte[UbifsDataNode.BlockSize];
    private long _position;
    private long _decodedBlock = -1;
    private int _next;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => size;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= size || buffer.IsEmpty)
            return 0;
        context.CancellationToken.ThrowIfCancellationRequested();
        var index = _position / UbifsDataNode.BlockSize;
        if (index != _decodedBlock)
            Decode(index);
        var within = (int)(_position % UbifsDataNode.BlockSize);
        var n = (int)Math.Min(Math.Min(buffer.Length, UbifsDataNode.BlockSize - within), size - _position);
        _block.AsSpan(within, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Decode(long index)
    {
        Array.Clear(_block);
        _decodedBlock = index;
        while (_next < blocks.Length && blocks[_next].Block < index)
            _next++;
        if (_next >= blocks.Length || blocks[_next].Block != index)
            return;
        var r = blocks[_next];
        var position = image.Position(r.Lnum, r.Offset);
        try
        {
            var node = image.ReadNode(r.Lnum, r.Offset, r.Length, UbifsNodeType.Data);
            image.DecodeBlock(node, _block, position);
        }
        catch (FormatException e)
        {
            Array.Clear(_block);
            context.AddError($"{e.Message}; block {index} of the file reads as zeros", position, path);
        }
    }
}

/// <summary>Where data block <see cref="Block"/> of a file is stored.</summary>
internal readonly record struct DataRef(uint Block, int Lnum, int Offset, int Length);
