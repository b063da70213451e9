using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using SharpCompress.Compressors.Xz;

namespace Assay.Formats.SquashFs;

/// <summary>
/// Decompresses one SquashFS block (metadata or data) of the image's compressor. Every block is a
/// complete, independent stream. Failures throw <see cref="InvalidDataException"/>; the caller
/// names the block. Not thread-safe (the zstd context is reused).
/// </summary>
internal abstract class SquashFsCodec
{
    public abstract string Name { get; }

    /// <summary>Decompresses <paramref name="count"/> bytes of <paramref name="source"/>; returns the bytes written.</summary>
    public abstract int Decompress(byte[] source, int count, Span<byte> destination);

    public static SquashFsCodec For(SquashFsCompression compression) => compression switch
    {
        SquashFsCompression.Gzip => new ZlibCodec(),
        SquashFsCompression.Lzma => new LzmaAloneCodec(),
        SquashFsCompression.Lzo => new LzoCodec(),
        SquashFsCompression.Xz => new XzCodec(),
        SquashFsCompression.Lz4 => new Lz4Codec(),
        SquashFsCompression.Zstd => new ZstdCodec(),
        SquashFsCompression.Legacy3 => new Legacy3Codec(),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, null),
    };

    /// <summary>Reads <paramref name="stream"/> to its end into <paramref name="destination"/>; more output than room is an error.</summary>
    protected static int ReadAll(Stream stream, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = stream.Read(destination[done..]);
            if (n <= 0)
                return done;
            done += n;
        }
        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) > 0)
            throw new InvalidDataException($"the block decompresses to more than {destination.Length} bytes");
        return done;
    }

    /// <summary>zlib (RFC 1950) streams: compressor id 1 "gzip".</summary>
    private sealed class ZlibCodec : SquashFsCodec
    {
        public override string Name => "gzip";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            using var input = new MemoryStream(source, 0, count, false);
            using var z = new ZLibStream(input, CompressionMode.Decompress);
            return ReadAll(z, destination);
        }
    }

    /// <summary>
    /// LZMA "alone" streams (compressor id 2): a 13-byte header of properties (1), dictionary size
    /// (LE32) and uncompressed size (LE64, only the low 32 bits used), then the LZMA data
    /// (squashfs-tools lzma_wrapper.c).
    /// </summary>
    private sealed class LzmaAloneCodec : SquashFsCodec
    {
        public const int PropertiesSize = 5;
        public const int HeaderSize = 13;
        public const int MaxPropertiesByte = (4 * 5 * 9) + (4 * 9) + 8;

        public override string Name => "lzma";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            if (count < HeaderSize)
                throw new InvalidDataException($"the lzma block of {count} bytes is shorter than its {HeaderSize}-byte header");
            if (source[0] > MaxPropertiesByte)
                throw new InvalidDataException($"the lzma properties byte 0x{source[0]:x2} is not a valid lc/lp/pb combination");
            var size = BinaryPrimitives.ReadUInt32LittleEndian(source.AsSpan(PropertiesSize));
            if (size > destination.Length)
                throw new InvalidDataException($"the lzma header announces {size} bytes, more than the {destination.Length}-byte block");
            return Run(source, count, (int)size, destination);
        }

        private readonly LzmaDecoder _decoder = new();

        public int Run(byte[] source, int count, int size, Span<byte> destination)
        {
            var n = _decoder.DecodeLzma(source[0], source.AsSpan(HeaderSize, count - HeaderSize), destination, size);
            if (n != size)
                throw new InvalidDataException($"the lzma stream ends after {n} of the {size} bytes its header announces");
            return n;
        }
    }

    /// <summary>
    /// xz streams (compressor id 4): each block is one complete .xz stream. Decoded by the system's
    /// liblzma when present (about twice as fast, all filters), else by <see cref="XzBlockDecoder"/>
    /// (one block, LZMA2 with BCJ or delta filters), else by SharpCompress.
    /// </summary>
    private sealed class XzCodec : SquashFsCodec
    {
        private readonly XzBlockDecoder _decoder = new();

        public override string Name => "xz";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            if (LibLzma.IsAvailable)
                return LibLzma.DecodeXzBuffer(source.AsSpan(0, count), destination);
            if (_decoder.TryDecode(source.AsSpan(0, count), destination, out var written))
                return written;
            using var input = new MemoryStream(source, 0, count, false);
            using var xz = new XZStream(input);
            return ReadAll(xz, destination);
        }
    }

    /// <summary>LZO1X streams (compressor id 3).</summary>
    private sealed class LzoCodec : SquashFsCodec
    {
        public override string Name => "lzo";

        public override int Decompress(byte[] source, int count, Span<byte> destination) =>
            Lzo1x.Decompress(source.AsSpan(0, count), destination);
    }

    /// <summary>LZ4 block format, no frame (compressor id 5).</summary>
    private sealed class Lz4Codec : SquashFsCodec
    {
        public override string Name => "lz4";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            var n = LZ4Codec.Decode(source.AsSpan(0, count), destination);
            if (n < 0)
                throw new InvalidDataException("the lz4 block is corrupt or decompresses to more than the block size");
            return n;
        }
    }

    /// <summary>One zstd frame (compressor id 6).</summary>
    private sealed class ZstdCodec : SquashFsCodec
    {
        private ZstdSharp.Decompressor? _decompressor;

        public override string Name => "zstd";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            _decompressor ??= new ZstdSharp.Decompressor();
            try
            {
                return _decompressor.Unwrap(source.AsSpan(0, count), destination);
            }
            catch (ZstdSharp.ZstdException e)
            {
                throw new InvalidDataException($"the zstd frame is corrupt ({e.Message})", e);
            }
        }
    }

    /// <summary>
    /// SquashFS 3.x: the superblock has no compressor id. Mainline 3.x is zlib; the LZMA patches
    /// of older router SDKs (sqlzma and the OpenWrt/DD-WRT 3.x lzma patches) keep the layout and
    /// store each block as an LZMA "alone" stream with a 13-byte header. A block is zlib when its
    /// first two bytes are a valid zlib header (CMF 0x?8, FCHECK), else LZMA alone.
    /// </summary>
    private sealed class Legacy3Codec : SquashFsCodec
    {
        private const int ZlibHeaderCheck = 31;
        private const int ZlibMethodDeflate = 8;
        private readonly ZlibCodec _zlib = new();
        private readonly LzmaAloneCodec _lzma = new();

        public override string Name => "gzip or vendor lzma";

        public override int Decompress(byte[] source, int count, Span<byte> destination)
        {
            if (count >= 2 && (source[0] & 0x0f) == ZlibMethodDeflate && ((source[0] << 8) | source[1]) % ZlibHeaderCheck == 0)
                return _zlib.Decompress(source, count, destination);
            if (count < LzmaAloneCodec.HeaderSize || source[0] > LzmaAloneCodec.MaxPropertiesByte)
                throw new InvalidDataException($"the block starts 0x{source[0]:x2}, neither a zlib header nor LZMA properties");
            var size = BinaryPrimitives.ReadUInt64LittleEndian(source.AsSpan(LzmaAloneCodec.PropertiesSize));
            if (size > (ulong)destination.Length)
                throw new InvalidDataException($"the vendor lzma header announces {size} bytes, more than the {destination.Length}-byte block");
            return _lzma.Run(source, count, (int)size, destination);
        }
    }
}
