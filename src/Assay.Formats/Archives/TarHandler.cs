using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// tar: POSIX ustar, GNU (long names 'L'/'K', old sparse 'S') and pax ('x' and 'g' extended
/// headers: path, linkpath, size, uid, gid, mtime, GNU sparse 1.0). Regular files are slices of the
/// archive (no copy); sparse files are rebuilt as a stream of data and holes.
/// </summary>
/// <remarks>
/// 512-byte header (POSIX.1-2017 pax, "ustar Interchange Format"): name[100] @0, mode[8] @100,
/// uid[8] @108, gid[8] @116, size[12] @124, mtime[12] @136, chksum[8] @148, typeflag @156,
/// linkname[100] @157, magic[6] @257 ("ustar\0" POSIX, "ustar " + " \0" GNU), uname @265,
/// gname @297, devmajor[8] @329, devminor[8] @337, prefix[155] @345. Numbers are octal text, or
/// base-256 when the first byte has its high bit set (GNU).
/// </remarks>
public sealed class TarHandler : IFormatHandler
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
        if (!blob.TryReadExactly(offset, header) || !header.AsSpan(MagicOffset, 5).SequenceEqual("ustar"u8))
            return null;
        if (!ChecksumValid(header))
            return null;
        return new FormatMatch(offset, ArchiveLength(blob, offset), header[MagicOffset + 5] == ' ' ? "tar (GNU)" : "tar (ustar/pax)");
    }

    /// <summary>
    /// Walks the headers to the end-of-archive zero blocks and returns the archive's length (one
    /// 512-byte read per entry), so a carved tar ends where it ends. Null when the walk meets a
    /// damaged header, leaves the blob, or needs the sparse or pax bookkeeping to continue.
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
                if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
                {
                    // One zero block ends the walk; a second one, when present, belongs to the archive.
                    var second = new byte[Block];
                    var twoBlocks = blob.TryReadExactly(position + Block, second) && second.AsSpan().IndexOfAnyExcept((byte)0) < 0;
                    return position + (twoBlocks ? 2 * Block : Block) - offset;
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
        var header = new byte[Block];
        long position = 0;
        string? longName = null, longLink = null;
        Dictionary<string, string>? pax = null, globalPax = null;
        var zeroBlocks = 0;
        while (position + Block <= chunk.Length)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            chunk.ReadExactly(position, header);
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                // Two zero blocks end the archive; one alone is tolerated.
                if (++zeroBlocks == 2)
                    return;
                position += Block;
                continue;
            }
            zeroBlocks = 0;
            if (!ChecksumValid(header))
                throw new FormatException(Id, position, "header checksum does not match; the archive is corrupt or truncated here");
            var type = (char)header[TypeOffset];
            var size = ReadNumber(header, SizeOffset, LongNumberLength, position);
            if (pax is not null && pax.TryGetValue("size", out var paxSize) && long.TryParse(paxSize, out var ps) && ps >= 0)
                size = ps;
            var dataStart = checked(position + Block);
            var stored = type is '5' or '1' or '2' or '3' or '4' or '6' ? 0 : size;
            if (type is 'S')
                stored = size;
            if (stored < 0 || dataStart + stored > chunk.Length)
                throw new FormatException(Id, position, $"entry size {size} passes the end of the archive (0x{chunk.Length:x}); the archive is truncated");
            var next = checked(dataStart + ((stored + Block - 1) / Block * Block));
            switch (type)
            {
                case 'L':
                    longName = ReadText(chunk, dataStart, size, position);
                    position = next;
                    continue;
                case 'K':
                    longLink = ReadText(chunk, dataStart, size, position);
                    position = next;
                    continue;
                case 'x':
                    pax = ParsePax(ReadText(chunk, dataStart, size, position), globalPax, position);
                    position = next;
                    continue;
                case 'g':
                    globalPax = ParsePax(ReadText(chunk, dataStart, size, position), null, position);
                    position = next;
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
            try
            {
                switch (type)
                {
                    case '0' or '\0' or '7':
                        if (Value(pax, "GNU.sparse.major") == "1" && Value(pax, "GNU.sparse.realsize") is { } real && Value(pax, "GNU.sparse.name") is { } sparseName)
                        {
                            if (!long.TryParse(real, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var realSize))
                                throw new FormatException(Id, position, $"pax GNU.sparse.realsize '{Printable(real)}' is not a decimal size");
                            EmitPaxSparse(chunk, context, meta with { Path = sparseName }, dataStart, size, realSize, position);
                        }
                        else
                            context.AddFile(meta, chunk.Slice(dataStart, size));
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
                        next = EmitGnuSparse(chunk, context, meta, header, position, dataStart, size);
                        break;
                    default:
                        context.AddError($"entry type '{Printable(type)}' is not a file type Assay knows; its {size} bytes are skipped", position, name);
                        break;
                }
            }
            finally
            {
                longName = longLink = null;
                pax = null;
            }
            position = next;
        }
        if (position < chunk.Length && chunk.Length - position >= Block)
            context.AddError("the archive ends without its two zero blocks", position);
    }

    /// <summary>GNU old sparse ('S'): up to 4 (offset, numbytes) pairs in the header, more in extension blocks; data stored back to back.</summary>
    private long EmitGnuSparse(IBlob chunk, IUnpackContext context, EntryMeta meta, byte[] header, long position, long dataStart, long storedSize)
    {
        var map = new List<(long Offset, long Length)>();
        ReadSparsePairs(header, GnuSparseOffset, GnuSparseEntries, map, position);
        var realSize = ReadNumber(header, GnuRealSizeOffset, LongNumberLength, position);
        var extended = header[GnuIsExtendedOffset] != 0;
        var cursor = dataStart;
        var ext = new byte[Block];
        while (extended)
        {
            if (cursor + Block > chunk.Length || map.Count > MaxSparseEntries)
                throw new FormatException(Id, cursor, "sparse map extension passes the end of the archive or is too long");
            chunk.ReadExactly(cursor, ext);
            ReadSparsePairs(ext, 0, 21, map, cursor);
            extended = ext[504] != 0;
            cursor += Block;
        }
        context.AddFile(meta, new SparseStream(chunk, cursor, storedSize, map, realSize, Id), Math.Max(1, storedSize));
        return checked(cursor + ((storedSize + Block - 1) / Block * Block));
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
    private void EmitPaxSparse(IBlob chunk, IUnpackContext context, EntryMeta meta, long dataStart, long size, long realSize, long position)
    {
        var reader = new LineReader(chunk, dataStart, Math.Min(size, MaxExtendedHeader));
        var count = reader.Next(Id, position);
        if (count < 0 || count > MaxSparseEntries)
            throw new FormatException(Id, position, $"sparse map count {count} is out of range");
        var map = new List<(long, long)>();
        for (var i = 0; i < count; i++)
            map.Add((reader.Next(Id, position), reader.Next(Id, position)));
        var mapBytes = (reader.Consumed + Block - 1) / Block * Block;
        context.AddFile(meta, new SparseStream(chunk, dataStart + mapBytes, size - mapBytes, map, realSize, Id), Math.Max(1, size - mapBytes));
    }

    private static bool ChecksumValid(byte[] header)
    {
        long unsigned = 0;
        for (var i = 0; i < Block; i++)
            unsigned += i is >= ChecksumOffset and < ChecksumOffset + 8 ? ' ' : header[i];
        // chksum: octal digits, then NUL and/or space (POSIX: 6 digits, NUL, space; old tars vary).
        long stored = 0;
        var digits = 0;
        foreach (var b in header.AsSpan(ChecksumOffset, 8))
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
                value = checked((value << 8) | b);
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
            result = checked((result * 8) + (b - '0'));
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

    private string ReadText(IBlob chunk, long offset, long size, long position)
    {
        if (size > MaxExtendedHeader)
            throw new FormatException(Id, position, $"extended header of {size} bytes is larger than {MaxExtendedHeader}; refusing");
        var bytes = chunk.ReadBytes(offset, (int)size);
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
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(bytes, i, space - i), out var length) || length < space - i + 2 || i + length > bytes.Length)
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

    /// <summary>Reads newline-terminated decimal numbers from a bounded region.</summary>
    private sealed class LineReader(IBlob blob, long start, long length)
    {
        public long Consumed { get; private set; }

        public long Next(string id, long position)
        {
            long value = 0;
            var digits = 0;
            Span<byte> b = stackalloc byte[1];
            while (Consumed < length)
            {
                blob.ReadExactly(start + Consumed, b);
                Consumed++;
                if (b[0] == '\n')
                    return digits > 0 ? value : throw new FormatException(id, position, "empty number in the sparse map");
                if (b[0] is < (byte)'0' or > (byte)'9' || ++digits > 18)
                    throw new FormatException(id, position, "sparse map holds a non-decimal or too long number");
                value = (value * 10) + (b[0] - '0');
            }
            throw new FormatException(id, position, "sparse map is truncated");
        }
    }
}
