using System.Buffers.Binary;
using System.Text;

namespace Assay.Formats.Ext;

/// <summary>One name in a directory: the inode it points to and where its record sits.</summary>
internal readonly record struct ExtDirEntry(uint Inode, string Name, long Offset);

/// <summary>
/// Linear directory blocks: a chain of <c>struct ext4_dir_entry_2</c> records.
/// <code>
/// struct ext4_dir_entry_2 { __le32 inode; __le16 rec_len; __u8 name_len; __u8 file_type; char name[]; };
/// 02 00 00 00 0c 00 01 02 2e 00 00 00     inode 2, rec_len 12, "."
/// </code>
/// Without the filetype feature name_len is a __le16. Hashed (htree) directories keep the same
/// records in their leaf blocks; the dx root hides behind a ".." record whose rec_len covers the
/// rest of block 0 and each dx node is one empty record (inode 0) spanning its block, so a linear
/// read skips them. The metadata_csum tail is an empty record too.
/// </summary>
internal static class ExtDirectory
{
    private const int InodeField = 0;
    private const int RecLenField = 4;
    private const int NameLenField = 6;
    private const int HeaderSize = 8;
    private const int RecordAlignment = 4;

    /// <summary>rec_len values 0 and 65535 stand for a whole 64 KiB block (ext4_rec_len_from_disk).</summary>
    private const int LargeBlockSize = 65536;
    private const int MaxRecLen = 65535;

    /// <summary>
    /// Reads the records of one region (a directory block, or an inline directory area). Returns
    /// null when the chain is well formed, else what is wrong with it; records before the fault are
    /// still in <paramref name="entries"/>.
    /// </summary>
    public static string? Parse(ReadOnlySpan<byte> region, bool hasFileType, int blockSize, long regionOffset, List<ExtDirEntry> entries)
    {
        var pos = 0;
        while (pos + HeaderSize <= region.Length)
        {
            var record = region[pos..];
            var inode = BinaryPrimitives.ReadUInt32LittleEndian(record[InodeField..]);
            int recLen = BinaryPrimitives.ReadUInt16LittleEndian(record[RecLenField..]);
            if (blockSize >= LargeBlockSize)
                recLen = recLen is 0 or MaxRecLen ? blockSize : (recLen & 0xfffc) | ((recLen & 3) << 16);
            int nameLen = hasFileType ? record[NameLenField] : BinaryPrimitives.ReadUInt16LittleEndian(record[NameLenField..]);
            if (recLen < HeaderSize || recLen % RecordAlignment != 0 || recLen > region.Length - pos)
                return $"directory record at 0x{regionOffset + pos:x} has rec_len {recLen}, expected a multiple of 4 from 8 to the {region.Length - pos} bytes left in the block";
            if (HeaderSize + nameLen > recLen)
                return $"directory record at 0x{regionOffset + pos:x} has name_len {nameLen}, longer than its rec_len {recLen} allows";
            if (inode != 0 && nameLen > 0)
            {
                var nameBytes = record.Slice(HeaderSize, nameLen);
                if (!(nameLen == 1 && nameBytes[0] == '.') && !(nameLen == 2 && nameBytes[0] == '.' && nameBytes[1] == '.'))
                    entries.Add(new ExtDirEntry(inode, Encoding.UTF8.GetString(nameBytes), regionOffset + pos));
            }
            pos += recLen;
        }
        return null;
    }
}
