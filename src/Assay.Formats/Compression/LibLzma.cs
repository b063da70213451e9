using System.Runtime.InteropServices;

namespace Assay.Formats;

/// <summary>
/// Decoding through the system's liblzma (XZ Utils), which is 10-30x faster than the managed LZMA
/// decoder; when liblzma.so.5 cannot be loaded, callers fall back to SharpCompress. Only the
/// decoders are bound; no data from the input ever reaches anything but the decoder's buffers,
/// and a memory limit bounds the dictionary an input may ask for.
/// </summary>
/// <remarks>Bindings follow liblzma's public headers lzma/base.h and lzma/container.h (XZ Utils 5.x).</remarks>
public static unsafe partial class LibLzma
{
    private const string Library = "liblzma.so.5";

    /// <summary>Dictionary memory a stream may ask for (xz -9 needs 65 MiB to decode).</summary>
    public const ulong MemoryLimit = 512UL << 20;

    private const uint Concatenated = 0x08;
    private const int ActionRun = 0;
    private const int ActionFinish = 3;

    private static readonly Lazy<bool> s_available = new(Probe);

    /// <summary>True when liblzma could be loaded on this machine.</summary>
    public static bool IsAvailable => s_available.Value;

    internal enum Result
    {
        Ok = 0,
        StreamEnd = 1,
        NoCheck = 2,
        UnsupportedCheck = 3,
        GetCheck = 4,
        MemError = 5,
        MemLimitError = 6,
        FormatError = 7,
        OptionsError = 8,
        DataError = 9,
        BufError = 10,
        ProgError = 11,
    }

