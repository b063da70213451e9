using System.Buffers.Binary;
using Assay.Core.Content;
using K4os.Compression.LZ4;

namespace Assay.Formats;

/// <summary>
/// Decodes an LZ4 legacy frame block by block and knows where it ends: after a block that gives
/// less than 8 MiB (only the last block may), at a size word that cannot be a block (0, or more
/// than LZ4_compressBound(8 MiB)), or at the end of the input. A legacy magic where a size word
/// should be starts a concatenated frame (lz4 -l does that), which is decoded on. The Linux build
/// appends the decompressed size as 4 little-endian bytes (scripts/Makefile.lib size_append); when
/// those bytes follow they are counted in <see cref="Consumed"/> and <see cref="KernelSizeTrailer"/> is set.
/// </summary>
internal sealed class Lz4LegacyStream : Stream
{
    public const uint LegacyMagic = 0x184C2102;
    public const int BlockOutput = 8 << 20;

    /// <summary>LZ4_compressBound(8 MiB): 8 MiB + 8 MiB / 255 + 16.</summary>
    public const int MaxBlockInput = BlockOutput + (BlockOutput / 255) + 16;

    private readonly IBlob _input;
    private readonly string _formatId;
    private readonly long _baseOffset;
    private byte[]? _output;
    private byte[]? _block;
    private int _outputLength;
    private int _outputPosition;
    private long _position = 4;
    private bool _ended;
    private long _produced;

    public Lz4LegacyStream(IBlob input, string formatId, long baseOffset)
    {
        _input = input;
        _formatId = formatId;
        _baseOffset = baseOffset;
    }

    /// <summary>Input bytes that belong to the frame (valid once the stream has been read to its end).</summary>
    public long Consumed => _position;

    public bool KernelSizeTrailer { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _produced; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        while (_outputPosition == _outputLength)
        {
            if (_ended || !NextBlock())
                return 0;
        }
        var n = Math.Min(buffer.Length, _outputLength - _outputPosition);
        _output.AsSpan(_outputPosition, n).CopyTo(buffer);
        _outputPosition += n;
        _produced += n;
        return n;
    }

    private bool NextBlock()
    {
        Span<byte> word = stackalloc byte[4];
        uint size;
        while (true)
        {
            if (!_input.TryReadExactly(_position, word))
                return End();
            size = BinaryPrimitives.ReadUInt32LittleEndian(word);
            if (size != LegacyMagic)
                break;
            _position += 4;
        }
        if (size == 0 || size > MaxBlockInput)
            return End();
        if (_position + 4 + size > _input.Length)
        {
            throw new Core.Formats.FormatException(_formatId, _baseOffset + _position,
                $"block size word {size} passes the end of the data ({_input.Length - _position - 4} bytes left); the stream is truncated");
        }
        _block ??= new byte[MaxBlockInput];
        _output ??= new byte[BlockOutput];
        var source = _block.AsSpan(0, (int)size);
        _input.ReadExactly(_position + 4, source);
        var n = LZ4Codec.Decode(source, _output);
        if (n < 0)
            throw new Core.Formats.FormatException(_formatId, _baseOffset + _position, $"the {size}-byte block at this offset does not decode as LZ4; the stream is corrupt");
        _position += 4 + size;
        _outputLength = n;
        _outputPosition = 0;
        if (n < BlockOutput)
            End();
        return true;
    }

    private bool End()
    {
        if (_ended)
            return false;
        _ended = true;
        Span<byte> word = stackalloc byte[4];
        if (_input.TryReadExactly(_position, word) && BinaryPrimitives.ReadUInt32LittleEndian(word) == (uint)(_produced + _outputLength - _outputPosition))
        {
            _position += 4;
            KernelSizeTrailer = true;
        }
        return false;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
