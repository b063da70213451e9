using System.Buffers.Binary;

namespace Assay.Formats.Yaffs;

/// <summary>
/// One NAND geometry: page (chunk) size, spare (OOB) size, and where the packed tags sit in the spare
/// (0, or 2 after the bad-block marker bytes: the two layouts images are written with).
/// </summary>
internal readonly record struct Yaffs2Geometry(int PageSize, int SpareSize, int TagsOffset)
{
    public int ChunkSize => PageSize + SpareSize;
}

/// <summary>
/// struct yaffs_packed_tags2_tags_only (yaffs_packedtags2.h), the first 16 bytes of the tags in the
/// spare: seq_number, obj_id, chunk_id, n_bytes (little-endian). In an object header's tags
/// chunk_id has bit 31 set (EXTRA_HEADER_INFO_FLAG) and the parent id in its low bits, and obj_id
/// carries the object type in bits 28-31.
/// </summary>
internal readonly record struct Yaffs2Tags(uint Sequence, uint ObjectId, uint ChunkId, uint ByteCount)
{
    public const int Size = 16;
    public const uint LowestSequence = 0x00001000;
    public const uint HighestSequence = 0xefffff00;
    private const uint ExtraHeaderFlag = 0x80000000;
    private const uint ObjectIdMask = 0x0fffffff;

    public static Yaffs2Tags Read(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(s),
        BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(s[12..]));

    public bool IsErased => Sequence == 0xffffffff && ObjectId == 0xffffffff && ChunkId == 0xffffffff && ByteCount == 0xffffffff;

    public bool IsHeader => (ChunkId & ExtraHeaderFlag) != 0 || ChunkId == 0;

    /// <summary>The object id without the type bits an object header's tags may carry.</summary>
    public uint Object => (ChunkId & ExtraHeaderFlag) != 0 ? ObjectId & ObjectIdMask : ObjectId;

    /// <summary>Tags a real chunk can have: a sequence number in range and an object id other than 0.</summary>
    public bool IsPlausible(int pageSize) =>
        Sequence is >= LowestSequence and <= HighestSequence && Object is > 0 and <= ObjectIdMask
        && (IsHeader || ByteCount <= (uint)pageSize);
}

/// <summary>
/// struct yaffs_obj_hdr (yaffs_guts.h), little-endian, at the start of a header chunk:
/// <code>
/// u32 type @0 (1 file, 2 symlink, 3 directory, 4 hard link, 5 special); u32 parent_obj_id @4;
/// u16 sum_no_longer_used @8 (0xffff); char name[256] @10; u32 yst_mode @268; u32 yst_uid @272;
/// u32 yst_gid @276; u32 yst_atime @280; u32 yst_mtime @284; u32 yst_ctime @288;
/// u32 file_size_low @292; int equiv_id @296; char alias[160] @300; u32 yst_rdev @460;
/// ... u32 file_size_high @496
/// </code>
/// Object ids 1-4 are the root, lost+found, unlinked and deleted directories.
/// </summary>
internal sealed record Yaffs2Header(int Type, uint Parent, string Name, uint Mode, uint Uid, uint Gid, uint Mtime, long Size, uint Equivalent, string Alias, uint Rdev)
{
    public const int TypeFile = 1;
    public const int TypeSymlink = 2;
    public const int TypeDirectory = 3;
    public const int TypeHardlink = 4;
    public const int TypeSpecial = 5;
    public const uint RootId = 1;
    public const uint UnlinkedId = 3;
    public const uint DeletedId = 4;

    private const int TypeOffset = 0;
    private const int ParentOffset = 4;
    private const int NameOffset = 10;
    private const int NameLength = 256;
    private const int ModeOffset = 268;
    private const int UidOffset = 272;
    private const int GidOffset = 276;
    private const int MtimeOffset = 284;
    private const int SizeLowOffset = 292;
    private const int EquivalentOffset = 296;
    private const int AliasOffset = 300;
    private const int AliasLength = 160;
    private const int RdevOffset = 460;
    private const int SizeHighOffset = 496;
    public const int Length = 512;

    /// <summary>The header, or null when the bytes are not one (type out of range, name not terminated).</summary>
    public static Yaffs2Header? Read(ReadOnlySpan<byte> s)
    {
        if (s.Length < Length)
            return null;
        var type = BinaryPrimitives.ReadInt32LittleEndian(s[TypeOffset..]);
        if (type is < TypeFile or > TypeSpecial)
            return null;
        var name = Text(s.Slice(NameOffset, NameLength));
        var alias = Text(s.Slice(AliasOffset, AliasLength));
        if (name is null || alias is null)
            return null;
        var high = BinaryPrimitives.ReadUInt32LittleEndian(s[SizeHighOffset..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(s[SizeLowOffset..]);
        if (high != 0xffffffff)
            size |= (long)high << 32;
        return new Yaffs2Header(type, BinaryPrimitives.ReadUInt32LittleEndian(s[ParentOffset..]), name,
            BinaryPrimitives.ReadUInt32LittleEndian(s[ModeOffset..]), BinaryPrimitives.ReadUInt32LittleEndian(s[UidOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[GidOffset..]), BinaryPrimitives.ReadUInt32LittleEndian(s[MtimeOffset..]),
            size, BinaryPrimitives.ReadUInt32LittleEndian(s[EquivalentOffset..]), alias, BinaryPrimitives.ReadUInt32LittleEndian(s[RdevOffset..]));
    }

    private static string? Text(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return end < 0 ? null : System.Text.Encoding.UTF8.GetString(field[..end]);
    }
}
