using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Disks;

/// <summary>
/// Microsoft VHD dynamic and differencing disks (Hyper-V, Azure, <c>qemu-img -O vpc</c>): the
/// guest disk is the child <c>disk.raw</c>, read block by block through the block allocation
/// table. A differencing disk's parent is reported, never opened. A fixed VHD is the raw disk plus
/// a 512-byte footer: its partition table is found at offset 0 like any raw disk's.
/// </summary>
/// <remarks>
/// Footer (big-endian, "Virtual Hard Disk Image Format Specification" 1.0): cookie "conectix" @0,
/// data offset u64 @16, current size u64 @48, disk type u32 @60 (2 fixed, 3 dynamic, 4
/// differencing); dynamic disks repeat it at offset 0. Dynamic header at the data offset: cookie
/// "cxsparse" @0, table offset u64 @16, max table entries u32 @28, block size u32 @32, parent
/// unicode name (UTF-16BE) @64. A BAT entry is the sector of a block's sector bitmap, the data
/// follows the bitmap; 0xffffffff is unallocated.
/// <code>
/// 00000000  63 6f 6e 65 63 74 69 78  00 00 00 02 00 01 00 00  |conectix........|
/// </code>
/// </remarks>
internal sealed class VhdHandler : IFormatHandler<VhdHandler.Header>
{
    private const int Sector = 512;
    private const int DataOffsetOffset = 16, CurrentSizeOffset = 48, DiskTypeOffset = 60;
    private const int TableOffsetOffset = 16, MaxEntriesOffset = 28, BlockSizeOffset = 32, ParentNameOffset = 64, ParentNameBytes = 512;
    private const int TypeFixed = 2, TypeDynamic = 3, TypeDifferencing = 4;
    private const uint Unallocated = 0xffffffff;

    public string Id => "vhd";
    public string Description => "Microsoft VHD dynamic or differencing disk";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("conectix")];
    public IReadOnlyList<string> References { get; } = ["Microsoft Virtual Hard Disk Image Format Specification, version 1.0"];
    public IReadOnlyList<string> Limitations { get; } = ["a differencing disk's parent is not opened: sectors it would supply read as zeros", "fixed VHDs are read as raw disks (their footer is trailing data)"];

    internal sealed record Header(long Size, int Type, long TableOffset, int Entries, int BlockSize, string? Parent);

    public FormatMatch<Header>? TryMatch(IBlob blob, long offset)
    {
        var footer = new byte[Sector];
        if (!blob.TryReadExactly(offset, footer) || !footer.AsSpan(0, 8).SequenceEqual("conectix"u8))
            return null;
        var type = BinaryPrimitives.ReadInt32BigEndian(footer.AsSpan(DiskTypeOffset));
        var size = BinaryPrimitives.ReadInt64BigEndian(footer.AsSpan(CurrentSizeOffset));
        var dataOffset = BinaryPrimitives.ReadInt64BigEndian(footer.AsSpan(DataOffsetOffset));
        if (type is not (TypeDynamic or TypeDifferencing) || size <= 0 || dataOffset <= 0)
            return null;
        var dyn = new byte[1024];
        if (!blob.TryReadExactly(offset + dataOffset, dyn) || !dyn.AsSpan(0, 8).SequenceEqual("cxsparse"u8))
            return null;
        var table = BinaryPrimitives.ReadInt64BigEndian(dyn.AsSpan(TableOffsetOffset));
        var entries = BinaryPrimitives.ReadInt32BigEndian(dyn.AsSpan(MaxEntriesOffset));
        var block = BinaryPrimitives.ReadInt32BigEndian(dyn.AsSpan(BlockSizeOffset));
        if (table <= 0 || entries <= 0 || block < Sector || (block & (block - 1)) != 0 || (long)entries * block < size)
            return null;
        string? parent = null;
        if (type == TypeDifferencing)
            parent = string.Concat(Encoding.BigEndianUnicode.GetString(dyn, ParentNameOffset, ParentNameBytes).TrimEnd('\0').Where(c => !char.IsControl(c)).Take(200));
        return new FormatMatch<Header>(offset, null, $"VHD {(type == TypeDynamic ? "dynamic" : "differencing")} disk, {size >> 20} MiB virtual, {block >> 10} KiB blocks", new Header(size, type, table, entries, block, parent));
    }

    public void Unpack(IBlob chunk, FormatMatch<Header> match, IUnpackContext context)
    {
        var h = match.State;
        if (h.Type == TypeDifferencing)
            context.AddError($"a differencing disk over the parent '{h.Parent}', which is not opened (Assay never follows a reference out of the delivery): sectors the parent would supply read as zeros; scan the parent too", DataOffsetOffset);
        var used = (int)Math.Min(h.Entries, (h.Size + h.BlockSize - 1) / h.BlockSize);
        if (h.TableOffset + (used * 4L) > chunk.Length)
            throw new FormatException(Id, TableOffsetOffset, $"the block allocation table at 0x{h.TableOffset:x} lies past the end of the file (0x{chunk.Length:x}); the image is truncated");
        var raw = chunk.ReadBytes(h.TableOffset, used * 4);
        var bitmapBytes = (((h.BlockSize / Sector) + 7) / 8 + Sector - 1) / Sector * Sector;
        var bat = new long[used];
        var bad = 0;
        for (var i = 0; i < used; i++)
        {
            var sector = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(i * 4));
            if (sector == Unallocated)
                continue;
            var data = ((long)sector * Sector) + bitmapBytes;
            if (data + h.BlockSize > chunk.Length)
            {
                bad++;
                continue;
            }
            bat[i] = data;
        }
        if (bad > 0)
            context.AddError($"{bad} block allocation table entr{(bad == 1 ? "y points" : "ies point")} past the end of the file; those blocks read as zeros", h.TableOffset);
        context.AddFile(new EntryMeta("disk.raw"), new VhdBlob(Id, chunk, h.Size, h.BlockSize, bat));
    }

    private sealed class VhdBlob(string formatId, IBlob image, long length, int blockSize, long[] bat) : GrainBlob(formatId, image, length, blockSize)
    {
        protected override Grain Locate(long grain) => grain < bat.Length && bat[grain] > 0 ? new Grain(GrainKind.Plain, bat[grain], GrainSize) : default;

        protected override void Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, long grain) => destination.Clear();
    }
}
