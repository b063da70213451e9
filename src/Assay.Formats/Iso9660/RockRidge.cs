using System.Buffers.Binary;
using System.Text;

namespace Assay.Formats.Iso9660;

/// <summary>
/// What the Rock Ridge entries of one directory record say (RRIP 1.12 over SUSP 1.12). Each
/// SUSP entry is <c>signature[2] length version data</c>; numbers are both-byte order, read
/// little-endian. A record's entries start in its system use area (after SP's len_skp bytes) and
/// may go on in continuation areas named by CE.
/// </summary>
internal sealed class RockRidgeInfo
{
    /// <summary>Alternate name (NM, concatenated over continued entries); null when absent.</summary>
    public string? Name { get; set; }

    /// <summary>POSIX st_mode including the file type bits (PX).</summary>
    public int? Mode { get; set; }
    public long? Uid { get; set; }
    public long? Gid { get; set; }

    /// <summary>Symbolic link target (SL components joined by '/').</summary>
    public string? SymlinkTarget { get; set; }
    public (long Major, long Minor)? Device { get; set; }

    /// <summary>Modification time from TF, Unix seconds.</summary>
    public long? Mtime { get; set; }

    /// <summary>CL: this record stands for a directory relocated to this extent.</summary>
    public uint? ChildLink { get; set; }

    /// <summary>RE: this directory is the relocated copy; it is listed where its CL points from.</summary>
    public bool Relocated { get; set; }

    /// <summary>SP found (only in the root's "." record): SUSP is in use, entries start len_skp bytes in.</summary>
    public int? SuspSkip { get; set; }
}

/// <summary>Parses SUSP/Rock Ridge entries into a <see cref="RockRidgeInfo"/>.</summary>
internal static class RockRidge
{
    private const int EntryHeaderLength = 4;
    private const int SignatureLength = 2;
    private const int LengthField = 2;

    // SP: BP 5-6 check bytes 0xBE 0xEF, BP 7 len_skp (SUSP 5.3)
    private const int SpCheckField = 4;
    private const int SpSkipField = 6;
    private const int SpLength = 7;

    // CE: BP 5-12 block, 13-20 offset, 21-28 length of the continuation area (SUSP 5.1)
    private const int CeBlockField = 4;
    private const int CeOffsetField = 12;
    private const int CeLengthField = 20;
    private const int CeLength = 28;

    // PX: mode, links, uid, gid (and serial number in RRIP 1.12), each both-byte order (RRIP 4.1.1)
    private const int PxModeField = 4;
    private const int PxUidField = 20;
    private const int PxGidField = 28;
    private const int PxMinLength = 36;

    // PN: high and low halves of dev_t (RRIP 4.1.2)
    private const int PnHighField = 4;
    private const int PnLowField = 12;
    private const int PnLength = 20;

    // SL, NM: BP 5 flags, then components / name (RRIP 4.1.3, 4.1.4)
    private const int FlagsField = 4;
    private const int ContentField = 5;
    private const byte ContinueFlag = 0x01;
    private const byte CurrentFlag = 0x02;
    private const byte ParentFlag = 0x04;
    private const byte RootFlag = 0x08;

    // TF: BP 5 flags, then the stamps present in flag-bit order (RRIP 4.1.6)
    private const byte TfCreation = 0x01;
    private const byte TfModify = 0x02;
    private const byte TfLongForm = 0x80;

    // CL: location of the relocated directory (RRIP 4.1.5.1)
    private const int ClLocationField = 4;
    private const int ClLength = 12;

    /// <summary>A continuation area to read next: block, byte offset in it, length.</summary>
    public readonly record struct Continuation(uint Block, uint Offset, uint Length);

