using System.Text;
using Assay.Core.Content;

namespace Assay.Formats.Containers;

/// <summary>One member of an image archive: its name (without a leading <c>./</c>) and where its bytes lie.</summary>
internal sealed record TarMember(string Name, char Type, long DataOffset, long Size, string LinkName = "");

/// <summary>
/// The member table of the tar that carries an image (<c>docker save</c>, <c>skopeo copy
/// oci-archive:</c>): names and data extents only, so blobs are read as slices of the archive with
/// no copy. Image archives hold few members and only a fixed set of top-level names, which makes
/// the walk cheap and lets a plain root-filesystem tar be turned down at its first member.
/// </summary>
/// <remarks>
/// ustar header (POSIX.1-2017 pax): name[100] @0, size[12] @124, chksum[8] @148, typeflag @156,
/// magic "ustar" @257, prefix[155] @345. pax 'x' records may replace path and size; GNU 'L'
/// carries a long name. The archive ends with a zero block (two, normally).
/// </remarks>
internal static class TarMembers
{
    private const int Block = 512;
    private const int NameOffset = 0, NameLength = 100;
    private const int SizeOffset = 124, SizeLength = 12;
    private const int ChecksumOffset = 148, ChecksumLength = 8;
    private const int TypeOffset = 156;
    private const int LinkOffset = 157, LinkLength = 100;
    private const int MagicOffset = 257;
    private const int PrefixOffset = 345, PrefixLength = 155;
    private const int MaxExtendedHeader = 64 << 10;

    /// <summary>An image archive with more members than this is not one a registry tool wrote.</summary>
    public const int MaxMembers = 100_000;

    /// <summary>
    /// The members of the tar at <paramref name="offset"/> and the archive's end, or null when the
    /// bytes are not a tar whose every top-level name satisfies <paramref name="acceptTopLevel"/>
    /// ("not this format"). A member past the end of the blob also gives null: a truncated
    /// archive is left to the tar handler, which reports what it can.
    /// </summary>
    public static (List<TarMember> Members, long End)? TryRead(IBlob blob, long offset, Func<string, bool> acceptTopLevel)
    {
        var header = new byte[Block];
        var members = new List<TarMember>();
        var position = offset;
        string? longName = null, longLink = null;
        string? paxPath = null;
        long? paxSize = null;
        while (members.Count <= MaxMembers)
        {
            if (!blob.TryReadExactly(position, header))
                return null;
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                var second = new byte[Block];
                var two = blob.TryReadExactly(position + Block, second) && second.AsSpan().IndexOfAnyExcept((byte)0) < 0;
                return members.Count == 0 ? null : (members, checked(position + (two ? 2 * Block : Block)));
            }
            if (!header.AsSpan(MagicOffset, 5).SequenceEqual("ustar"u8) || !ChecksumValid(header))
                return null;
            var type = (char)header[TypeOffset];
            var size = paxSize ?? ReadOctal(header.AsSpan(SizeOffset, SizeLength));
            if (size is null or < 0)
                return null;
            var dataOffset = checked(position + Block);
            var stored = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : size.Value;
            if (stored > blob.Length - dataOffset)
                return null;
            var next = checked(dataOffset + ((stored + Block - 1) / Block * Block));
            switch (type)
            {
                case 'L':
                    longName = ReadText(blob, dataOffset, stored);
                    if (longName is null)
                        return null;
                    break;
                case 'K':
                    longLink = ReadText(blob, dataOffset, stored);
                    break;
                case 'x':
                    (paxPath, paxSize) = ParsePax(ReadText(blob, dataOffset, stored));
                    break;
                case 'g':
                    break;
                default:
                    var name = Normalize(longName ?? paxPath ?? HeaderName(header));
                    var link = longLink ?? CString(header.AsSpan(LinkOffset, LinkLength));
                    longName = longLink = paxPath = null;
                    paxSize = null;
                    if (name.Length > 0)
                    {
                        var slash = name.IndexOf('/', StringComparison.Ordinal);
                        if (!acceptTopLevel(slash < 0 ? name : name[..slash]))
                            return null;
                        members.Add(new TarMember(name, type == '\0' ? '0' : type, dataOffset, stored, link));
                    }
                    break;
            }
            position = next;
        }
        return null;
    }

    /// <summary><c>./blobs/sha256/ab/</c> → <c>blobs/sha256/ab</c>.</summary>
    public static string Normalize(string name)
    {
        var s = name.AsSpan();
        while (s.StartsWith("./", StringComparison.Ordinal))
            s = s[2..];
        s = s.TrimStart('/').TrimEnd('/');
        return s is "." ? "" : s.ToString();
    }

    private static bool ChecksumValid(byte[] header)
    {
        long sum = 0;
        for (var i = 0; i < Block; i++)
            sum += i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? ' ' : header[i];
        return ReadOctal(header.AsSpan(ChecksumOffset, ChecksumLength)) == sum;
    }

    /// <summary>Octal text with NUL/space padding, or GNU base-256 (high bit of the first byte); null when neither.</summary>
    private static long? ReadOctal(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0)
                return null;
            long big = field[0] & 0x3f;
            foreach (var b in field[1..])
            {
                if (big > (long.MaxValue >> 8))
                    return null;
                big = (big << 8) | b;
            }
            return big;
        }
        long value = 0;
        var digits = 0;
        foreach (var b in field)
        {
            if (b is 0 or (byte)' ')
            {
                if (digits > 0)
                    break;
                continue;
            }
            if (b is < (byte)'0' or > (byte)'7' || ++digits > 21)
                return null;
            value = (value * 8) + (b - '0');
        }
        return digits > 0 ? value : null;
    }

    private static string HeaderName(byte[] header)
    {
        var name = CString(header.AsSpan(NameOffset, NameLength));
        var prefix = header.AsSpan(MagicOffset, 6).SequenceEqual("ustar\0"u8) ? CString(header.AsSpan(PrefixOffset, PrefixLength)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static string? ReadText(IBlob blob, long offset, long size)
    {
        if (size is <= 0 or > MaxExtendedHeader)
            return null;
        var bytes = blob.ReadBytes(offset, (int)size);
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    /// <summary>pax records "LEN KEY=VALUE\n": the path and size keys, the rest ignored.</summary>
    private static (string? Path, long? Size) ParsePax(string? text)
    {
        if (text is null)
            return (null, null);
        string? path = null;
        long? size = null;
        foreach (var line in text.Split('\n'))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (space < 0 || eq < space)
                continue;
            var key = line[(space + 1)..eq];
            var value = line[(eq + 1)..];
            if (key == "path")
                path = value;
            else if (key == "size" && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s))
                size = s;
        }
        return (path, size);
    }
}
