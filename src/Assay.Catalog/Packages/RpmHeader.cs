using System.Buffers.Binary;
using System.Text;

namespace Assay.Catalog.Packages;

/// <summary>
/// An rpm header blob as rpmdb stores it (rpm's lib/header.c, "header blob"; no lead, no
/// header magic): big-endian <c>int32 il</c> (index entries), <c>int32 dl</c> (data bytes), then
/// <c>il</c> 16-byte entries <c>{int32 tag, int32 type, int32 offset, int32 count}</c>, then the
/// data store. Only the string, string-array and int32 tags the catalog uses are decoded.
/// </summary>
internal sealed class RpmHeader
{
    // rpmTag values (lib/rpmtag.h)
    public const int TagName = 1000, TagVersion = 1001, TagRelease = 1002, TagEpoch = 1003;
    public const int TagVendor = 1011, TagLicense = 1014, TagArch = 1022, TagSourceRpm = 1044;
    public const int TagDirIndexes = 1116, TagBaseNames = 1117, TagDirNames = 1118;

    // rpmTagType values
    private const int TypeInt32 = 4, TypeString = 6, TypeStringArray = 8, TypeI18nString = 9;

    private const int EntrySize = 16;
    private const int MaxEntries = 100_000;
    private const int MaxData = 256 << 20;

    private readonly Dictionary<int, (int Type, int Offset, int Count)> _entries = [];
    private readonly byte[] _blob;
    private readonly int _dataStart;
    private readonly int _dataLength;

    private RpmHeader(byte[] blob, int dataStart, int dataLength)
    {
        _blob = blob;
        _dataStart = dataStart;
        _dataLength = dataLength;
    }

    /// <summary>Parses a blob; throws <see cref="InvalidDataException"/> naming the bad field.</summary>
    public static RpmHeader Parse(byte[] blob)
    {
        if (blob.Length < 8)
            throw new InvalidDataException($"header blob of {blob.Length} bytes is shorter than its 8-byte preamble");
        var il = BinaryPrimitives.ReadInt32BigEndian(blob);
        var dl = BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(4));
        if (il is <= 0 or > MaxEntries || dl is < 0 or > MaxData || 8L + (long)il * EntrySize + dl > blob.Length)
            throw new InvalidDataException($"header blob says {il} entries and {dl} data bytes, which do not fit its {blob.Length} bytes");
        var header = new RpmHeader(blob, 8 + il * EntrySize, dl);
        for (var i = 0; i < il; i++)
        {
            var e = blob.AsSpan(8 + i * EntrySize, EntrySize);
            var tag = BinaryPrimitives.ReadInt32BigEndian(e);
            var type = BinaryPrimitives.ReadInt32BigEndian(e[4..]);
            var offset = BinaryPrimitives.ReadInt32BigEndian(e[8..]);
            var count = BinaryPrimitives.ReadInt32BigEndian(e[12..]);
            if (offset < 0 || offset >= dl || count < 0)
                continue;
            header._entries.TryAdd(tag, (type, offset, count));
        }
        return header;
    }

    public string? String(int tag)
    {
        if (!_entries.TryGetValue(tag, out var e) || e.Type is not (TypeString or TypeI18nString or TypeStringArray))
            return null;
        return ReadStrings(e.Offset, 1).FirstOrDefault();
    }

    public int? Int32(int tag)
    {
        if (!_entries.TryGetValue(tag, out var e) || e.Type != TypeInt32 || e.Count < 1 || e.Offset + 4 > _dataLength)
            return null;
        return BinaryPrimitives.ReadInt32BigEndian(_blob.AsSpan(_dataStart + e.Offset));
    }

    public IReadOnlyList<string> Strings(int tag) =>
        _entries.TryGetValue(tag, out var e) && e.Type == TypeStringArray ? ReadStrings(e.Offset, Math.Min(e.Count, MaxEntries)) : [];

    public IReadOnlyList<int> Int32s(int tag)
    {
        if (!_entries.TryGetValue(tag, out var e) || e.Type != TypeInt32)
            return [];
        var n = Math.Min(e.Count, (_dataLength - e.Offset) / 4);
        var result = new int[Math.Max(0, n)];
        for (var i = 0; i < result.Length; i++)
            result[i] = BinaryPrimitives.ReadInt32BigEndian(_blob.AsSpan(_dataStart + e.Offset + i * 4));
        return result;
    }

    private List<string> ReadStrings(int offset, int count)
    {
        var result = new List<string>(Math.Min(count, 1024));
        var pos = offset;
        for (var i = 0; i < count && pos < _dataLength; i++)
        {
            var rest = _blob.AsSpan(_dataStart + pos, _dataLength - pos);
            var end = rest.IndexOf((byte)0);
            if (end < 0)
                break;
            result.Add(Encoding.UTF8.GetString(rest[..end]));
            pos += end + 1;
        }
        return result;
    }
}
