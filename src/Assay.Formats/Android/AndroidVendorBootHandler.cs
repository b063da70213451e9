using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Android vendor_boot images (header v3 and v4, Android 11+): the vendor ramdisk(s), the DTB, and
/// for v4 the vendor ramdisk table (each named ramdisk listed on its own) and the bootconfig.
/// </summary>
/// <remarks>
/// AOSP bootimg.h vendor_boot_img_hdr_v3/v4, little-endian:
/// <code>
/// magic "VNDRBOOT" @0, header_version @8, page_size @12, kernel_addr @16, ramdisk_addr @20,
/// vendor_ramdisk_size @24, cmdline[2048] @28, tags_addr @2076, name[16] @2080, header_size @2096,
/// dtb_size @2100, dtb_addr (u64) @2104; v4: vendor_ramdisk_table_size @2112,
/// vendor_ramdisk_table_entry_num @2116, vendor_ramdisk_table_entry_size @2120, bootconfig_size @2124
/// table entry (v4): ramdisk_size, ramdisk_offset (within the vendor ramdisk section), ramdisk_type,
/// ramdisk_name[32], board_id[16 x u32]
/// </code>
/// Sections follow the header, each padded to page_size: vendor ramdisk, dtb, (v4) table, bootconfig.
/// </remarks>
internal sealed class AndroidVendorBootHandler : IFormatHandler<AndroidVendorBootHandler.State>
{
    private const int HeaderV3 = 2112;
    private const int VersionOffset = 8;
    private const int PageSizeOffset = 12;
    private const int RamdiskSizeOffset = 24;
    private const int CmdlineOffset = 28;
    private const int CmdlineLength = 2048;
    private const int NameOffset = 2080;
    private const int DtbSizeOffset = 2100;
    private const int TableSizeOffset = 2112;
    private const int TableCountOffset = 2116;
    private const int TableEntrySizeOffset = 2120;
    private const int BootconfigSizeOffset = 2124;
    private const int EntryNameOffset = 12;
    private const int EntryNameLength = 32;
    private const int MinEntrySize = 44;
    private const int MaxEntries = 1024;

    public string Id => "android-vendor-boot";
    public string Description => "Android vendor_boot image (header v3, v4 with the vendor ramdisk table)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("VNDRBOOT")];
    public IReadOnlyList<string> References { get; } = ["AOSP system/tools/mkbootimg include/bootimg/bootimg.h (vendor_boot_img_hdr_v3/v4, vendor_ramdisk_table_entry_v4)"];
    public IReadOnlyList<string> Limitations { get; } = ["the format has no checksum of its own (AVB verifies it from vbmeta)", "board ids of v4 ramdisk table entries are not shown"];

    internal sealed record State(int Version, IReadOnlyList<(string Name, long Offset, long Length)> Sections, IReadOnlyList<(string Name, long Offset, long Length)> Ramdisks);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        var h = blob.ReadBytes(offset, 2128);
        if (h.Length < HeaderV3 || !h.AsSpan(0, 8).SequenceEqual("VNDRBOOT"u8))
            return null;
        uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(at));
        var version = (int)U32(VersionOffset);
        var page = (int)U32(PageSizeOffset);
        if (version is not (3 or 4) || page is not (2048 or 4096 or 8192 or 16384) || (version == 4 && h.Length < 2128))
            return null;
        var sections = new List<(string, long, long)>();
        long at = AndroidBootImageHandler.Align(version == 4 ? 2128 : HeaderV3, page);
        var ramdiskStart = at;
        var ramdiskSize = U32(RamdiskSizeOffset);
        sections.Add(("vendor_ramdisk", at, ramdiskSize));
        at += AndroidBootImageHandler.Align(ramdiskSize, page);
        sections.Add(("dtb", at, U32(DtbSizeOffset)));
        at += AndroidBootImageHandler.Align(U32(DtbSizeOffset), page);
        var ramdisks = new List<(string, long, long)>();
        if (version == 4)
        {
            var tableSize = U32(TableSizeOffset);
            var count = U32(TableCountOffset);
            var entrySize = U32(TableEntrySizeOffset);
            if (count > MaxEntries || (count > 0 && entrySize < MinEntrySize) || (long)count * entrySize > tableSize)
                return null;
            var table = blob.ReadBytes(offset + at, (int)tableSize);
            for (var i = 0; i < count && table.Length == tableSize; i++)
            {
                var e = table.AsSpan((int)(i * entrySize));
                var size = BinaryPrimitives.ReadUInt32LittleEndian(e);
                var within = BinaryPrimitives.ReadUInt32LittleEndian(e[4..]);
                var name = AndroidBootImageHandler.Text(table, (int)(i * entrySize) + EntryNameOffset, EntryNameLength);
                ramdisks.Add(($"vendor_ramdisk_{(name.Length == 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : name)}", ramdiskStart + within, size));
            }
            at += AndroidBootImageHandler.Align(tableSize, page);
            sections.Add(("bootconfig", at, U32(BootconfigSizeOffset)));
            at += AndroidBootImageHandler.Align(U32(BootconfigSizeOffset), page);
        }
        var available = blob.Length - offset;
        var truncated = at > available;
        var board = AndroidBootImageHandler.Text(h, NameOffset, 16);
        return new FormatMatch<State>(offset, truncated ? null : at,
            $"android vendor_boot v{version}, " + (board.Length > 0 ? $"board \"{board}\", " : "") + $"page size {page}, {(ramdisks.Count > 0 ? ramdisks.Count : 1)} ramdisk(s), cmdline \"{AndroidBootImageHandler.Text(h, CmdlineOffset, CmdlineLength)}\""
            + (truncated ? $", truncated ({available} of {at} bytes present)" : ""), new State(version, sections, ramdisks));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        // With a v4 table, each named ramdisk is listed; the section that holds them all is not listed twice.
        var sections = s.Ramdisks.Count > 0 ? s.Sections.Where(x => x.Name != "vendor_ramdisk").Concat(s.Ramdisks) : s.Sections;
        AndroidBootImageHandler.EmitSections(Id, sections, chunk, match.Offset, context);
    }
}
