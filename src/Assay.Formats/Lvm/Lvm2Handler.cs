using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Lvm;

/// <summary>
/// An LVM2 physical volume (the default layout of RHEL-family and many appliance VM images): the
/// volume group's text metadata is read from the PV's metadata area and every linear logical volume
/// that lives on this PV becomes a child named after it, its segments read as slices of the PV.
/// </summary>
/// <remarks>
/// lvm2 lib/format_text/layout.h: label "LABELONE" in one of the first four sectors (sector u64 @8,
/// crc u32 @16, pv_header offset u32 @20, type "LVM2 001" @24); pv_header: uuid[32], device size
/// u64, data-area and metadata-area lists of (offset u64, size u64) each ended by zeros.
/// mda_header: checksum u32 @0, magic " LVM2 x[5A%r0N*&gt;" @4, version u32 @20, start u64 @24,
/// size u64 @32, raw locations (offset u64, size u64, checksum u32, flags u32) @40, the first the
/// current metadata (a circular buffer after its first 512 bytes). The metadata is lvm2's text
/// format: <c>vg { extent_size = 8192 physical_volumes { pv0 { id = "…" pe_start = 2048 } }
/// logical_volumes { root { segment1 { start_extent = 0 extent_count = 2 type = "striped"
/// stripe_count = 1 stripes = ["pv0", 0] } } } }</c>.
/// </remarks>
internal sealed class Lvm2Handler : IFormatHandler<(string Uuid, List<(long Offset, long Size)> Areas)>
{
    private const int Sector = 512;
    private const int LabelSectors = 4;
    private const int PvHeaderOffsetField = 20, LabelTypeOffset = 24;
    private const int UuidLength = 32;
    private const int MdaMagicOffset = 4, MdaStartOffset = 24, MdaSizeOffset = 32, RawLocnOffset = 40;
    private const int MaxAreas = 16;
    private const int MaxMetadata = 1 << 20;
    private static readonly byte[] MdaMagic = " LVM2 x[5A%r0N*>"u8.ToArray();

    public string Id => "lvm2";
    public string Description => "LVM2 physical volume (linear logical volumes)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("LABELONE", 512), MagicSignature.Ascii("LABELONE", 0)];
    public IReadOnlyList<string> References { get; } = ["lvm2 sources: lib/format_text/layout.h (label, PV header, metadata area), lib/format_text/format-text.c and import_vsn1.c (text metadata)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "only linear (and single-stripe) segments on this PV are read; volumes spanning PVs, striped, mirrored, RAID, thin and cache volumes are reported, not read",
        "metadata checksums are not verified; the first raw location (the current metadata) is used",
    ];

    internal sealed record Volume(string Name, List<(long Offset, long Length)> Extents, string? Problem);

