using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Partitions;

/// <summary>
/// A GUID partition table (UEFI 2.10 §5.3), 512- or 4096-byte sectors: header CRCs checked, the
/// backup header used when the primary is damaged, each partition a child <c>partN</c> (a slice of
/// the disk) with its type and name in the match description.
/// </summary>
/// <remarks>
/// Header at LBA 1: "EFI PART" @0, revision @8, header size u32 @12, header CRC32 @16, my LBA
/// u64 @24, alternate LBA u64 @32, first/last usable LBA @40/@48, disk GUID @56, entries LBA u64
/// @72, entry count u32 @80, entry size u32 @84, entries CRC32 @88 (little-endian). Entry: type GUID
/// @0, unique GUID @16, first LBA @32, last LBA (inclusive) @40, attributes @48, UTF-16LE name[36] @56.
/// <code>
/// 00000200  45 46 49 20 50 41 52 54  00 00 01 00 5c 00 00 00  |EFI PART....\...|
/// </code>
/// </remarks>
internal sealed class GptHandler : IFormatHandler<GptHandler.Table>
{
    private const int SignatureOffset = 0, HeaderSizeOffset = 12, HeaderCrcOffset = 16, MyLbaOffset = 24, AlternateLbaOffset = 32;
    private const int EntriesLbaOffset = 72, EntryCountOffset = 80, EntrySizeOffset = 84, EntriesCrcOffset = 88;
    private const int MinHeaderSize = 92;
    private const int TypeGuidOffset = 0, FirstLbaOffset = 32, LastLbaOffset = 40, NameOffset = 56, NameBytes = 72;
    private const int MinEntrySize = 128, MaxEntrySize = 4096, MaxEntries = 1024;
    private static readonly int[] SectorSizes = [512, 4096];

