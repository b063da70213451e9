using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// tar: POSIX ustar, GNU (long names 'L'/'K', old sparse 'S') and pax ('x' and 'g' extended
/// headers: path, linkpath, size, uid, gid, mtime, GNU sparse 1.0). Regular files are slices of the
/// archive (no copy); sparse files are rebuilt as a stream of data and holes. Out of a decompressor
/// the same walk runs over the stream (<see cref="IStreamingFormatHandler"/>): nothing is spooled.
/// </summary>
/// <remarks>
/// 512-byte header (POSIX.1-2017 pax, "ustar Interchange Format"): name[100] @0, mode[8] @100,
/// uid[8] @108, gid[8] @116, size[12] @124, mtime[12] @136, chksum[8] @148, typeflag @156,
/// linkname[100] @157, magic[6] @257 ("ustar\0" POSIX, "ustar " + " \0" GNU), uname @265,
/// gname @297, devmajor[8] @329, devminor[8] @337, prefix[155] @345. Numbers are octal text, or
/// base-256 when the first byte has its high bit set (GNU).
/// The archive ends with two zero blocks (POSIX); GNU tar pads to its 10240-byte record after them.
/// One zero block followed by a valid header is skipped (some writers emit it); one followed by
/// anything else, or by nothing, ends the archive, and what follows is carved.
/// </remarks>
public sealed class TarHandler : IStreamingFormatHandler
{
    private const int Block = 512;
    private const int NameOffset = 0, NameLength = 100;
    private const int ModeOffset = 100, UidOffset = 108, GidOffset = 116, NumberLength = 8;
    private const int SizeOffset = 124, MtimeOffset = 136, LongNumberLength = 12;
    private const int ChecksumOffset = 148;
    private const int TypeOffset = 156;
    private const int LinkOffset = 157;
    private const int MagicOffset = 257;
    private const int MajorOffset = 329, MinorOffset = 337;
    private const int PrefixOffset = 345, PrefixLength = 155;
    private const int GnuSparseOffset = 386, GnuSparseEntries = 4, GnuIsExtendedOffset = 482, GnuRealSizeOffset = 483;
    private const int GnuExtensionEntries = 21, GnuExtensionIsExtendedOffset = 504;
    private const int MaxExtendedHeader = 1 << 20;
    private const int MaxSparseEntries = 1 << 16;

