using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ubi;

/// <summary>
/// UBI (Unsorted Block Images), the volume manager of raw NAND/NOR flash. Every physical erase
/// block (PEB) starts with an erase counter header; PEBs that hold data carry a volume identifier
/// header naming the volume and the logical erase block (LEB) they hold. Each volume of the volume
/// table becomes one file child, named after the volume, whose content is the volume rebuilt from
/// its LEBs (UBIFS inside is then found by its own magic).
/// </summary>
/// <remarks>
/// Layout of a PEB (ubinize <c>-p 128KiB -m 2048</c>):
/// <code>
/// 0x0000 ubi_ec_hdr  "UBI#" (64 bytes)
/// 0x0800 ubi_vid_hdr "UBI!" (64 bytes, at vid_hdr_offset)
/// 0x1000 LEB data    (peb_size - data_offset - data_pad bytes, at data_offset)
/// </code>
/// The PEB size is not stored: it is the distance from the first EC header to the next one with a
/// valid CRC and the same geometry, tried at powers of two above data_offset.
/// </remarks>
internal sealed class UbiHandler : IFormatHandler<UbiHandler.Geometry>
{
    private const byte UbiVersion = 1;
    private const uint LayoutVolumeId = 0x7fffefff;
    private const int LayoutVolumeLebs = 2;
    private const uint MaxUserVolumeId = UbiVtblRecord.MaxRecords - 1;

    /// <summary>Smallest and largest PEB sizes tried (NOR 64 KiB ... large MLC NAND 16 MiB).</summary>
    private const int MinPebShift = 10;
    private const int MaxPebShift = 24;

    /// <summary>The scan of a carved image stops after this many PEBs in a row without an EC header.</summary>
    private const int MaxErasedRun = 64;

    /// <summary>LEB numbers are capped relative to the PEBs present (sparse volumes of a partial dump still fit).</summary>
    private const long LnumSlackFactor = 4;
    private const long LnumSlack = 1024;

    public string Id => "ubi";
    public string Description => "UBI flash volume image (erase-block scan, volume table, volumes rebuilt from LEBs)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("UBI#")];

    public IReadOnlyList<string> References { get; } =
    [
        "Linux drivers/mtd/ubi/ubi-media.h (struct ubi_ec_hdr, ubi_vid_hdr, ubi_vtbl_record)",
        "UBI design documentation, linux-mtd.infradead.org/doc/ubi.html",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "PEB sizes that are not a power of two are not detected",
        "fastmap and other internal volumes are ignored (the full scan makes them unnecessary)",
        "only the image of the first EC header's image_seq is read; a different image_seq ends the chunk",
    ];

    public FormatMatch<Geometry>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> buffer = stackalloc byte[UbiEcHeader.Size];
        if (!blob.TryReadExactly(offset, buffer) || UbiEcHeader.Read(buffer) is not { CrcOk: true } first || !IsPlausible(first))
            return null;
        var pebSize = DetectPebSize(blob, offset, first);
        if (pebSize == 0)
            return null;

        long lastUbi = 0;
        var erasedRun = 0;
        for (long i = 1; ; i++)
        {
            var pos = offset + (i * pebSize);
            if (pos > blob.Length - UbiEcHeader.Size || !blob.TryReadExactly(pos, buffer))
                break;
            var header = UbiEcHeader.Read(buffer);
            if (header is { } h)
            {
                if (h.CrcOk && (h.ImageSequence != first.ImageSequence || h.DataOffset != first.DataOffset || h.VidHeaderOffset != first.VidHeaderOffset))
                    break;
                lastUbi = i;
                erasedRun = 0;
            }
            else if (IsErased(buffer) && ++erasedRun <= MaxErasedRun)
            {
                continue;
            }
            else
            {
                break;
            }
        }

