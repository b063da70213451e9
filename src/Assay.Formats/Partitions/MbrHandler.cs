using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Partitions;

/// <summary>
/// A DOS (MBR) partition table: the four primary entries and the logical partitions chained in
/// an extended partition. Each partition is a child <c>partN</c> (N as Linux numbers them: 1-4
/// primary, 5 on logical), a slice of the disk.
/// </summary>
/// <remarks>
/// Sector 0: boot code, then four 16-byte entries at 0x1be (status 0x00/0x80 @0, CHS @1, type @4,
/// CHS @5, first LBA u32 LE @8, sector count u32 LE @12) and the signature 55 aa at 0x1fe.
/// An extended partition (types 05, 0f, 85) holds a chain of EBRs: entry 0 a logical partition
/// relative to its EBR, entry 1 the next EBR relative to the extended partition's start.
/// <code>
/// 000001b0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 20  |............... |
/// 000001c0  21 00 83 0a 08 00 00 08  00 00 00 08 00 00 00 0a  |!...............|
/// 000001f0  00 00 00 00 00 00 00 00  00 00 00 00 00 00 55 aa  |..............U.|
/// </code>
/// </remarks>
internal sealed class MbrHandler : IFormatHandler<List<MbrHandler.Partition>>
{
    private const int SectorSize = 512;
    private const int TableOffset = 0x1be, EntrySize = 16, Entries = 4;
    private const int StatusOffset = 0, TypeOffset = 4, LbaOffset = 8, CountOffset = 12;
    private const int SignatureOffset = 0x1fe;
    private const byte ProtectiveGpt = 0xee;
    private const int MaxLogical = 128;

    public string Id => "mbr";
    public string Description => "DOS/MBR partition table (primary and logical partitions)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("55aa", SignatureOffset)];
    public IReadOnlyList<string> References { get; } = ["Microsoft, \"Master Boot Record\" partition table layout; util-linux libfdisk dos.c (extended partition chain)"];
    public IReadOnlyList<string> Limitations { get; } = ["512-byte sectors only", "a protective MBR (type ee) is left to the GPT handler; when the GPT cannot be read the disk is not split"];

    internal sealed record Partition(int Number, byte Type, long Start, long Length, bool Bootable);

