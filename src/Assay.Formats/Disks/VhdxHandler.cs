using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Disks;

/// <summary>
/// Microsoft VHDX (Hyper-V): the guest disk is the child <c>disk.raw</c>, read through the BAT
/// found in the region table; block size, disk size and sector size come from the metadata
/// region. A differencing disk's parent is reported, never opened.
/// </summary>
/// <remarks>
/// [MS-VHDX] v20160714: file identifier "vhdxfile" @0; headers "head" @64 KiB and @128 KiB (the
/// one with the higher sequence number u64 @8 and a valid CRC-32C @4 is current; log GUID @48);
/// region tables "regi" @192 KiB and @256 KiB (entry count u32 @8, 32-byte entries @16: GUID,
/// file offset u64, length u32, required u32). Metadata table "metadata" (entry count u16 @10,
/// entries @32: item GUID, offset u32 @16, length u32 @20). BAT entries u64: state in bits 0-2
/// (6 fully present, 7 partially present), file offset in MiB in bits 20-63; after every chunk
/// ratio (2^23 × sector size / block size) payload entries comes one sector-bitmap entry.
/// <code>
/// 00000000  76 68 64 78 66 69 6c 65  71 00 65 00 6d 00 75 00  |vhdxfileq.e.m.u.|
/// </code>
/// </remarks>
internal sealed class VhdxHandler : IFormatHandler<VhdxHandler.Layout>
{
    private const long HeaderOffset1 = 64 << 10, HeaderOffset2 = 128 << 10, RegionOffset1 = 192 << 10, RegionOffset2 = 256 << 10;
    private const int HeaderSize = 4096, RegionSize = 64 << 10;
    private const int SequenceOffset = 8, LogGuidOffset = 48;
    private const int MaxRegionEntries = 2047, MaxMetadataEntries = 2047;
    private const int StateFullyPresent = 6, StatePartiallyPresent = 7;
    private static readonly Guid BatRegion = new("2DC27766-F623-4200-9D64-115E9BFD4A08");
    private static readonly Guid MetadataRegion = new("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static readonly Guid FileParameters = new("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    private static readonly Guid VirtualDiskSize = new("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static readonly Guid LogicalSectorSize = new("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");

    public string Id => "vhdx";
    public string Description => "Microsoft VHDX virtual disk";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("vhdxfile")];
    public IReadOnlyList<string> References { get; } = ["[MS-VHDX] Virtual Hard Disk v2 (VHDX) File Format, v20160714"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "the log is not replayed: an image not closed cleanly is read as its blocks are, and reported",
        "partially present blocks of a differencing disk are read whole; the parent is never opened",
    ];

    internal sealed record Layout(long Size, int BlockSize, int SectorSize, long BatOffset, int BatLength, bool HasParent, bool LogPending);

    public FormatMatch<Layout>? TryMatch(IBlob blob, long offset)
    {
        var id = blob.ReadBytes(offset, 8);
        if (id.Length < 8 || !id.AsSpan().SequenceEqual("vhdxfile"u8))
            return null;
        var layout = Read(blob, offset);
        return layout is null ? null : new FormatMatch<Layout>(offset, null, $"VHDX{(layout.HasParent ? " differencing" : "")} disk, {layout.Size >> 20} MiB virtual, {layout.BlockSize >> 20} MiB blocks", layout);
    }

    private static Layout? Read(IBlob blob, long offset)
    {
        // the current header: valid CRC-32C, higher sequence number
        byte[]? current = null;
        ulong best = 0;
        foreach (var at in new[] { HeaderOffset1, HeaderOffset2 })
        {
            var h = blob.ReadBytes(offset + at, HeaderSize);
            if (h.Length < HeaderSize || !h.AsSpan(0, 4).SequenceEqual("head"u8) || !Crc32C.Verify(h, 4))
                continue;
            var sequence = BinaryPrimitives.ReadUInt64LittleEndian(h.AsSpan(SequenceOffset));
            if (current is null || sequence > best)
            {
                current = h;
                best = sequence;
            }
        }
        if (current is null)
            return null;
        var logPending = new Guid(current.AsSpan(LogGuidOffset, 16)) != Guid.Empty;
        byte[]? region = null;
        foreach (var at in new[] { RegionOffset1, RegionOffset2 })
        {
            var r = blob.ReadBytes(offset + at, RegionSize);
            if (r.Length == RegionSize && r.AsSpan(0, 4).SequenceEqual("regi"u8) && Crc32C.Verify(r, 4))
            {
                region = r;
                break;
            }
        }
        if (region is null)
            return null;
        var count = BinaryPrimitives.ReadInt32LittleEndian(region.AsSpan(8));
        if (count is < 0 or > MaxRegionEntries)
            return null;
        long batOffset = 0, metaOffset = 0;
        int batLength = 0, metaLength = 0;
        for (var i = 0; i < count; i++)
        {
            var e = region.AsSpan(16 + (i * 32), 32);
            var guid = new Guid(e[..16]);
            var fileOffset = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
            if (guid == BatRegion)
                (batOffset, batLength) = (fileOffset, length);
            else if (guid == MetadataRegion)
                (metaOffset, metaLength) = (fileOffset, length);
        }
        if (batOffset <= 0 || metaOffset <= 0 || batLength <= 0 || metaLength is <= 0 or > (1 << 24))
            return null;
        var meta = blob.ReadBytes(offset + metaOffset, metaLength);
        if (meta.Length < 32 || !meta.AsSpan(0, 8).SequenceEqual("metadata"u8))
            return null;
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(meta.AsSpan(10));
        if (entries > MaxMetadataEntries)
            return null;
        long size = 0;
        int blockSize = 0, sectorSize = 0;
        var hasParent = false;
        for (var i = 0; i < entries && 32 + ((i + 1) * 32) <= meta.Length; i++)
        {
            var e = meta.AsSpan(32 + (i * 32), 32);
            var guid = new Guid(e[..16]);
            var at = BinaryPrimitives.ReadInt32LittleEndian(e[16..]);
            var length = BinaryPrimitives.ReadInt32LittleEndian(e[20..]);
            if (at < 0 || length < 4 || at + length > meta.Length)
                continue;
            var item = meta.AsSpan(at, length);
            if (guid == FileParameters && length >= 8)
            {
                blockSize = BinaryPrimitives.ReadInt32LittleEndian(item);
                hasParent = (BinaryPrimitives.ReadUInt32LittleEndian(item[4..]) & 2) != 0;
            }
            else if (guid == VirtualDiskSize && length >= 8)
                size = BinaryPrimitives.ReadInt64LittleEndian(item);
            else if (guid == LogicalSectorSize)
                sectorSize = BinaryPrimitives.ReadInt32LittleEndian(item);
        }
        // [MS-VHDX] 2.6.2.1: block size 1 MiB..256 MiB, a power of two; sector size 512 or 4096
        if (size <= 0 || blockSize < (1 << 20) || blockSize > (256 << 20) || (blockSize & (blockSize - 1)) != 0 || sectorSize is not (512 or 4096))
            return null;
        return new Layout(size, blockSize, sectorSize, batOffset, batLength, hasParent, logPending);
    }

    public void Unpack(IBlob chunk, FormatMatch<Layout> match, IUnpackContext context)
    {
        var l = match.State;
        if (l.LogPending)
            context.AddError("the image has a pending log (it was not closed cleanly); the log is not replayed, so the newest writes may be missing", HeaderOffset1);
        if (l.HasParent)
            context.AddError("a differencing disk: its parent is not opened (Assay never follows a reference out of the delivery); blocks the parent supplies read as zeros", HeaderOffset1);
        var chunkRatio = (1L << 23) * l.SectorSize / l.BlockSize;
        var blocks = (l.Size + l.BlockSize - 1) / l.BlockSize;
        var entries = blocks + (blocks / chunkRatio) + 1;
        if (l.BatOffset + Math.Min(entries * 8, l.BatLength) > chunk.Length)
            throw new FormatException(Id, l.BatOffset, $"the BAT at 0x{l.BatOffset:x} lies past the end of the file (0x{chunk.Length:x}); the image is truncated");
        var raw = chunk.ReadBytes(l.BatOffset, (int)Math.Min(entries * 8, l.BatLength));
        var map = new long[blocks];
        var bad = 0;
        for (long i = 0; i < blocks; i++)
        {
            var index = i + (i / chunkRatio);
            if ((index + 1) * 8 > raw.Length)
                break;
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan((int)(index * 8)));
            var state = (int)(entry & 7);
            if (state is not (StateFullyPresent or StatePartiallyPresent))
                continue;
            var at = (long)(entry >> 20) << 20;
            if (at + l.BlockSize > chunk.Length)
            {
                bad++;
                continue;
            }
            map[i] = at;
        }
        if (bad > 0)
            context.AddError($"{bad} BAT entr{(bad == 1 ? "y points" : "ies point")} past the end of the file; those blocks read as zeros", l.BatOffset);
        context.AddFile(new EntryMeta("disk.raw"), new VhdxBlob(Id, chunk, l.Size, l.BlockSize, map));
    }

    private sealed class VhdxBlob(string formatId, IBlob image, long length, int blockSize, long[] map) : GrainBlob(formatId, image, length, blockSize)
    {
        protected override Grain Locate(long grain) => grain < map.Length && map[grain] > 0 ? new Grain(GrainKind.Plain, map[grain], GrainSize) : default;

        protected override void Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, long grain) => destination.Clear();
    }

    /// <summary>CRC-32C (Castagnoli, reflected 0x82f63b78) over a structure whose checksum field is taken as zero.</summary>
    private static class Crc32C
    {
        private static readonly uint[] Table = Build();

        private static uint[] Build()
        {
            var t = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0x82f63b78 ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            return t;
        }

        public static bool Verify(byte[] data, int checksumOffset)
        {
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(checksumOffset));
            var crc = 0xffffffffu;
            for (var i = 0; i < data.Length; i++)
            {
                var b = i >= checksumOffset && i < checksumOffset + 4 ? (byte)0 : data[i];
                crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
            }
            return ~crc == stored;
        }
    }
}