        var length = Math.Min((lastUbi + 1) * pebSize, blob.Length - offset);
        var count = (length + pebSize - 1) / pebSize;
        var state = new Geometry(pebSize, first.VidHeaderOffset, first.DataOffset, count);
        return new FormatMatch<Geometry>(offset, length, $"UBI image, {pebSize / 1024} KiB PEBs, {count} PEBs, image_seq 0x{first.ImageSequence:x8}", state);
    }

    public void Unpack(IBlob chunk, FormatMatch<Geometry> match, IUnpackContext context)
    {
        var geometry = match.State;
        var lebs = ScanPebs(chunk, geometry, context);
        var records = ReadVolumeTable(chunk, geometry, lebs, context);

        var names = new HashSet<string>(StringComparer.Ordinal);
        var known = new HashSet<uint>();
        foreach (var record in records)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            known.Add((uint)record.Index);
            var name = UniqueName(SanitizeName(record.Name, record.Index), record.Index, names);
            if (record.UpdateMarker)
                context.AddError($"ubi: volume \"{name}\" has its update marker set (an interrupted update); its content may be incomplete", null, name);
            var blob = BuildVolume(chunk, geometry, record, lebs, name, context);
            context.AddFile(new EntryMeta(name), blob);
        }

        foreach (var orphan in lebs.Keys.Select(k => k.VolumeId).Where(v => v != LayoutVolumeId && !known.Contains(v)).Distinct().Order())
            context.AddError($"ubi: volume {orphan} has LEBs but no record in the volume table; it is not listed (a deleted volume or a damaged table)");
    }

    private static bool IsPlausible(UbiEcHeader h) =>
        h.Version == UbiVersion
        && h.VidHeaderOffset >= UbiEcHeader.Size
        && h.DataOffset >= h.VidHeaderOffset + UbiVidHeader.Size
        && h.DataOffset < (1u << MaxPebShift);

    private static bool IsErased(ReadOnlySpan<byte> span) => !span.ContainsAnyExcept((byte)0xff);

    /// <summary>The distance to the next EC header that has a valid CRC and the same geometry.</summary>
    private static int DetectPebSize(IBlob blob, long offset, UbiEcHeader first)
    {
        Span<byte> buffer = stackalloc byte[UbiEcHeader.Size];
        for (var shift = MinPebShift; shift <= MaxPebShift; shift++)
        {
            var size = 1 << shift;
            if (size <= first.DataOffset)
                continue;
            if (offset + size > blob.Length - UbiEcHeader.Size)
                break;
            if (blob.TryReadExactly(offset + size, buffer)
                && UbiEcHeader.Read(buffer) is { CrcOk: true } next
                && next.Version == UbiVersion
                && next.VidHeaderOffset == first.VidHeaderOffset
                && next.DataOffset == first.DataOffset
                && next.ImageSequence == first.ImageSequence)
            {
                return size;
            }
        }

        return 0;
    }

    /// <summary>Every PEB's VID header, grouped by (volume, LEB).</summary>
    private Dictionary<(uint VolumeId, uint Lnum), List<Copy>> ScanPebs(IBlob chunk, Geometry g, IUnpackContext context)
    {
        var lebs = new Dictionary<(uint VolumeId, uint Lnum), List<Copy>>();
        Span<byte> buffer = stackalloc byte[UbiVidHeader.Size];
        Span<byte> ec = stackalloc byte[UbiEcHeader.Size];
        var badEc = 0;
        for (long peb = 0; peb < g.PebCount; peb++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var pebOffset = peb * g.PebSize;
            if (chunk.TryReadExactly(pebOffset, ec) && UbiEcHeader.Read(ec) is not { CrcOk: true } && !IsErased(ec))
                badEc++;
            var vidOffset = pebOffset + g.VidHeaderOffset;
            if (!chunk.TryReadExactly(vidOffset, buffer))
                break;
            var vid = UbiVidHeader.Read(buffer, out var crcOk);
            if (vid is not { } v)
            {
                if (!IsErased(buffer))
                    context.AddError($"ubi: PEB {peb} has no volume identifier header at 0x{vidOffset:x} and is not erased; the PEB is skipped", vidOffset);
                continue;
            }

            if (!crcOk)
            {
                context.AddError($"ubi: PEB {peb}: volume identifier header CRC mismatch; the PEB is skipped (a torn write or bit flips)", vidOffset);
                continue;
            }

            var lebSize = g.PebSize - g.DataOffset - (long)v.DataPad;
            var isUser = v.VolumeId <= MaxUserVolumeId;
            if (!isUser && v.VolumeId != LayoutVolumeId)
                continue; // fastmap and other internal volumes
            if (v.DataPad >= g.PebSize - g.DataOffset
                || (v.VolumeType != UbiVidHeader.Dynamic && v.VolumeType != UbiVidHeader.Static)
                || v.Lnum >= (g.PebCount * LnumSlackFactor) + LnumSlack
                || (v.VolumeType == UbiVidHeader.Static && v.DataSize > lebSize))
            {
                context.AddError($"ubi: PEB {peb}: volume identifier header out of range (vol_id {v.VolumeId}, lnum {v.Lnum}, vol_type {v.VolumeType}, data_pad {v.DataPad}, data_size {v.DataSize}); the PEB is skipped", vidOffset);
                continue;
            }

            var key = (v.VolumeId, v.Lnum);
            if (!lebs.TryGetValue(key, out var copies))
                lebs[key] = copies = [];
            copies.Add(new Copy(peb, v));
        }

        if (badEc > 0)
            context.AddError($"ubi: {badEc} PEBs have a damaged erase counter header; their volume identifier headers were still used");
        return lebs;
    }

    private List<UbiVtblRecord> ReadVolumeTable(IBlob chunk, Geometry g, Dictionary<(uint VolumeId, uint Lnum), List<Copy>> lebs, IUnpackContext context)
    {
        var lebSize = g.PebSize - g.DataOffset;
        var count = (int)Math.Min(UbiVtblRecord.MaxRecords, lebSize / UbiVtblRecord.Size);
        for (uint copy = 0; copy < LayoutVolumeLebs; copy++)
        {
            if (!lebs.TryGetValue((LayoutVolumeId, copy), out var copies))
                continue;
            var best = copies.MaxBy(c => c.Header.Sqnum)!;
            var offset = (best.Peb * g.PebSize) + g.DataOffset;
            var table = chunk.ReadBytes(offset, count * UbiVtblRecord.Size);
            if (table.Length < count * UbiVtblRecord.Size)
                continue;
            var records = new List<UbiVtblRecord>();
            var ok = true;
            for (var i = 0; i < count && ok; i++)
            {
                var record = UbiVtblRecord.Read(table.AsSpan(i * UbiVtblRecord.Size, UbiVtblRecord.Size), i);
                if (record is null)
                    ok = false;
                else if (record.Value.ReservedPebs > 0)
                    records.Add(record.Value);
            }

            if (ok)
                return records;
            context.AddError($"ubi: copy {copy} of the volume table (PEB {best.Peb}) has a record with a bad CRC; trying the other copy", offset);
        }

        // No usable table: name the volumes found in the VID headers by number so their content is still listed.
        context.AddError("ubi: no intact volume table in the layout volume (vol_id 0x7fffefff); volumes are listed by number, without names");
        return [.. lebs.Keys.Select(k => k.VolumeId).Where(v => v <= MaxUserVolumeId).Distinct().Order()
            .Select(v =>
            {
                var first = lebs.First(kv => kv.Key.VolumeId == v).Value[0].Header;
                return new UbiVtblRecord((int)v, uint.MaxValue, 1, first.DataPad, first.VolumeType, false, string.Empty, 0);
            })];
    }

    private IBlob BuildVolume(IBlob chunk, Geometry g, UbiVtblRecord record, Dictionary<(uint VolumeId, uint Lnum), List<Copy>> lebs, string name, IUnpackContext context)
    {
        var volumeId = (uint)record.Index;
        var isStatic = record.VolumeType == UbiVidHeader.Static;
        var chosen = new SortedDictionary<uint, Copy>();
        foreach (var (key, copies) in lebs)
        {
            if (key.VolumeId != volumeId)
                continue;
            if (key.Lnum >= record.ReservedPebs)
            {
                context.AddError($"ubi: volume \"{name}\": LEB {key.Lnum} is beyond its {record.ReservedPebs} reserved PEBs; the LEB is ignored", (copies[0].Peb * g.PebSize) + g.VidHeaderOffset, name);
                continue;
            }

            chosen[key.Lnum] = Choose(chunk, g, copies, isStatic, name, context);
        }

        var segments = new List<UbiVolumeBlob.Segment>();
        if (chosen.Count == 0)
            return new UbiVolumeBlob(chunk, segments);

        if (isStatic)
        {
            var usedEbs = chosen.Values.First().Header.UsedEbs;
            if (usedEbs > record.ReservedPebs)
                throw new FormatException(Id, chosen.Values.First().Peb * g.PebSize, $"static volume \"{name}\": used_ebs {usedEbs} exceeds reserved_pebs {record.ReservedPebs}; the volume identifier headers are damaged");
            for (uint lnum = 0; lnum < usedEbs; lnum++)
            {
                if (chosen.TryGetValue(lnum, out var c))
                {
                    segments.Add(new((c.Peb * g.PebSize) + g.DataOffset, c.Header.DataSize));
                }
                else
                {
                    context.AddError($"ubi: static volume \"{name}\": LEB {lnum} of {usedEbs} is missing; it reads as erased flash", null, name);
                    segments.Add(new(-1, g.PebSize - g.DataOffset - record.DataPad));
                }
            }

            return new UbiVolumeBlob(chunk, segments);
        }

        var lebSize = g.PebSize - g.DataOffset - (long)record.DataPad;
        if (lebSize <= 0)
            throw new FormatException(Id, 0, $"volume \"{name}\": data_pad {record.DataPad} leaves no room in a {g.PebSize}-byte PEB with data_offset {g.DataOffset}; the volume table is damaged");
        var last = chosen.Keys.Max();
        for (uint lnum = 0; lnum <= last; lnum++)
        {
            segments.Add(chosen.TryGetValue(lnum, out var c)
                ? new((c.Peb * g.PebSize) + g.DataOffset, Math.Min(lebSize, chunk.Length - ((c.Peb * g.PebSize) + g.DataOffset)))
                : new(-1, lebSize));
        }

        return new UbiVolumeBlob(chunk, segments);
    }

    /// <summary>
    /// The copy of a LEB to use: the highest sqnum wins, unless its data was written by a copy
    /// (copy_flag, wear-levelling) or belongs to a static volume and its data_crc does not match.
    /// </summary>
    private static Copy Choose(IBlob chunk, Geometry g, List<Copy> copies, bool isStatic, string name, IUnpackContext context)
    {
        if (copies.Count == 1 && !isStatic)
            return copies[0];
        foreach (var c in copies.OrderByDescending(c => c.Header.Sqnum))
        {
            if (!isStatic && !c.Header.CopyFlag)
                return c;
            if (DataCrcMatches(chunk, g, c))
                return c;
        }

        var newest = copies.MaxBy(c => c.Header.Sqnum)!;
        context.AddError($"ubi: volume \"{name}\": LEB {newest.Header.Lnum}: data_crc 0x{newest.Header.DataCrc:x8} matches no copy; using the newest (sqnum {newest.Header.Sqnum})", newest.Peb * g.PebSize, name);
        return newest;
    }

    private static bool DataCrcMatches(IBlob chunk, Geometry g, Copy c)
    {
        var size = c.Header.DataSize;
        if (size > g.PebSize - g.DataOffset)
            return false;
        var data = chunk.ReadBytes((c.Peb * g.PebSize) + g.DataOffset, (int)size);
        return data.Length == size && KernelCrc32.SeedAllOnes(data) == c.Header.DataCrc;
    }

    /// <summary>Volume names are free text: keep a safe file name.</summary>
    private static string SanitizeName(string name, int index)
    {
        var chars = name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? $"volume{index}" : safe;
    }

    private static string UniqueName(string name, int index, HashSet<string> used)
    {
        var result = used.Contains(name) ? $"{name}_{index}" : name;
        used.Add(result);
        return result;
    }

    internal sealed record Geometry(int PebSize, uint VidHeaderOffset, uint DataOffset, long PebCount);

    private sealed record Copy(long Peb, UbiVidHeader Header);
}
