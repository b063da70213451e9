using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// cpio archives in all four encodings: "newc" (070701) and "crc" (070702) with hex fields,
/// "odc" (070707) with octal fields, and the old binary format (0x71c7) in both byte orders.
/// Hard links of newc archives (data stored with the last link) are resolved. Out of a
/// decompressor the same walk runs over the stream (<see cref="IStreamingFormatHandler"/>).
/// </summary>
/// <remarks>
/// newc header, 110 bytes: c_magic[6] "070701", then 13 fields of 8 hex digits: ino, mode, uid,
/// gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check; name
/// (namesize bytes incl. NUL) padded so header+name is a multiple of 4; data padded to 4.
/// odc header, 76 bytes: magic[6] "070707", dev[6], ino[6], mode[6], uid[6], gid[6], nlink[6],
/// rdev[6], mtime[11], namesize[6], filesize[11], all octal; no padding.
/// Binary header, 26 bytes: 13 uint16 (magic 070707, dev, ino, mode, uid, gid, nlink, rdev,
/// mtime[2], namesize, filesize[2]; 32-bit values as most-significant half first); name and data
/// padded to 2. The archive ends with the entry "TRAILER!!!". (cpio(5), libarchive cpio.5)
/// </remarks>
internal sealed class CpioHandler : IFormatHandler<CpioHandler.Variant>, IStreamingFormatHandler
{
    private const int NewcHeader = 110;
    private const int OdcHeader = 76;
    private const int BinaryHeader = 26;
    private const int MaxName = 4096;
    private const string Trailer = "TRAILER!!!";
    private const int MagicLength = 6;

    /// <summary>Largest hard-linked file copied to memory when a streamed archive lists it under several names.</summary>
    private const int MaxLinkedBytesInMemory = 64 << 20;

    private const int TypeMask = 0xf000;
    private const int TypeRegular = 0x8000, TypeDirectory = 0x4000, TypeSymlink = 0xa000;
    private const int TypeChar = 0x2000, TypeBlock = 0x6000, TypeFifo = 0x1000, TypeSocket = 0xc000;

    internal enum Variant
    {
        Newc,
        Crc,
        Odc,
        BinaryLittle,
        BinaryBig,
    }