    public string Id => "tar";
    public string Description => "tar archive (ustar, GNU, pax)";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("ustar", MagicOffset)];
    public IReadOnlyList<string> References { get; } = ["POSIX.1-2017 pax utility: ustar and pax interchange formats", "GNU tar manual, \"Basic Tar Format\" and \"GNU Sparse Formats\""];
    public IReadOnlyList<string> Limitations { get; } = ["pre-POSIX v7 archives without the ustar magic are not identified", "GNU sparse formats 0.0/0.1 (pax keys without the 1.0 map) are listed with their stored bytes"];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        var header = new byte[Block];
        if (!blob.TryReadExactly(offset, header) || !IsHeader(header))
            return null;
        return new FormatMatch(offset, ArchiveLength(blob, offset), header[MagicOffset + 5] == ' ' ? "tar (GNU)" : "tar (ustar/pax)");
    }

    public bool CanStream(ReadOnlySpan<byte> head) => head.Length >= Block && IsHeader(head[..Block]);

    /// <summary>
    /// Walks the headers to the end of the archive and returns its length (one 512-byte read per
    /// entry), so a carved tar ends where it ends. Null when the walk meets a damaged header, leaves
    /// the blob, or needs the sparse or pax bookkeeping to continue; the unpacking walk reports the
    /// same (<see cref="Walk"/>), so both forms agree.
    /// </summary>
    private long? ArchiveLength(IBlob blob, long offset)
    {
        const int MaxEntries = 10_000_000;
        var header = new byte[Block];
        var position = offset;
        try
        {
            for (var i = 0; i < MaxEntries; i++)
            {
                if (!blob.TryReadExactly(position, header))
                    return null;
                if (IsZero(header))
                {
                    var next = new byte[Block];
                    if (!blob.TryReadExactly(position + Block, next))
                        return position + Block - offset;
                    if (IsZero(next))
                        return position + (2 * Block) - offset;
                    if (!ChecksumValid(next))
                        return position + Block - offset;
                    // one zero block before a valid header: skipped
                    position += Block;
                    continue;
                }
                if (!ChecksumValid(header))
                    return null;
                var type = (char)header[TypeOffset];
                // Old GNU sparse headers may be followed by extension blocks; a pax "size" record
                // could override the size field (a member over 8 GiB): both end the walk.
                if (type == 'S' || (type == 'x' && Encoding.ASCII.GetString(blob.ReadBytes(position + Block, 512)).Contains(" size=", StringComparison.Ordinal)))
                    return null;
                var size = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : ReadNumber(header, SizeOffset, LongNumberLength, position);
                if (size < 0)
                    return null;
                position = checked(position + Block + ((size + Block - 1) / Block * Block));
                if (position > blob.Length)
                    return null;
            }
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
        }
        return null;
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        Walk(new ArchiveReader.OverBlob(chunk), context);
    }

    public void UnpackStream(Stream content, IUnpackContext context)
    {
        var reader = new ArchiveReader.OverStream(content, Id);
        if (Walk(reader, context) is { } end)
            context.ReportLength(end);
    }

    /// <summary>
    /// Lists every entry; returns where the archive ends when the walk saw its end and the length is
    /// the one <see cref="ArchiveLength"/> gives (null when that would be null).
    /// </summary>
    private long? Walk(ArchiveReader reader, IUnpackContext context)
    {
        var header = new byte[Block];
        var pending = false;
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null, globalPax = null;
        var lengthKnown = true;
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var position = reader.Position - (pending ? Block : 0);
            if (!pending && !reader.TryRead(header))
                return null;
            pending = false;
            if (IsZero(header))
            {
                var next = new byte[Block];
                if (!reader.TryRead(next))
                    return lengthKnown ? position + Block : null;
                if (IsZero(next))
                    return lengthKnown ? position + (2 * Block) : null;
                if (!ChecksumValid(next))
                    return lengthKnown ? position + Block : null;
                // one zero block before a valid header: skipped, the header is the next entry's
                next.CopyTo(header, 0);
                pending = true;
                continue;
            }
            if (!ChecksumValid(header))
                throw new FormatException(Id, position, "header checksum does not match; the archive is corrupt or truncated here");
            var type = (char)header[TypeOffset];
            var size = ReadNumber(header, SizeOffset, LongNumberLength, position);
            if (pax is not null && pax.TryGetValue("size", out var paxSize) && long.TryParse(paxSize, out var ps) && ps >= 0)
                size = ps;
            var stored = type is '5' or '1' or '2' or '3' or '4' or '6' ? 0 : size;
            if (stored < 0 || stored > long.MaxValue - Block || (reader.Length is { } total && stored > total - reader.Position))
                throw new FormatException(Id, position, $"entry size {size} passes the end of the archive (0x{reader.Length:x}); the archive is truncated");
            if (type is 'S')
                lengthKnown = false;
            switch (type)
            {
                case 'L':
                    longName = ReadText(reader, size, position);
                    Pad(reader, stored);
                    continue;
                case 'K':
                    longLink = ReadText(reader, size, position);
                    Pad(reader, stored);
                    continue;
                case 'x':
                    var records = ReadText(reader, size, position, out var raw);
                    // a "size" record ends the length walk of the blob form: so here too
                    if (System.Text.Encoding.ASCII.GetString(raw, 0, Math.Min(raw.Length, Block)).Contains(" size=", StringComparison.Ordinal))
                        lengthKnown = false;
                    pax = ParsePax(records, globalPax, position);
                    Pad(reader, stored);
                    continue;
                case 'g':
                    globalPax = ParsePax(ReadText(reader, size, position), null, position);
                    Pad(reader, stored);
                    continue;
            }
            var name = longName ?? Value(pax, "path") ?? HeaderName(header);
            var link = longLink ?? Value(pax, "linkpath") ?? CString(header.AsSpan(LinkOffset, NameLength));
            var meta = new EntryMeta(name)
            {
                Mode = (int)(ReadNumber(header, ModeOffset, NumberLength, position) & 0xfff),
                Uid = long.TryParse(Value(pax, "uid"), out var uid) ? uid : ReadNumber(header, UidOffset, NumberLength, position),
                Gid = long.TryParse(Value(pax, "gid"), out var gid) ? gid : ReadNumber(header, GidOffset, NumberLength, position),
                Mtime = double.TryParse(Value(pax, "mtime"), System.Globalization.CultureInfo.InvariantCulture, out var mt) ? (long)mt : ReadNumber(header, MtimeOffset, LongNumberLength, position),
                Major = ReadNumber(header, MajorOffset, NumberLength, position),
                Minor = ReadNumber(header, MinorOffset, NumberLength, position),
            };
            var paxNow = pax;
            longName = longLink = null;
            pax = null;
            switch (type)
            {
                case '0' or '\0' or '7':
                    if (Value(paxNow, "GNU.sparse.major") == "1" && Value(paxNow, "GNU.sparse.realsize") is { } real && Value(paxNow, "GNU.sparse.name") is { } sparseName)
                    {
                        if (!long.TryParse(real, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var realSize))
                            throw new FormatException(Id, position, $"pax GNU.sparse.realsize '{Printable(real)}' is not a decimal size");
                        EmitPaxSparse(reader, context, meta with { Path = sparseName }, size, realSize, position);
                    }
                    else
                    {
                        reader.AddFile(context, meta, size);
                    }
                    break;
                case '1':
                    context.AddHardlink(meta, link);
                    break;
                case '2':
                    context.AddSymlink(meta, link);
                    break;
                case '3':
                    context.AddSpecial(meta, NodeKind.Device, isBlock: false);
                    break;
                case '4':
                    context.AddSpecial(meta, NodeKind.Device, isBlock: true);
                    break;
                case '5':
                    context.AddDirectory(meta);
                    break;
                case '6':
                    context.AddSpecial(meta, NodeKind.Fifo);
                    break;
                case 'S':
                    EmitGnuSparse(reader, context, meta, header, position, size);
                    break;
                default:
                    context.AddError($"entry type '{Printable(type)}' is not a file type Assay knows; its {size} bytes are skipped", position, name);
                    reader.Skip(stored);
                    break;
            }
            Pad(reader, type == 'S' ? size : stored);
        }
    }

    /// <summary>Skips the padding of <paramref name="stored"/> data bytes to the next block.</summary>
    private static void Pad(ArchiveReader reader, long stored)
    {
        var padding = ((stored + Block - 1) / Block * Block) - stored;
        if (padding > 0)
            reader.Skip(padding);
    }

    /// <summary>GNU old sparse ('S'): up to 4 (offset, numbytes) pairs in the header, more in extension blocks; data stored back to back.</summary>
    private void EmitGnuSparse(ArchiveReader reader, IUnpackContext context, EntryMeta meta, byte[] header, long position, long storedSize)
    {
        var map = new List<(long Offset, long Length)>();
        ReadSparsePairs(header, GnuSparseOffset, GnuSparseEntries, map, position);
        var realSize = ReadNumber(header, GnuRealSizeOffset, LongNumberLength, position);
        var extended = header[GnuIsExtendedOffset] != 0;
        var ext = new byte[Block];
        while (extended)
        {
            var at = reader.Position;
            if (map.Count > MaxSparseEntries || !reader.TryRead(ext))
                throw new FormatException(Id, at, "sparse map extension passes the end of the archive or is too long");
            ReadSparsePairs(ext, 0, GnuExtensionEntries, map, at);
            extended = ext[GnuExtensionIsExtendedOffset] != 0;
        }
        if (reader.Length is { } total && storedSize > total - reader.Position)
            throw new FormatException(Id, position, $"sparse data of {storedSize} bytes passes the end of the archive; it is truncated");
        var region = reader.OpenRegion(storedSize);
        try
        {
            context.AddFile(meta, new SparseStream(region, storedSize, map, realSize, Id, reader.Position), Math.Max(1, storedSize));
        }
        finally
        {
            reader.EndRegion(region);
        }
    }

    private void ReadSparsePairs(byte[] block, int offset, int count, List<(long, long)> map, long position)
    {
        for (var i = 0; i < count; i++)
        {
            var at = offset + (i * 24);
            if (block[at] == 0)
                break;
            map.Add((ReadNumber(block, at, LongNumberLength, position), ReadNumber(block, at + 12, LongNumberLength, position)));
        }
    }

    /// <summary>pax GNU sparse 1.0: the data starts with a decimal map (count, then offset/size pairs, newline-separated, padded to 512).</summary>
    private void EmitPaxSparse(ArchiveReader reader, IUnpackContext context, EntryMeta meta, long size, long realSize, long position)
    {
        var region = reader.OpenRegion(size);
        try
        {
            var lines = new LineReader(region, Math.Min(size, MaxExtendedHeader));
            var count = lines.Next(Id, position);
            if (count < 0 || count > MaxSparseEntries)
                throw new FormatException(Id, position, $"sparse map count {count} is out of range");
            var map = new List<(long, long)>();
            for (var i = 0; i < count; i++)
                map.Add((lines.Next(Id, position), lines.Next(Id, position)));
            var mapBytes = (lines.Consumed + Block - 1) / Block * Block;
            if (mapBytes > size)
                throw new FormatException(Id, position, $"sparse map of {mapBytes} bytes is larger than the entry ({size})");
            lines.SkipTo(mapBytes);
            context.AddFile(meta, new SparseStream(region, size - mapBytes, map, realSize, Id, position), Math.Max(1, size - mapBytes));
        }
        finally
        {
            reader.EndRegion(region);
        }
    }

    private static bool IsZero(ReadOnlySpan<byte> block) => block.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The ustar magic and a valid checksum.</summary>
    private static bool IsHeader(ReadOnlySpan<byte> block) => block.Slice(MagicOffset, 5).SequenceEqual("ustar"u8) && ChecksumValid(block);

    private static bool ChecksumValid(ReadOnlySpan<byte> header)
    {
        long unsigned = 0;
        for (var i = 0; i < Block; i++)
            unsigned += i is >= ChecksumOffset and < ChecksumOffset + 8 ? ' ' : header[i];
        // chksum: octal digits, then NUL and/or space (POSIX: 6 digits, NUL, space; old tars vary).
        long stored = 0;
        var digits = 0;
        foreach (var b in header.Slice(ChecksumOffset, 8))
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                stored = (stored * 8) + (b - '0');
                digits++;
            }
            else if (b is not ((byte)' ' or 0) || digits > 0 && b == (byte)' ' && stored < 0)
            {
                return false;
            }
        }
        return digits > 0 && stored == unsigned;
    }

    private long ReadNumber(byte[] header, int offset, int length, long position)
    {
        var field = header.AsSpan(offset, length);
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256: big-endian two's complement in the remaining bits.
            long value = field[0] & 0x3f;
            foreach (var b in field[1..])
            {
                if (value > long.MaxValue >> 8)
                    throw new FormatException(Id, position + offset, "base-256 number does not fit 63 bits; the header is corrupt");
                value = (value << 8) | b;
            }
            return (field[0] & 0x40) != 0 ? -value : value;
        }
        long result = 0;
        foreach (var b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (result != 0)
                    break;
                continue;
            }
            if (b is < (byte)'0' or > (byte)'7')
                throw new FormatException(Id, position + offset, $"numeric field holds '{Printable((char)b)}', not an octal digit");
            if (result > long.MaxValue >> 3)
                throw new FormatException(Id, position + offset, "octal number does not fit 63 bits");
            result = (result * 8) + (b - '0');
        }
        return result;
    }

    private static string HeaderName(byte[] header)
    {
        var name = CString(header.AsSpan(NameOffset, NameLength));
        var isUstar = header.AsSpan(MagicOffset, 6).SequenceEqual("ustar\0"u8);
        var prefix = isUstar ? CString(header.AsSpan(PrefixOffset, PrefixLength)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private string ReadText(ArchiveReader reader, long size, long position) => ReadText(reader, size, position, out _);

    private string ReadText(ArchiveReader reader, long size, long position, out byte[] bytes)
    {
        if (size > MaxExtendedHeader)
            throw new FormatException(Id, position, $"extended header of {size} bytes is larger than {MaxExtendedHeader}; refusing");
        bytes = reader.ReadBytes(size, MaxExtendedHeader, Id);
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>pax records: "LEN KEY=VALUE\n", LEN counting the whole record.</summary>
    private Dictionary<string, string> ParsePax(string text, Dictionary<string, string>? global, long position)
    {
        var result = global is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(global, StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        var i = 0;
        while (i < bytes.Length)
        {
            var space = Array.IndexOf(bytes, (byte)' ', i);
            // "LEN KEY=VALUE\n": the record holds at least its length digits, the space and the newline.
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(bytes, i, space - i), out var length) || length < space - i + 2 || length > bytes.Length - i)
                throw new FormatException(Id, position, "malformed pax extended header record");
            var record = Encoding.UTF8.GetString(bytes, space + 1, i + length - space - 2);
            var eq = record.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                result[record[..eq]] = record[(eq + 1)..];
            i += length;
        }
        return result;
    }

    private static string? Value(Dictionary<string, string>? pax, string key) => pax is not null && pax.TryGetValue(key, out var v) ? v : null;

    private static string Printable(char c) => c is >= ' ' and < (char)127 ? c.ToString() : $"\\x{(int)c:x2}";

    private static string Printable(string s) => string.Concat(s.Take(64).Select(Printable));

    /// <summary>Reads newline-terminated decimal numbers from the start of an entry's data.</summary>
    private sealed class LineReader(Stream region, long length)
    {
        public long Consumed { get; private set; }

        public long Next(string id, long position)
        {
            long value = 0;
            var digits = 0;
            while (Consumed < length)
            {
                var b = region.ReadByte();
                if (b < 0)
                    break;
                Consumed++;
                if (b == '\n')
                    return digits > 0 ? value : throw new FormatException(id, position, "empty number in the sparse map");
                if (b is < '0' or > '9' || ++digits > 18)
                    throw new FormatException(id, position, "sparse map holds a non-decimal or too long number");
                value = (value * 10) + (b - '0');
            }
            throw new FormatException(id, position, "sparse map is truncated");
        }

        /// <summary>Skips to <paramref name="offset"/> bytes into the data (the map's padding).</summary>
        public void SkipTo(long offset)
        {
            while (Consumed < offset && region.ReadByte() >= 0)
                Consumed++;
        }
    }
}
