using System.Buffers.Binary;

namespace Assay.Formats.Ext;

/// <summary>
/// The fields of <c>struct ext4_group_desc</c> (fs/ext4/ext4.h) that reading needs: where the
/// group's inode table starts and whether it was ever initialised. 32 bytes, or s_desc_size (64+)
/// with the 64bit feature, whose second half carries the high 32 bits of each block number.
/// </summary>
internal readonly record struct ExtGroupDescriptor(ulong InodeTable, ushort Flags)
{
    public const int Size32 = 32;
    public const int Size64 = 64;

    private const int InodeTableLoField = 0x08;
    private const int FlagsField = 0x12;
    private const int InodeTableHiField = 0x28;

    /// <summary>EXT4_BG_INODE_UNINIT: the inode table was never written; every inode in it is unused.</summary>
    public const ushort FlagInodeUninit = 0x1;

    public bool InodesUninitialized => (Flags & FlagInodeUninit) != 0;

    public static ExtGroupDescriptor Parse(ReadOnlySpan<byte> desc, bool is64Bit)
    {
        ulong table = BinaryPrimitives.ReadUInt32LittleEndian(desc[InodeTableLoField..]);
        if (is64Bit && desc.Length >= Size64)
            table |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(desc[InodeTableHiField..]) << 32;
        return new ExtGroupDescriptor(table, BinaryPrimitives.ReadUInt16LittleEndian(desc[FlagsField..]));
    }
}
