using Assay.Core.Formats;

namespace Assay.Formats.SquashFs;

/// <summary>
/// The extended attributes of a 4.0 image (squashfs_fs.h, squashfs-tools read_xattrs.c). The
/// superblock's xattr_id_table_start points at struct squashfs_xattr_id_table {u64 xattr_table_start;
/// u32 xattr_ids; u32 unused}, followed by the positions (u64) of the metadata blocks that hold the
/// ids: struct squashfs_xattr_id {u64 xattr; u32 count; u32 size}, 512 per block. xattr is a
/// reference (block relative to xattr_table_start &lt;&lt; 16 | offset) to count entries, each
/// struct squashfs_xattr_entry {u16 type; u16 size; name} then struct squashfs_xattr_val {u32 vsize;
/// value}. type &amp; 0xff is the namespace (0 user., 1 trusted., 2 security.); type &amp; 0x100 means the
/// value is stored once elsewhere and this one is an 8-byte reference to it.
/// </summary>
internal sealed class SquashFsXattrs
{
    private const int TableHeaderSize = 16;
    private const int IdEntrySize = 16;
    private const int IdsPerBlock = SquashFsLayout.MetadataSize / IdEntrySize;
    private const int TypeOutOfLine = 0x100;
    private const int TypeMask = 0xff;
    private const int MaxEntries = 4096;
    private const int MaxValue = 1 << 20;

    private static readonly string[] Prefixes = ["user.", "trusted.", "security."];

    private readonly SquashFsImage _image;
    private readonly long _tableStart;
    private readonly uint _count;
    private readonly long _indexStart;

    private SquashFsXattrs(SquashFsImage image, long tableStart, uint count, long indexStart)
    {
        _image = image;
        _tableStart = tableStart;
        _count = count;
        _indexStart = indexStart;
    }

    /// <summary>The table of a 4.0 image, or null when it has none.</summary>
    public static SquashFsXattrs? Open(SquashFsImage image)
    {
        var sb = image.Super;
        if (!sb.IsVersion4 || sb.XattrIdTableStart is < 0 || (ulong)sb.XattrIdTableStart == SquashFsLayout.InvalidTable)
            return null;
        Span<byte> header = stackalloc byte[TableHeaderSize];
        if (!image.ReadRaw(sb.XattrIdTableStart, header))
            throw image.Error(sb.XattrIdTableStart, $"the xattr id table at 0x{sb.XattrIdTableStart:x} lies past the image end; the image is truncated");
        var o = image.Order;
        var tableStart = o.U64(header, 0);
        var count = o.U32(header, 8);
        if (tableStart >= (ulong)sb.XattrIdTableStart)
            throw image.Error(sb.XattrIdTableStart, $"xattr_table_start 0x{tableStart:x} is not before the id table at 0x{sb.XattrIdTableStart:x}; the table is corrupt");
        return new SquashFsXattrs(image, (long)tableStart, count, sb.XattrIdTableStart + TableHeaderSize);
    }

    /// <summary>The attributes of the inode whose xattr index is <paramref name="index"/>.</summary>
    public IReadOnlyList<ExtendedAttribute> Read(uint index)
    {
        if (index >= _count)
            throw _image.Error(_indexStart, $"xattr index {index} is past the {_count} entries of the xattr id table; the inode is corrupt");
        var o = _image.Order;
        Span<byte> pointer = stackalloc byte[8];
        var pointerAt = _indexStart + ((index / IdsPerBlock) * 8L);
        if (!_image.ReadRaw(pointerAt, pointer))
            throw _image.Error(pointerAt, "xattr id table index passes the image end; the image is truncated");
        var cursor = new MetadataCursor((long)o.U64(pointer, 0), (int)(index % IdsPerBlock) * IdEntrySize);
        Span<byte> id = stackalloc byte[IdEntrySize];
        _image.Read(ref cursor, id, "xattr id table");
        var reference = o.U64(id, 0);
        var entries = o.U32(id, 8);
        if (entries > MaxEntries)
            throw _image.Error(_indexStart, $"xattr id {index} claims {entries} attributes; at most {MaxEntries} are read");
        var at = Cursor(reference);
        var list = new List<ExtendedAttribute>((int)entries);
        Span<byte> head = stackalloc byte[4];
        for (var i = 0; i < entries; i++)
        {
            _image.Read(ref at, head, "xattr table");
            var type = o.U16(head, 0);
            var nameLength = o.U16(head, 2);
            var name = new byte[nameLength];
            _image.Read(ref at, name, "xattr table");
            var value = ReadValue(ref at);
            if ((type & TypeOutOfLine) != 0)
            {
                if (value.Length != 8)
                    throw _image.Error(_tableStart, $"out-of-line xattr value reference has {value.Length} bytes, not 8; the table is corrupt");
                var elsewhere = Cursor(o.U64(value, 0));
                value = ReadValue(ref elsewhere);
            }
            var ns = type & TypeMask;
            var prefix = ns < Prefixes.Length ? Prefixes[ns] : $"unknown{ns}.";
            list.Add(new ExtendedAttribute(prefix + SquashFsImage.DecodeName(name), value));
        }
        return list;
    }

    private byte[] ReadValue(ref MetadataCursor at)
    {
        Span<byte> size = stackalloc byte[4];
        _image.Read(ref at, size, "xattr table");
        var length = _image.Order.U32(size, 0);
        if (length > MaxValue)
            throw _image.Error(_tableStart, $"xattr value of {length} bytes; at most {MaxValue} are read; the table is corrupt");
        var value = new byte[length];
        _image.Read(ref at, value, "xattr table");
        return value;
    }

    private MetadataCursor Cursor(ulong reference) => new(checked(_tableStart + (long)(reference >> 16)), (int)(reference & 0xffff));
}