    /// <summary>
    /// Reads the entries of one area into <paramref name="info"/>; returns the CE continuation if
    /// the area names one. Malformed entries end the area (the text says why in <paramref name="problem"/>).
    /// </summary>
    public static Continuation? Parse(ReadOnlySpan<byte> area, RockRidgeInfo info, SymlinkBuilder link, ref string? problem)
    {
        Continuation? next = null;
        var pos = 0;
        while (pos + EntryHeaderLength <= area.Length)
        {
            var e = area[pos..];
            var length = e[LengthField];
            if (e[0] == 0)
                break; // padding to the end of the area
            if (length < EntryHeaderLength || length > e.Length)
            {
                problem = $"SUSP entry \"{Signature(e)}\" has length {length}, expected 4..{e.Length}";
                break;
            }
            e = e[..length];
            switch (Signature(e))
            {
                case "ST":
                    return next;
                case "SP" when length >= SpLength && e[SpCheckField] == 0xbe && e[SpCheckField + 1] == 0xef:
                    info.SuspSkip = e[SpSkipField];
                    break;
                case "CE" when length >= CeLength:
                    next = new Continuation(
                        BinaryPrimitives.ReadUInt32LittleEndian(e[CeBlockField..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(e[CeOffsetField..]),
                        BinaryPrimitives.ReadUInt32LittleEndian(e[CeLengthField..]));
                    break;
                case "PX" when length >= PxMinLength:
                    info.Mode = (int)(BinaryPrimitives.ReadUInt32LittleEndian(e[PxModeField..]) & 0xffff);
                    info.Uid = BinaryPrimitives.ReadUInt32LittleEndian(e[PxUidField..]);
                    info.Gid = BinaryPrimitives.ReadUInt32LittleEndian(e[PxGidField..]);
                    break;
                case "PN" when length >= PnLength:
                    var high = BinaryPrimitives.ReadUInt32LittleEndian(e[PnHighField..]);
                    var low = BinaryPrimitives.ReadUInt32LittleEndian(e[PnLowField..]);
                    // an old 16-bit dev_t may sit whole in the low half (as Linux isofs reads it)
                    info.Device = high == 0 && (low & ~0xffu) != 0 ? (low >> 8, low & 0xff) : (high, low);
                    break;
                case "NM" when length >= ContentField:
                    if ((e[FlagsField] & (CurrentFlag | ParentFlag)) == 0)
                        info.Name = (info.Name ?? "") + Encoding.UTF8.GetString(e[ContentField..]);
                    break;
                case "SL" when length >= ContentField:
                    if (!link.Add(e[ContentField..]))
                        problem = "SL component runs past its entry";
                    info.SymlinkTarget = link.Target;
                    break;
                case "TF" when length >= ContentField:
                    info.Mtime = ModifyTime(e) ?? info.Mtime;
                    break;
                case "CL" when length >= ClLength:
                    info.ChildLink = BinaryPrimitives.ReadUInt32LittleEndian(e[ClLocationField..]);
                    break;
                case "RE":
                    info.Relocated = true;
                    break;
            }
            pos += length;
        }
        return next;
    }

    private static string Signature(ReadOnlySpan<byte> e) => Encoding.ASCII.GetString(e[..SignatureLength]);

    private static long? ModifyTime(ReadOnlySpan<byte> e)
    {
        var flags = e[FlagsField];
        if ((flags & TfModify) == 0)
            return null;
        var size = (flags & TfLongForm) != 0 ? IsoTime.LongFormLength : IsoTime.ShortFormLength;
        var at = ContentField + ((flags & TfCreation) != 0 ? size : 0);
        if (at + size > e.Length)
            return null;
        var stamp = e.Slice(at, size);
        return size == IsoTime.LongFormLength ? IsoTime.FromLongForm(stamp) : IsoTime.FromShortForm(stamp);
    }

    /// <summary>
    /// Joins SL component records (flags, length, content) across SL entries: CURRENT is ".",
    /// PARENT "..", ROOT a leading "/", and CONTINUE joins a component with the next without '/'.
    /// </summary>
    internal sealed class SymlinkBuilder
    {
        private const int MaxTargetLength = 4096;
        private readonly List<string> _parts = [];
        private readonly StringBuilder _open = new();
        private bool _componentOpen;
        private int _length;

        public string? Target
        {
            get
            {
                List<string> parts = _componentOpen ? [.. _parts, _open.ToString()] : _parts;
                if (parts.Count == 0)
                    return null;
                return parts is [""] ? "/" : string.Join('/', parts);
            }
        }

        /// <summary>Adds the components of one SL entry; false when a component's length overruns the entry.</summary>
        public bool Add(ReadOnlySpan<byte> components)
        {
            var pos = 0;
            while (pos + 2 <= components.Length)
            {
                var flags = components[pos];
                var length = components[pos + 1];
                if (pos + 2 + length > components.Length)
                    return false;
                var text = (flags & CurrentFlag) != 0 ? "."
                    : (flags & ParentFlag) != 0 ? ".."
                    : (flags & RootFlag) != 0 ? ""
                    : Encoding.UTF8.GetString(components.Slice(pos + 2, length));
                _length += text.Length + 1;
                if (_length <= MaxTargetLength)
                    _open.Append(text);
                _componentOpen = (flags & ContinueFlag) != 0;
                if (!_componentOpen)
                {
                    _parts.Add(_open.ToString());
                    _open.Clear();
                }
                pos += 2 + length;
            }
            return true;
        }
    }
}