    private static readonly Dictionary<Guid, string> KnownTypes = new()
    {
        [new Guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4")] = "Linux filesystem",
        [new Guid("4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709")] = "Linux root (x86-64)",
        [new Guid("B921B045-1DF0-41C3-AF44-4C6F280D3FAE")] = "Linux root (ARM64)",
        [new Guid("E6D6D379-F507-44C2-A23C-238F2A3DF928")] = "Linux LVM",
        [new Guid("0657FD6D-A4AB-43C4-84E5-0933C84B4F4F")] = "Linux swap",
        [new Guid("A19D880F-05FC-4D3B-A006-743F0F84911E")] = "Linux RAID",
        [new Guid("BC13C2FF-59E6-4262-A352-B275FD6F7172")] = "Linux /boot (XBOOTLDR)",
        [new Guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B")] = "EFI system",
        [new Guid("21686148-6449-6E6F-744E-656564454649")] = "BIOS boot",
        [new Guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")] = "Microsoft basic data",
    };

    public string Id => "gpt";
    public string Description => "GUID partition table (UEFI), 512 or 4096-byte sectors";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("EFI PART", 512), MagicSignature.Ascii("EFI PART", 4096)];
    public IReadOnlyList<string> References { get; } = ["UEFI Specification 2.10, §5.3 GUID Partition Table (GPT) Disk Layout"];
    public IReadOnlyList<string> Limitations { get; } = ["partition attributes (required, legacy BIOS bootable) are not reported"];

    internal sealed record Partition(int Number, Guid Type, string Name, long Start, long Length);

    internal sealed record Table(int SectorSize, List<Partition> Partitions, string? Problem);

    public FormatMatch<Table>? TryMatch(IBlob blob, long offset)
    {
        foreach (var sectorSize in SectorSizes)
        {
            var header = blob.ReadBytes(offset + sectorSize, sectorSize);
            if (header.Length < MinHeaderSize || !header.AsSpan(SignatureOffset, 8).SequenceEqual("EFI PART"u8))
                continue;
            var table = ReadTable(blob, offset, sectorSize, header, primary: true, out var problem);
            if (table is null)
            {
                // The primary header is damaged: the backup sits in the last sector of the disk.
                var backupLba = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(AlternateLbaOffset));
                var backup = backupLba > 1 && backupLba < (blob.Length - offset) / sectorSize ? blob.ReadBytes(offset + (backupLba * sectorSize), sectorSize) : [];
                table = backup.Length >= MinHeaderSize && backup.AsSpan(SignatureOffset, 8).SequenceEqual("EFI PART"u8)
                    ? ReadTable(blob, offset, sectorSize, backup, primary: false, out _) : null;
                if (table is null)
                    return null;
                table = table with { Problem = $"primary GPT header is damaged ({problem}); the backup header was used" };
            }
            else if (problem is not null)
                table = table with { Problem = problem };
            var parts = string.Join(", ", table.Partitions.Select(p => $"{p.Number}: {TypeName(p.Type)}{(p.Name.Length > 0 ? " \"" + p.Name + "\"" : "")}"));
            return new FormatMatch<Table>(offset, null, $"GPT, {sectorSize}-byte sectors, {table.Partitions.Count} partitions ({parts})", table);
        }
        return null;
    }

    private static Table? ReadTable(IBlob blob, long offset, int sectorSize, byte[] header, bool primary, out string? problem)
    {
        problem = null;
        var headerSize = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(HeaderSizeOffset));
        if (headerSize < MinHeaderSize || headerSize > sectorSize)
        {
            problem = $"header size {headerSize} is outside {MinHeaderSize}..{sectorSize}";
            return null;
        }
        var copy = header[..headerSize];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(HeaderCrcOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(HeaderCrcOffset), 0);
        if (Crc32.HashToUInt32(copy) != stored)
        {
            problem = "header CRC32 does not match";
            return null;
        }
        var entriesLba = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(EntriesLbaOffset));
        var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(EntryCountOffset));
        var entrySize = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(EntrySizeOffset));
        if (count is < 0 or > MaxEntries || entrySize is < MinEntrySize or > MaxEntrySize || entrySize % 8 != 0 || entriesLba < 0)
        {
            problem = $"{count} entries of {entrySize} bytes is not a GPT entry array";
            return null;
        }
        var entries = blob.ReadBytes(offset + (entriesLba * sectorSize), count * entrySize);
        if (entries.Length < count * entrySize)
        {
            problem = "the partition entry array lies past the end of the disk";
            return null;
        }
        if (Crc32.HashToUInt32(entries) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(EntriesCrcOffset)))
            problem = $"the {(primary ? "primary" : "backup")} partition entry array's CRC32 does not match the header; the entries were read anyway";
        var partitions = new List<Partition>();
        for (var i = 0; i < count; i++)
        {
            var e = entries.AsSpan(i * entrySize, entrySize);
            var type = new Guid(e.Slice(TypeGuidOffset, 16));
            if (type == Guid.Empty)
                continue;
            var first = BinaryPrimitives.ReadInt64LittleEndian(e[FirstLbaOffset..]);
            var last = BinaryPrimitives.ReadInt64LittleEndian(e[LastLbaOffset..]);
            if (first <= 0 || last < first || last > long.MaxValue / sectorSize - 1)
            {
                problem ??= $"partition {i + 1} has first LBA {first} and last LBA {last}; skipped";
                continue;
            }
            var name = Encoding.Unicode.GetString(e.Slice(NameOffset, NameBytes)).TrimEnd('\0');
            partitions.Add(new Partition(i + 1, type, Printable(name), first * sectorSize, (last - first + 1) * sectorSize));
        }
        return new Table(sectorSize, partitions, problem);
    }

    public void Unpack(IBlob chunk, FormatMatch<Table> match, IUnpackContext context)
    {
        var table = match.State;
        if (table.Problem is not null)
            context.AddError(table.Problem, table.SectorSize);
        foreach (var p in table.Partitions)
        {
            var name = $"part{p.Number}";
            if (p.Start >= chunk.Length)
            {
                context.AddError($"partition {p.Number} ({TypeName(p.Type)}) starts at 0x{p.Start:x}, past the end of the disk (0x{chunk.Length:x}); the image is truncated", table.SectorSize, name);
                continue;
            }
            var length = Math.Min(p.Length, chunk.Length - p.Start);
            if (length < p.Length)
                context.AddError($"partition {p.Number} ({TypeName(p.Type)}) runs past the end of the disk; only its first 0x{length:x} bytes are there", table.SectorSize, name);
            context.AddFile(new EntryMeta(name), chunk.Slice(p.Start, length));
        }
    }

    private static string TypeName(Guid type) => KnownTypes.TryGetValue(type, out var name) ? name : type.ToString();

    private static string Printable(string s) => string.Concat(s.Where(c => !char.IsControl(c)).Take(36));
}