    public string Id => "cpio";
    public string Description => "cpio archive (newc, crc, odc, old binary)";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } =
        [MagicSignature.Ascii("070701"), MagicSignature.Ascii("070702"), MagicSignature.Ascii("070707"), MagicSignature.Hex("c771"), MagicSignature.Hex("71c7")];
    public IReadOnlyList<string> References { get; } = ["cpio(5) (libarchive): formats newc, crc, odc, old binary", "Linux Documentation/driver-api/early-userspace/buffer-format.rst"];
    public IReadOnlyList<string> Limitations { get; } = ["the crc variant's checksum is not verified", "odc and binary hard links are listed as separate files as stored"];

    public FormatMatch<Variant>? TryMatch(IBlob blob, long offset)
    {
        if (Detect(blob, offset) is not { } variant)
            return null;
        try
        {
            var entry = ReadHeader(blob, offset, variant);
            if (entry.NameSize is <= 0 or > MaxName || (entry.Mode & TypeMask) is not (TypeRegular or TypeDirectory or TypeSymlink or TypeChar or TypeBlock or TypeFifo or TypeSocket))
                return null;
            // The name must be printable and NUL-terminated exactly at namesize: binary cpio's 2-byte magic is weak.
            var name = blob.ReadBytes(offset + entry.HeaderSize, (int)entry.NameSize);
            if (name.Length != entry.NameSize || name[^1] != 0 || name.AsSpan(0, name.Length - 1).IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0)
                return null;
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            return null;
        }
        return new FormatMatch<Variant>(offset, ArchiveLength(blob, offset, variant), $"cpio ({variant.ToString().ToLowerInvariant()})", variant);
    }

    /// <summary>
    /// Walks the headers to the "TRAILER!!!" entry and returns the archive's length (headers and
    /// names only are read), so a carved cpio (a kernel's built-in initramfs) ends where it ends.
    /// Null when the walk leaves the blob or meets a damaged header: the chunk then runs on.
    /// </summary>
    private long? ArchiveLength(IBlob blob, long offset, Variant variant)
    {
        const int MaxEntries = 1 << 20;
        var position = offset;
        try
        {
            for (var i = 0; i < MaxEntries; i++)
            {
                if (Detect(blob, position) != variant)
                    return null;
                var h = ReadHeader(blob, position, variant);
                if (h.NameSize is <= 0 or > MaxName || h.FileSize < 0)
                    return null;
                var nameStart = position + h.HeaderSize;
                var next = Align(Align(nameStart + h.NameSize, variant) + h.FileSize, variant);
                if (next > blob.Length)
                    return null;
                if (h.NameSize == Trailer.Length + 1 && blob.ReadBytes(nameStart, Trailer.Length).AsSpan().SequenceEqual("TRAILER!!!"u8))
                    return next - offset;
                position = next;
            }
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or OverflowException)
        {
        }
        return null;
    }

    public void Unpack(IBlob chunk, FormatMatch<Variant> match, IUnpackContext context) => Walk(new ArchiveReader.OverBlob(chunk), match.State, context);

    public bool CanStream(ReadOnlySpan<byte> head)
    {
        using var blob = new MemoryBlob(head.ToArray());
        return TryMatch(blob, 0) is not null;
    }

    public void UnpackStream(Stream content, IUnpackContext context)
    {
        Span<byte> magic = stackalloc byte[MagicLength];
        var reader = new ArchiveReader.OverStream(new PrefixStream(content, magic, out var got), Id);
        if (got < MagicLength || Detect(magic) is not { } variant)
            throw new FormatException(Id, 0, "no cpio magic at the start of the stream");
        if (Walk(reader, variant, context) is { } end)
            context.ReportLength(end);
    }

    /// <summary>
    /// Lists every entry up to "TRAILER!!!"; returns where the archive ends (the trailer entry and its
    /// padding), as <see cref="ArchiveLength"/> gives it, or null when that would be null.
    /// </summary>
    private long? Walk(ArchiveReader reader, Variant variant, IUnpackContext context)
    {
        var pendingLinks = new Dictionary<(long, long, long), List<EntryMeta>>();
        var lengthKnown = true;
        Span<byte> magic = stackalloc byte[MagicLength];
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var position = reader.Position;
            if (!reader.TryRead(magic))
            {
                if (reader.Length is { } total && position < total)
                    throw new FormatException(Id, position, "expected a cpio header here; the archive is corrupt or truncated");
                break;
            }
            var detected = Detect(magic) ?? throw new FormatException(Id, position, "expected a cpio header here; the archive is corrupt or truncated");
            if (detected != variant)
                lengthKnown = false;
            var h = ReadHeader(reader, magic, position, variant);
            if (h.NameSize is <= 0 or > MaxName)
                throw new FormatException(Id, position, $"name size {h.NameSize} is out of range 1..{MaxName}");
            var nameStart = position + h.HeaderSize;
            var nameBytes = new byte[h.NameSize];
            if (!reader.TryRead(nameBytes))
                throw new FormatException(Id, nameStart, "entry name passes the end of the archive; truncated");
            var name = Encoding.UTF8.GetString(nameBytes, 0, Math.Max(0, Array.IndexOf(nameBytes, (byte)0) is var z && z >= 0 ? z : nameBytes.Length));
            var dataStart = Align(nameStart + h.NameSize, variant);
            if (h.FileSize < 0 || reader.Skip(dataStart - reader.Position) < dataStart - nameStart - h.NameSize
                || (reader.Length is { } total2 && h.FileSize > total2 - dataStart))
                throw new FormatException(Id, position, $"entry '{name}' of {h.FileSize} bytes passes the end of the archive; truncated");
            var next = Align(dataStart + h.FileSize, variant);
            if (name == Trailer)
                return lengthKnown ? next : null;
            var meta = new EntryMeta(name) { Mode = h.Mode & 0xfff, Uid = h.Uid, Gid = h.Gid, Mtime = h.Mtime, Major = h.RdevMajor, Minor = h.RdevMinor };
            switch (h.Mode & TypeMask)
            {
                case TypeRegular:
                    if (variant is Variant.Newc or Variant.Crc && h.Nlink > 1)
                    {
                        var key = (h.DevMajor, h.DevMinor, h.Ino);
                        if (!pendingLinks.TryGetValue(key, out var links))
                            pendingLinks[key] = links = [];
                        links.Add(meta);
                        if (h.FileSize > 0)
                        {
                            AddLinked(reader, context, links, h.FileSize, dataStart);
                            pendingLinks.Remove(key);
                        }
                    }
                    else
                    {
                        reader.AddFile(context, meta, h.FileSize);
                    }
                    break;
                case TypeDirectory:
                    if (name != ".")
                        context.AddDirectory(meta);
                    break;
                case TypeSymlink:
                    if (h.FileSize > MaxName)
                        throw new FormatException(Id, dataStart, $"symlink target of {h.FileSize} bytes is longer than {MaxName}");
                    context.AddSymlink(meta, Encoding.UTF8.GetString(reader.ReadBytes(h.FileSize, MaxName, Id)).TrimEnd('\0'));
                    break;
                case TypeChar:
                    context.AddSpecial(meta, NodeKind.Device);
                    break;
                case TypeBlock:
                    context.AddSpecial(meta, NodeKind.Device, isBlock: true);
                    break;
                case TypeFifo:
                    context.AddSpecial(meta, NodeKind.Fifo);
                    break;
                case TypeSocket:
                    context.AddSpecial(meta, NodeKind.Socket);
                    break;
                default:
                    context.AddError($"mode 0{Convert.ToString(h.Mode, 8)} has no known file type; entry skipped", position, name);
                    break;
            }
            reader.Skip(next - reader.Position);
        }
        // Links whose data never came (all sizes 0) are empty files.
        foreach (var links in pendingLinks.Values)
        {
            foreach (var link in links)
                context.AddFile(link, new MemoryBlob(ReadOnlyMemory<byte>.Empty));
        }
        return null;
    }

    /// <summary>The names of one hard-linked file, all with the data that came with the last one.</summary>
    private void AddLinked(ArchiveReader reader, IUnpackContext context, List<EntryMeta> links, long size, long dataStart)
    {
        if (reader.Length is not null || links.Count == 1)
        {
            var start = reader.Position;
            foreach (var link in links)
            {
                if (reader is ArchiveReader.OverBlob blob)
                    blob.AddFileAt(context, link, start, size);
                else
                    reader.AddFile(context, link, size);
            }
            return;
        }
        // streamed: the data passes once, so it is kept in memory for the other names
        if (size > MaxLinkedBytesInMemory)
            throw new FormatException(Id, dataStart, $"a file of {size} bytes hard-linked under {links.Count} names is too large to list from a stream; scan the decompressed archive");
        var data = reader.ReadBytes(size, MaxLinkedBytesInMemory, Id);
        foreach (var link in links)
            context.AddFile(link, new MemoryBlob(data));
    }

    private static Variant? Detect(ReadOnlySpan<byte> m)
    {
        if (m.Length < MagicLength)
            return null;
        if (m.StartsWith("070701"u8))
            return Variant.Newc;
        if (m.StartsWith("070702"u8))
            return Variant.Crc;
        if (m.StartsWith("070707"u8))
            return Variant.Odc;
        if (m[0] == 0xc7 && m[1] == 0x71)
            return Variant.BinaryLittle;
        if (m[0] == 0x71 && m[1] == 0xc7)
            return Variant.BinaryBig;
        return null;
    }

    private static Variant? Detect(IBlob blob, long offset)
    {
        Span<byte> m = stackalloc byte[MagicLength];
        return blob.TryReadExactly(offset, m) ? Detect(m) : null;
    }

    private readonly record struct Header(int HeaderSize, long Ino, int Mode, long Uid, long Gid, long Nlink, long Mtime, long FileSize,
        long DevMajor, long DevMinor, long RdevMajor, long RdevMinor, long NameSize);

    private Header ReadHeader(IBlob blob, long offset, Variant variant)
    {
        var h = new byte[HeaderSize(variant)];
        blob.ReadExactly(offset, h);
        return ParseHeader(h, offset, variant);
    }

    /// <summary>The header whose magic was just read from <paramref name="reader"/>.</summary>
    private Header ReadHeader(ArchiveReader reader, ReadOnlySpan<byte> magic, long offset, Variant variant)
    {
        var h = new byte[HeaderSize(variant)];
        magic.CopyTo(h);
        if (!reader.TryRead(h.AsSpan(MagicLength)))
            throw new FormatException(Id, offset, "the cpio header is cut off; the archive is truncated");
        return ParseHeader(h, offset, variant);
    }

    private static int HeaderSize(Variant variant) => variant switch
    {
        Variant.Newc or Variant.Crc => NewcHeader,
        Variant.Odc => OdcHeader,
        _ => BinaryHeader,
    };

    private Header ParseHeader(byte[] h, long offset, Variant variant)
    {
        switch (variant)
        {
            case Variant.Newc or Variant.Crc:
            {
                long F(int i) => Hex(h, 6 + (i * 8), offset);
                return new Header(NewcHeader, F(0), (int)F(1), F(2), F(3), F(4), F(5), F(6), F(7), F(8), F(9), F(10), F(11));
            }
            case Variant.Odc:
            {
                // magic 0, dev 6, ino 12, mode 18, uid 24, gid 30, nlink 36, rdev 42, mtime 48 (11), namesize 59, filesize 65 (11)
                var rdev = Octal(h, 42, 6, offset);
                var dev = Octal(h, 6, 6, offset);
                return new Header(OdcHeader, Octal(h, 12, 6, offset), (int)Octal(h, 18, 6, offset), Octal(h, 24, 6, offset), Octal(h, 30, 6, offset),
                    Octal(h, 36, 6, offset), Octal(h, 48, 11, offset), Octal(h, 65, 11, offset), dev >> 8, dev & 0xff, rdev >> 8, rdev & 0xff, Octal(h, 59, 6, offset));
            }
            default:
            {
                var little = variant == Variant.BinaryLittle;
                int W(int i) => little ? BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(i * 2)) : BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(i * 2));
                long Pair(int i) => ((long)W(i) << 16) | (uint)W(i + 1);
                var rdev = W(7);
                return new Header(BinaryHeader, W(2), W(3), W(4), W(5), W(6), Pair(8), Pair(11), W(1) >> 8, W(1) & 0xff, rdev >> 8, rdev & 0xff, W(10));
            }
        }
    }

    private static long Align(long position, Variant variant) => variant switch
    {
        Variant.Newc or Variant.Crc => (position + 3) & ~3L,
        Variant.BinaryLittle or Variant.BinaryBig => (position + 1) & ~1L,
        _ => position,
    };

    private long Hex(byte[] h, int at, long offset)
    {
        long value = 0;
        for (var i = 0; i < 8; i++)
        {
            var c = h[at + i];
            var digit = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => throw new FormatException(Id, offset + at, $"header field holds '{(char)c}', not a hex digit"),
            };
            value = (value << 4) | (uint)digit;
        }
        return value;
    }

    private long Octal(byte[] h, int at, int length, long offset)
    {
        long value = 0;
        for (var i = 0; i < length; i++)
        {
            var c = h[at + i];
            if (c is < (byte)'0' or > (byte)'7')
                throw new FormatException(Id, offset + at, $"header field holds '{(char)c}', not an octal digit");
            value = (value << 3) | (uint)(c - '0');
        }
        return value;
    }

    /// <summary>Reads the first bytes of a stream into a buffer the caller looks at, then gives them back before the rest.</summary>
    private sealed class PrefixStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _prefix;
        private int _given;

        public PrefixStream(Stream inner, Span<byte> prefix, out int got)
        {
            _inner = inner;
            got = inner.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
            _prefix = prefix[..got].ToArray();
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_given < _prefix.Length)
            {
                var n = Math.Min(buffer.Length, _prefix.Length - _given);
                _prefix.AsSpan(_given, n).CopyTo(buffer);
                _given += n;
                return n;
            }
            return _inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