    public FormatMatch<(string Uuid, List<(long Offset, long Size)> Areas)>? TryMatch(IBlob blob, long offset)
    {
        for (var s = 0; s < LabelSectors; s++)
        {
            var label = blob.ReadBytes(offset + (s * Sector), Sector);
            if (label.Length < Sector || !label.AsSpan(0, 8).SequenceEqual("LABELONE"u8) || !label.AsSpan(LabelTypeOffset, 8).SequenceEqual("LVM2 001"u8))
                continue;
            var pvOffset = BinaryPrimitives.ReadUInt32LittleEndian(label.AsSpan(PvHeaderOffsetField));
            if (pvOffset is < 32 or > Sector - UuidLength - 8)
                return null;
            var pvHeaderAt = offset + (s * Sector) + pvOffset;
            var header = blob.ReadBytes(pvHeaderAt, UuidLength + 8 + (2 * 16 * (MaxAreas + 1)));
            if (header.Length < UuidLength + 8 + 16)
                return null;
            var uuid = Encoding.ASCII.GetString(header, 0, UuidLength);
            var deviceSize = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(UuidLength));
            var at = UuidLength + 8;
            var data = ReadAreas(header, ref at);
            var metadata = ReadAreas(header, ref at);
            if (data is null || metadata is null)
                return null;
            var length = deviceSize > 0 ? Math.Min(deviceSize, blob.Length - offset) : blob.Length - offset;
            return new FormatMatch<(string Uuid, List<(long Offset, long Size)> Areas)>(offset, length, $"LVM2 physical volume {Dashed(uuid)}, {metadata.Count} metadata area{(metadata.Count == 1 ? "" : "s")}", (uuid, metadata));
        }
        return null;
    }

    private static List<(long Offset, long Size)>? ReadAreas(byte[] header, ref int at)
    {
        var areas = new List<(long, long)>();
        while (at + 16 <= header.Length)
        {
            var o = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(at));
            var n = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(at + 8));
            at += 16;
            if (o == 0 && n == 0)
                return areas;
            if (o < 0 || n < 0 || areas.Count == MaxAreas)
                return null;
            areas.Add((o, n));
        }
        return null;
    }

    public void Unpack(IBlob chunk, FormatMatch<(string Uuid, List<(long Offset, long Size)> Areas)> match, IUnpackContext context)
    {
        var (uuid, metadataAreas) = match.State;
        string? text = null;
        foreach (var (offset, _) in metadataAreas)
        {
            text = ReadMetadata(chunk, offset, context);
            if (text is not null)
                break;
        }
        if (text is null)
            throw new FormatException(Id, metadataAreas.Count > 0 ? metadataAreas[0].Offset : Sector, "no readable metadata area (magic, location or size invalid); the volume group cannot be read");
        LvmConfig.Section root;
        try
        {
            root = LvmConfig.Parse(text);
        }
        catch (System.FormatException e)
        {
            throw new FormatException(Id, metadataAreas[0].Offset, $"the volume group metadata does not parse: {e.Message}");
        }
        var vg = root.Sections.Values.FirstOrDefault(s => s.Sections.ContainsKey("physical_volumes"))
            ?? throw new FormatException(Id, metadataAreas[0].Offset, "the metadata names no volume group with physical volumes");
        foreach (var volume in Volumes(vg, uuid))
        {
            if (volume.Problem is not null)
            {
                context.AddError(volume.Problem, null, volume.Name);
                continue;
            }
            var parts = new List<IBlob>();
            foreach (var (o, n) in volume.Extents)
            {
                if (o < 0 || n <= 0 || o > chunk.Length || n > chunk.Length - o)
                {
                    context.AddError($"logical volume '{volume.Name}' has extents at 0x{o:x}+0x{n:x}, past the end of the physical volume (0x{chunk.Length:x}); the image is truncated", o, volume.Name);
                    parts.Clear();
                    break;
                }
                parts.Add(chunk.Slice(o, n));
            }
            if (parts.Count > 0)
                context.AddFile(new EntryMeta(volume.Name), parts.Count == 1 ? parts[0] : new Iso9660.IsoExtentsBlob(parts));
        }
    }

    /// <summary>The current metadata text of one metadata area, or null (reported) when the area is not valid.</summary>
    private string? ReadMetadata(IBlob chunk, long mdaOffset, IUnpackContext context)
    {
        var header = chunk.ReadBytes(mdaOffset, Sector);
        if (header.Length < Sector || !header.AsSpan(MdaMagicOffset, MdaMagic.Length).SequenceEqual(MdaMagic))
        {
            context.AddError($"metadata area at 0x{mdaOffset:x} has no LVM2 magic", mdaOffset);
            return null;
        }
        var start = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(MdaStartOffset));
        var size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(MdaSizeOffset));
        var textOffset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(RawLocnOffset));
        var textSize = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(RawLocnOffset + 8));
        if (start != mdaOffset || size <= Sector || textOffset < Sector || textOffset >= size || textSize <= 0 || textSize > MaxMetadata)
        {
            context.AddError($"metadata area at 0x{mdaOffset:x} has start 0x{start:x}, size {size}, text at {textOffset}+{textSize}: not a valid current location", mdaOffset);
            return null;
        }
        // The text lives in a circular buffer after the 512-byte header: a long one wraps to its start.
        var first = Math.Min(textSize, size - textOffset);
        var bytes = new byte[textSize];
        if (!chunk.TryReadExactly(start + textOffset, bytes.AsSpan(0, (int)first)) || (first < textSize && !chunk.TryReadExactly(start + Sector, bytes.AsSpan((int)first))))
        {
            context.AddError($"metadata text at 0x{start + textOffset:x} lies past the end of the volume", mdaOffset);
            return null;
        }
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static IEnumerable<Volume> Volumes(LvmConfig.Section vg, string pvUuid)
    {
        var extentSize = vg.Number("extent_size") ?? 0;
        var thisPv = vg.Sections["physical_volumes"].Sections.FirstOrDefault(p => Plain(p.Value.Text("id")) == Plain(pvUuid));
        if (!vg.Sections.TryGetValue("logical_volumes", out var lvs))
            yield break;
        foreach (var (name, lv) in lvs.Sections.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var safe = string.Concat(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+')).Trim('.');
            if (safe.Length == 0)
                safe = "lv";
            if (thisPv.Value is null || extentSize <= 0)
            {
                yield return new Volume(safe, [], $"logical volume '{safe}': this physical volume is not in the volume group's list or the extent size is missing; not read");
                continue;
            }
            var peStart = (thisPv.Value.Number("pe_start") ?? 0) * Sector;
            var extents = new List<(long Offset, long Length)>();
            string? problem = null;
            foreach (var segment in lv.Sections.Values.Where(s => s.Number("start_extent") is not null).OrderBy(s => s.Number("start_extent")))
            {
                var type = segment.Text("type");
                var stripes = segment.List("stripes");
                if (type != "striped" || segment.Number("stripe_count") != 1 || stripes.Count != 2)
                {
                    problem = $"logical volume '{safe}' has a {type ?? "typeless"} segment with {segment.Number("stripe_count")} stripes; only linear volumes are read";
                    break;
                }
                if (stripes[0] as string != thisPv.Key)
                {
                    problem = $"logical volume '{safe}' has extents on {stripes[0]}, another physical volume; scan the whole volume group's disks (volumes spanning PVs are not assembled)";
                    break;
                }
                var pe = stripes[1] as long? ?? 0;
                var count = segment.Number("extent_count") ?? 0;
                extents.Add((checked(peStart + (pe * extentSize * Sector)), checked(count * extentSize * Sector)));
            }
            yield return new Volume(safe, extents, problem ?? (extents.Count == 0 ? $"logical volume '{safe}' has no segments" : null));
        }
    }

    private static string Plain(string? uuid) => (uuid ?? "").Replace("-", "", StringComparison.Ordinal);

    /// <summary>lvm2 prints PV UUIDs as 6-4-4-4-4-4-6 groups.</summary>
    private static string Dashed(string uuid) => uuid.Length != UuidLength ? uuid
        : $"{uuid[..6]}-{uuid[6..10]}-{uuid[10..14]}-{uuid[14..18]}-{uuid[18..22]}-{uuid[22..26]}-{uuid[26..]}";
}