    /// <summary>lzma_stream from lzma/base.h; LZMA_STREAM_INIT is all zeros.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct LzmaStream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public void* Allocator;
        public void* Internal;
        public void* Reserved1;
        public void* Reserved2;
        public void* Reserved3;
        public void* Reserved4;
        public ulong SeekPos;
        public ulong ReservedInt2;
        public nuint ReservedInt3;
        public nuint ReservedInt4;
        public int ReservedEnum1;
        public int ReservedEnum2;
    }

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder")]
    internal static partial Result StreamDecoder(LzmaStream* stream, ulong memlimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_alone_decoder")]
    internal static partial Result AloneDecoder(LzmaStream* stream, ulong memlimit);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    internal static partial Result Code(LzmaStream* stream, int action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    internal static partial void End(LzmaStream* stream);

    [LibraryImport(Library, EntryPoint = "lzma_stream_buffer_decode")]
    private static partial Result StreamBufferDecode(ulong* memlimit, uint flags, void* allocator, byte* input, nuint* inPos, nuint inSize, byte* output, nuint* outPos, nuint outSize);

    /// <summary>
    /// Decodes one complete .xz stream held in memory (as SquashFS stores each block) into
    /// <paramref name="destination"/>; returns the bytes written. Throws <see cref="InvalidDataException"/>
    /// for corrupt input or output that does not fit.
    /// </summary>
    public static int DecodeXzBuffer(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ulong memlimit = MemoryLimit;
        nuint inPos = 0, outPos = 0;
        fixed (byte* input = source)
        fixed (byte* output = destination)
        {
            var result = StreamBufferDecode(&memlimit, 0, null, input, &inPos, (nuint)source.Length, output, &outPos, (nuint)destination.Length);
            if (result != Result.Ok)
                throw new InvalidDataException($"xz data is corrupt or does not fit the block ({Describe(result)})");
        }
        return (int)outPos;
    }

    internal static string Describe(Result result) => result switch
    {
        Result.MemLimitError => "the stream needs more dictionary memory than the 512 MiB limit",
        Result.FormatError => "not an xz/lzma stream",
        Result.OptionsError => "unsupported filter or options",
        Result.DataError => "corrupt compressed data",
        Result.BufError => "truncated: the compressed data ends early",
        Result.MemError => "out of memory",
        _ => $"liblzma error {(int)result}",
    };

    private static bool Probe()
    {
        try
        {
            return NativeLibrary.TryLoad(Library, typeof(LibLzma).Assembly, null, out _);
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }
}

/// <summary>A read-only stream decoding .xz (concatenated streams) or .lzma (alone) with liblzma.</summary>
public sealed unsafe class NativeLzmaStream : Stream
{
    private const int InputBufferSize = 1 << 16;
    private readonly Stream _input;
    private readonly byte[] _inputBuffer = new byte[InputBufferSize];
    private readonly LibLzma.LzmaStream* _stream;
    private GCHandle _pin;
    private readonly bool _alone;
    private bool _inputEnded;
    private bool _finished;
    private long _position;
    private long _inputRead;

    private NativeLzmaStream(Stream input, bool alone)
    {
        _input = input;
        _stream = (LibLzma.LzmaStream*)NativeMemory.AllocZeroed((nuint)sizeof(LibLzma.LzmaStream));
        _alone = alone;
        var result = alone ? LibLzma.AloneDecoder(_stream, LibLzma.MemoryLimit) : LibLzma.StreamDecoder(_stream, LibLzma.MemoryLimit, 0);
        if (result != LibLzma.Result.Ok)
        {
            NativeMemory.Free(_stream);
            _stream = null;
            throw new InvalidDataException($"liblzma could not start decoding ({LibLzma.Describe(result)})");
        }
        _pin = GCHandle.Alloc(_inputBuffer, GCHandleType.Pinned);
    }

    /// <summary>An .xz decoder (all concatenated streams).</summary>
    public static NativeLzmaStream Xz(Stream input) => new(input, alone: false);

    /// <summary>An .lzma ("alone") decoder; the stream starts with the 13-byte header.</summary>
    public static NativeLzmaStream Alone(Stream input) => new(input, alone: true);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <summary>Once the last stream ended: how many input bytes it spanned (anything after is not ours).</summary>
    public long? InputConsumed => _finished && _stream is not null ? _inputRead - (long)_stream->AvailIn : null;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_finished || buffer.Length == 0)
            return 0;
        ObjectDisposedException.ThrowIf(_stream is null, this);
        fixed (byte* output = buffer)
        {
            _stream->NextOut = output;
            _stream->AvailOut = (nuint)buffer.Length;
            while (_stream->AvailOut > 0)
            {
                if (_stream->AvailIn == 0 && !_inputEnded)
                {
                    var n = _input.Read(_inputBuffer, 0, _inputBuffer.Length);
                    if (n <= 0)
                        _inputEnded = true;
                    else
                        _inputRead += n;
                    _stream->NextIn = (byte*)_pin.AddrOfPinnedObject();
                    _stream->AvailIn = (nuint)Math.Max(0, n);
                }
                var result = LibLzma.Code(_stream, _inputEnded ? 3 : 0);
                if (result == LibLzma.Result.StreamEnd)
                {
                    // Another .xz stream may follow (after zero stream padding); anything else after
                    // the end is trailing data (flash padding, the next partition) and is not ours.
                    if (_alone || !StartNextStream())
                    {
                        _finished = true;
                        break;
                    }
                    continue;
                }
                if (result != LibLzma.Result.Ok)
                    throw new InvalidDataException($"xz/lzma data at compressed offset {_stream->TotalIn}: {LibLzma.Describe(result)}");
                if (_inputEnded && _stream->AvailIn == 0 && _stream->AvailOut > 0)
                {
                    // FINISH returned OK without progress: the stream is truncated.
                    var before = _stream->AvailOut;
                    result = LibLzma.Code(_stream, 3);
                    if (result == LibLzma.Result.StreamEnd)
                    {
                        _finished = true;
                        break;
                    }
                    if (result != LibLzma.Result.Ok || _stream->AvailOut == before)
                        throw new InvalidDataException($"xz/lzma data ends early at compressed offset {_stream->TotalIn}: truncated");
                }
            }
            var written = buffer.Length - (int)_stream->AvailOut;
            _position += written;
            return written;
        }
    }

    private static ReadOnlySpan<byte> XzMagic => [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

    private bool StartNextStream()
    {
        while (true)
        {
            if (_stream->AvailIn == 0 && !Refill(keep: 0))
                return false;
            var available = new ReadOnlySpan<byte>(_stream->NextIn, (int)_stream->AvailIn);
            var nonZero = available.IndexOfAnyExcept((byte)0);
            if (nonZero < 0)
            {
                _stream->AvailIn = 0;
                continue;
            }
            _stream->NextIn += nonZero;
            _stream->AvailIn -= (nuint)nonZero;
            if (_stream->AvailIn < (nuint)XzMagic.Length && !Refill(keep: (int)_stream->AvailIn))
                return false;
            if (!new ReadOnlySpan<byte>(_stream->NextIn, XzMagic.Length).SequenceEqual(XzMagic))
                return false;
            LibLzma.End(_stream);
            var next = _stream->NextIn;
            var avail = _stream->AvailIn;
            *_stream = default;
            if (LibLzma.StreamDecoder(_stream, LibLzma.MemoryLimit, 0) != LibLzma.Result.Ok)
                return false;
            _stream->NextIn = next;
            _stream->AvailIn = avail;
            return true;
        }
    }

    /// <summary>Moves the last <paramref name="keep"/> unread bytes to the buffer start and reads more after them.</summary>
    private bool Refill(int keep)
    {
        if (_inputEnded)
            return keep > 0 && keep >= XzMagic.Length;
        var start = (byte*)_pin.AddrOfPinnedObject();
        if (keep > 0)
            Buffer.MemoryCopy(_stream->NextIn, start, _inputBuffer.Length, keep);
        var total = keep;
        while (total < XzMagic.Length)
        {
            var n = _input.Read(_inputBuffer, total, _inputBuffer.Length - total);
            if (n <= 0)
            {
                _inputEnded = true;
                break;
            }
            total += n;
            _inputRead += n;
        }
        _stream->NextIn = start;
        _stream->AvailIn = (nuint)total;
        return total >= XzMagic.Length || (keep == 0 && total > 0);
    }

    protected override void Dispose(bool disposing)
    {
        if (_stream is not null)
        {
            LibLzma.End(_stream);
            NativeMemory.Free(_stream);
        }
        if (_pin.IsAllocated)
            _pin.Free();
        if (disposing)
            _input.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
