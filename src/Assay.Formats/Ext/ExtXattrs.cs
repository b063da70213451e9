using System.Buffers.Binary;
using System.Text;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ext;

/// <summary>
/// Extended attributes of an inode (fs/ext4/xattr.h): those in the inode body after i_extra_isize
/// (magic 0xEA020000, then entries; value offsets count from the first entry) and those in the
/// block i_file_acl points at (struct ext4_xattr_header: magic, refcount, blocks, hash, checksum,
/// 32 bytes; entries follow; value offsets count from the block start). An entry is
/// struct ext4_xattr_entry {u8 e_name_len; u8 e_name_index; u16 e_value_offs; u32 e_value_inum;
/// u32 e_value_size; u32 e_hash; name}, padded to 4; the list ends at four zero bytes.
/// </summary>
internal static class ExtXattrs
{
    private const uint Magic = 0xEA020000;
    private const int EntryHeaderSize = 16;
    private const int BlockHeaderSize = 32;

    /// <summary>e_name_index prefixes (fs/ext4/xattr.c ext4_xattr_handler_map).</summary>
    private static string? Prefix(byte index) => index switch
    {
        1 => "user.",
        2 => "system.posix_acl_access",
        3 => "system.posix_acl_default",
        4 => "trusted.",
        6 => "security.",
        7 => "system.",
        8 => "system.richacl",
        _ => null,
    };

    /// <summary>All attributes of the inode except ext4's own system.data (inline data); null when there are none.</summary>
    public static IReadOnlyList<ExtendedAttribute>? Read(ExtVolume volume, ExtInode inode, long inodeOffset)
    {
        var list = new List<ExtendedAttribute>();
        var raw = inode.Raw;
        var start = ExtInode.GoodOldSize + inode.ExtraSize;
        if (raw.Length > ExtInode.GoodOldSize && start + 4 <= raw.Length && BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(start)) == Magic)
        {
            var area = raw.AsSpan(start + 4);
            Entries(area, area, inodeOffset + start + 4, list);
        }
        if (inode.FileAcl != 0)
        {
            volume.CheckBlocks(inode.FileAcl, 1, inodeOffset, "i_file_acl (the extended attribute block)");
            var block = new byte[volume.BlockSize];
            volume.ReadBlock(inode.FileAcl, block);
            if (BinaryPrimitives.ReadUInt32LittleEndian(block) != Magic)
                throw new FormatException(ExtVolume.Id, inodeOffset, $"the extended attribute block {inode.FileAcl} does not start with 0xEA020000; the inode's i_file_acl is damaged");
            Entries(block.AsSpan(BlockHeaderSize), block, volume.BlockOffset(inode.FileAcl), list);
        }
        return list.Count == 0 ? null : list;
    }

    private static void Entries(ReadOnlySpan<byte> entries, ReadOnlySpan<byte> valueBase, long position, List<ExtendedAttribute> list)
    {
        var pos = 0;
        while (pos + EntryHeaderSize <= entries.Length && BinaryPrimitives.ReadUInt32LittleEndian(entries[pos..]) != 0)
        {
            var entry = entries[pos..];
            var nameLength = entry[0];
            var index = entry[1];
            var valueOffset = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
            var valueInode = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            var valueSize = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            if (pos + EntryHeaderSize + nameLength > entries.Length)
                throw new FormatException(ExtVolume.Id, position + pos, "an extended attribute name runs past its area; the attributes are damaged");
            var name = Encoding.UTF8.GetString(entry.Slice(EntryHeaderSize, nameLength));
            pos += (EntryHeaderSize + nameLength + 3) & ~3;
            if (index == 7 && name == "data")
                continue; // inline data, not an attribute of the file
            var prefix = Prefix(index) ?? $"index{index}.";
            if (valueInode != 0)
            {
                // Large values in an EA inode (ea_inode feature) are not read; the name is still evidence.
                list.Add(new ExtendedAttribute(prefix + name, []));
                continue;
            }
            if (valueOffset + (long)valueSize > valueBase.Length)
                throw new FormatException(ExtVolume.Id, position + pos, $"the value of {prefix}{name} ({valueSize} bytes at +{valueOffset}) lies outside its area; the attributes are damaged");
            list.Add(new ExtendedAttribute(prefix + name, valueBase.Slice(valueOffset, (int)valueSize).ToArray()));
        }
    }
}