    public FormatMatch<List<Partition>>? TryMatch(IBlob blob, long offset)
    {
        var sector = new byte[SectorSize];
        if (!blob.TryReadExactly(offset, sector) || sector[SignatureOffset] != 0x55 || sector[SignatureOffset + 1] != 0xaa)
            return null;
        var primary = ReadTable(sector, 0);
        if (primary is null || primary.Count == 0 || primary.Any(p => p.Type == ProtectiveGpt))
            return null;
        // Entries must not overlap and at least one must start inside the blob: boot sectors of
        // filesystems end in 55 aa too, with code where the table would be.
        var sorted = primary.OrderBy(p => p.Start).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Start < sorted[i - 1].Start + sorted[i - 1].Length)
                return null;
        }
        if (!primary.Any(p => offset + p.Start < blob.Length))
            return null;
        var end = primary.Max(p => p.Start + p.Length);
        var types = string.Join(", ", primary.Select(p => $"{p.Number}: {TypeName(p.Type)}"));
        return new FormatMatch<List<Partition>>(offset, Math.Min(end, blob.Length - offset), $"MBR partition table ({types})", primary);
    }

    /// <summary>The non-empty entries of one table sector; null when a status byte is not 00/80 (not a partition table).</summary>
    private static List<Partition>? ReadTable(byte[] sector, long baseLba)
    {
        var result = new List<Partition>();
        for (var i = 0; i < Entries; i++)
        {
            var e = sector.AsSpan(TableOffset + (i * EntrySize), EntrySize);
            if (e[StatusOffset] is not (0x00 or 0x80))
                return null;
            var type = e[TypeOffset];
            var lba = BinaryPrimitives.ReadUInt32LittleEndian(e[LbaOffset..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(e[CountOffset..]);
            if (type == 0 || count == 0)
                continue;
            if (lba == 0)
                return null;
            result.Add(new Partition(i + 1, type, (baseLba + lba) * SectorSize, (long)count * SectorSize, e[StatusOffset] == 0x80));
        }
        return result;
    }

    public void Unpack(IBlob chunk, FormatMatch<List<Partition>> match, IUnpackContext context)
    {
        var primary = match.State;
        var all = new List<Partition>();
        foreach (var p in primary)
        {
            if (IsExtended(p.Type))
                all.AddRange(Logical(chunk, p, context));
            else
                all.Add(p);
        }
        foreach (var p in all)
        {
            var name = $"part{p.Number}";
            if (p.Start >= chunk.Length)
            {
                context.AddError($"partition {p.Number} ({TypeName(p.Type)}) starts at 0x{p.Start:x}, past the end of the disk (0x{chunk.Length:x}); the image is truncated", TableOffset, name);
                continue;
            }
            var length = p.Length;
            if (p.Start + length > chunk.Length)
            {
                context.AddError($"partition {p.Number} ({TypeName(p.Type)}) runs to 0x{p.Start + p.Length:x}, past the end of the disk (0x{chunk.Length:x}); only its first 0x{chunk.Length - p.Start:x} bytes are there", TableOffset, name);
                length = chunk.Length - p.Start;
            }
            context.AddFile(new EntryMeta(name), chunk.Slice(p.Start, length));
        }
    }

    private List<Partition> Logical(IBlob chunk, Partition extended, IUnpackContext context)
    {
        var result = new List<Partition>();
        var sector = new byte[SectorSize];
        var ebr = extended.Start;
        var seen = new HashSet<long>();
        var number = 5;
        while (ebr != 0 && result.Count < MaxLogical)
        {
            if (!seen.Add(ebr))
            {
                context.AddError($"the extended partition's EBR chain loops back to 0x{ebr:x}; stopped", ebr);
                break;
            }
            if (ebr + SectorSize > chunk.Length || !chunk.TryReadExactly(ebr, sector) || sector[SignatureOffset] != 0x55 || sector[SignatureOffset + 1] != 0xaa)
            {
                context.AddError($"the EBR at 0x{ebr:x} is missing or has no 55 aa signature; the logical partitions after it are not listed", ebr);
                break;
            }
            var entry = sector.AsSpan(TableOffset, EntrySize);
            var type = entry[TypeOffset];
            var lba = BinaryPrimitives.ReadUInt32LittleEndian(entry[LbaOffset..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(entry[CountOffset..]);
            if (type != 0 && count != 0)
                result.Add(new Partition(number++, type, ebr + ((long)lba * SectorSize), (long)count * SectorSize, entry[StatusOffset] == 0x80));
            var next = sector.AsSpan(TableOffset + EntrySize, EntrySize);
            var nextLba = BinaryPrimitives.ReadUInt32LittleEndian(next[LbaOffset..]);
            ebr = IsExtended(next[TypeOffset]) && nextLba != 0 ? extended.Start + ((long)nextLba * SectorSize) : 0;
        }
        return result;
    }

    private static bool IsExtended(byte type) => type is 0x05 or 0x0f or 0x85;

    internal static string TypeName(byte type) => type switch
    {
        0x01 => "FAT12",
        0x04 or 0x06 or 0x0e => "FAT16",
        0x0b or 0x0c => "FAT32",
        0x07 => "NTFS/exFAT",
        0x05 or 0x0f or 0x85 => "extended",
        0x82 => "Linux swap",
        0x83 => "Linux",
        0x8e => "Linux LVM",
        0xfd => "Linux RAID",
        0xef => "EFI system",
        0xee => "GPT protective",
        _ => $"type 0x{type:x2}",
    };
}
