using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Fat;

/// <summary>
/// FAT12, FAT16 and FAT32 filesystems (EFI system partitions, boot partitions, configuration
/// media): the directory tree with VFAT long names, each file a chain of clusters read as slices
/// of the volume (no copy). Deleted entries are skipped; chains are checked for loops and for
/// clusters outside the volume.
/// </summary>
/// <remarks>
/// Boot sector (Microsoft "FAT: General Overview of On-Disk Format" 1.03): bytes per sector u16 @11,
/// sectors per cluster u8 @13, reserved sectors u16 @14, FAT count u8 @16, root entries u16 @17,
/// total sectors u16 @19, media u8 @21, FAT size u16 @22, total sectors u32 @32; FAT32: FAT size
/// u32 @36, root cluster u32 @44, "FAT32   " @82; FAT12/16: "FAT1x   " @54; 55 aa @510. The FAT
/// type follows from the cluster count alone (&lt; 4085 FAT12, &lt; 65525 FAT16, else FAT32).
/// <code>
/// 00000000  eb 3c 90 6d 6b 66 73 2e  66 61 74 00 02 04 04 00  |.&lt;.mkfs.fat.....|
/// 00000030  00 00 00 00 00 00 29 2c  d1 8e 7e 4e 4f 20 4e 41  |......),..~NO NA|
/// 00000040  4d 45 20 20 20 20 46 41  54 31 36 20 20 20 0e 1f  |ME    FAT16   ..|
/// </code>
/// </remarks>
internal sealed class FatHandler : IFormatHandler<FatHandler.Volume>
{
    private const int BytesPerSectorOffset = 11, SectorsPerClusterOffset = 13, ReservedOffset = 14, FatCountOffset = 16, RootEntriesOffset = 17;
    private const int TotalSectors16Offset = 19, MediaOffset = 21, FatSize16Offset = 22, TotalSectors32Offset = 32, FatSize32Offset = 36, RootClusterOffset = 44;
    private const int SignatureOffset = 510;
    private const int EntrySize = 32;
    private const int NameOffset = 0, AttrOffset = 11, NtResOffset = 12, ClusterHighOffset = 20, TimeOffset = 22, DateOffset = 24, ClusterLowOffset = 26, SizeOffset = 28;
    private const byte AttrVolume = 0x08, AttrDirectory = 0x10, AttrLongName = 0x0f;
    private const int MaxDepth = 64;
    private const int MaxLongNameEntries = 20;

    public string Id => "fat";
    public string Description => "FAT12/FAT16/FAT32 filesystem with VFAT long names";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("FAT12   ", 54), MagicSignature.Ascii("FAT16   ", 54), MagicSignature.Ascii("FAT32   ", 82)];
    public IReadOnlyList<string> References { get; } = ["Microsoft Extensible Firmware Initiative FAT32 File System Specification, \"FAT: General Overview of On-Disk Format\" v1.03"];
    public IReadOnlyList<string> Limitations { get; } = ["FAT has no owners or permissions: modes are not reported", "exFAT is not read", "timestamps are local time as stored, reported as if UTC"];

    internal sealed record Volume(int SectorSize, int ClusterSize, long FatOffset, long FatBytes, long RootOffset, int RootEntries, long DataOffset, long Clusters, int Bits, uint RootCluster, long Length);

    public FormatMatch<Volume>? TryMatch(IBlob blob, long offset)
    {
        var b = new byte[512];
        if (!blob.TryReadExactly(offset, b) || b[SignatureOffset] != 0x55 || b[SignatureOffset + 1] != 0xaa || b[0] is not (0xeb or 0xe9))
            return null;
        var v = Parse(b);
        if (v is null)
            return null;
        return new FormatMatch<Volume>(offset, Math.Min(v.Length, blob.Length - offset), $"FAT{v.Bits} filesystem, {v.ClusterSize}-byte clusters, {v.Clusters} clusters", v);
    }

    internal static Volume? Parse(byte[] b)
    {
        int sectorSize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(BytesPerSectorOffset));
        int perCluster = b[SectorsPerClusterOffset];
        int reserved = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(ReservedOffset));
        int fats = b[FatCountOffset];
        int rootEntries = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(RootEntriesOffset));
        long total = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(TotalSectors16Offset));
        if (total == 0)
            total = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(TotalSectors32Offset));
        long fatSize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(FatSize16Offset));
        if (fatSize == 0)
            fatSize = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(FatSize32Offset));
        if (sectorSize is not (512 or 1024 or 2048 or 4096) || perCluster == 0 || (perCluster & (perCluster - 1)) != 0 || reserved == 0 || fats is 0 or > 4
            || total == 0 || fatSize == 0 || b[MediaOffset] is not (0xf0 or >= 0xf8))
            return null;
        var rootSectors = ((rootEntries * EntrySize) + sectorSize - 1) / sectorSize;
        var dataStart = reserved + (fats * fatSize) + rootSectors;
        if (dataStart >= total)
            return null;
        var clusters = (total - dataStart) / perCluster;
        var bits = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
        if (bits == 32 && rootEntries != 0 || bits != 32 && rootEntries == 0)
            return null;
        // the FAT must have room for every cluster
        if (fatSize * sectorSize * 8 / bits < clusters + 2)
            return null;
        var rootCluster = bits == 32 ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(RootClusterOffset)) & 0x0fffffff : 0;
        if (bits == 32 && (rootCluster < 2 || rootCluster >= clusters + 2))
            return null;
        return new Volume(sectorSize, sectorSize * perCluster, (long)reserved * sectorSize, fatSize * sectorSize, (reserved + (fats * fatSize)) * sectorSize, rootEntries,
            dataStart * sectorSize, clusters, bits, rootCluster, total * sectorSize);
    }

    public void Unpack(IBlob chunk, FormatMatch<Volume> match, IUnpackContext context)
    {
        var v = match.State;
        if (v.FatOffset + v.FatBytes > chunk.Length)
            throw new FormatException(Id, v.FatOffset, $"the FAT (0x{v.FatOffset:x}+0x{v.FatBytes:x}) lies past the end of the volume (0x{chunk.Length:x}); the image is truncated");
        var fat = chunk.ReadBytes(v.FatOffset, checked((int)Math.Min(v.FatBytes, ((v.Clusters + 2) * v.Bits / 8) + 2)));
        var walker = new Walker(chunk, v, fat, context);
        if (v.Bits == 32)
            walker.Directory(walker.Chain(v.RootCluster, "/", isDirectory: true), "", 0);
        else
        {
            var root = v.RootOffset + ((long)v.RootEntries * EntrySize) <= chunk.Length ? chunk.Slice(v.RootOffset, (long)v.RootEntries * EntrySize) : null;
            if (root is null)
                throw new FormatException(Id, v.RootOffset, "the root directory lies past the end of the volume; the image is truncated");
            walker.Directory(root, "", 0);
        }
    }

    private sealed class Walker(IBlob chunk, Volume v, byte[] fat, IUnpackContext context)
    {
        private readonly HashSet<uint> _directoryClusters = [];

        /// <summary>The clusters of a chain as one blob; a loop or an out-of-range link ends it with an error.</summary>
        public IBlob Chain(uint first, string path, bool isDirectory, long? size = null)
        {
            var parts = new List<IBlob>();
            var seen = new HashSet<uint>();
            var cluster = first;
            long total = 0;
            while (cluster >= 2 && cluster < v.Clusters + 2)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (!seen.Add(cluster))
                {
                    context.AddError($"the cluster chain of '{path}' loops back to cluster {cluster}; cut there", null, path);
                    break;
                }
                var offset = v.DataOffset + ((long)(cluster - 2) * v.ClusterSize);
                if (offset + v.ClusterSize > chunk.Length)
                {
                    context.AddError($"cluster {cluster} of '{path}' lies past the end of the volume; the image is truncated", offset, path);
                    break;
                }
                parts.Add(chunk.Slice(offset, v.ClusterSize));
                total += v.ClusterSize;
                if (size is { } s && total >= s)
                    break;
                cluster = Next(cluster);
            }
            if (cluster is 1 || (cluster >= v.Clusters + 2 && !IsEnd(cluster)))
                context.AddError($"the cluster chain of '{path}' links to {(IsBad(cluster) ? "a bad cluster" : $"cluster {cluster}, outside the volume")}; cut there", null, path);
            var blob = new Iso9660.IsoExtentsBlob(parts);
            if (size is { } want)
            {
                if (blob.Length < want)
                    context.AddError($"'{path}' is {want} bytes but its cluster chain holds only {blob.Length}; the rest is missing", null, path);
                return blob.Length > want ? blob.Slice(0, want) : blob;
            }
            return blob;
        }

        private uint Next(uint cluster)
        {
            switch (v.Bits)
            {
                case 12:
                    {
                        var at = (int)(cluster + (cluster / 2));
                        if (at + 1 >= fat.Length)
                            return 0x0fff_ffff;
                        var pair = BinaryPrimitives.ReadUInt16LittleEndian(fat.AsSpan(at));
                        var value = (cluster & 1) == 0 ? pair & 0xfffu : (uint)(pair >> 4);
                        return value >= 0xff8 ? 0x0fff_ffff : value == 0xff7 ? 0x0fff_fff7 : value;
                    }
                case 16:
                    {
                        var at = (int)(cluster * 2);
                        if (at + 2 > fat.Length)
                            return 0x0fff_ffff;
                        uint value = BinaryPrimitives.ReadUInt16LittleEndian(fat.AsSpan(at));
                        return value >= 0xfff8 ? 0x0fff_ffff : value == 0xfff7 ? 0x0fff_fff7 : value;
                    }
                default:
                    {
                        var at = checked((int)(cluster * 4));
                        return at + 4 > fat.Length ? 0x0fff_ffff : BinaryPrimitives.ReadUInt32LittleEndian(fat.AsSpan(at)) & 0x0fff_ffff;
                    }
            }
        }

        private static bool IsEnd(uint value) => value >= 0x0fff_fff8;

        private static bool IsBad(uint value) => value == 0x0fff_fff7;

        public void Directory(IBlob entries, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                context.AddError($"directories nest deeper than {MaxDepth} at '{path}'; not followed", null, path);
                return;
            }
            var entry = new byte[EntrySize];
            var longName = new List<(int Order, string Part)>();
            byte longChecksum = 0;
            for (long at = 0; at + EntrySize <= entries.Length; at += EntrySize)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                entries.ReadExactly(at, entry);
                if (entry[NameOffset] == 0x00)
                    break;
                if (entry[NameOffset] == 0xe5)
                {
                    longName.Clear();
                    continue;
                }
                var attr = entry[AttrOffset];
                if ((attr & 0x3f) == AttrLongName)
                {
                    if ((entry[0] & 0x40) != 0)
                    {
                        longName.Clear();
                        longChecksum = entry[13];
                    }
                    if (longName.Count < MaxLongNameEntries)
                        longName.Add((entry[0] & 0x1f, LongPart(entry)));
                    continue;
                }
                if ((attr & AttrVolume) != 0)
                {
                    longName.Clear();
                    continue;
                }
                var shortName = ShortName(entry);
                var name = longName.Count > 0 && Checksum(entry) == longChecksum ? string.Concat(longName.OrderBy(p => p.Order).Select(p => p.Part)) : shortName;
                longName.Clear();
                if (name is "." or "..")
                    continue;
                if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                    name = shortName;
                var child = path.Length == 0 ? name : path + "/" + name;
                var cluster = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(ClusterHighOffset)) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(ClusterLowOffset))) & (v.Bits == 32 ? 0x0fff_ffffu : 0xffffu);
                var meta = new EntryMeta(child) { Mtime = Time(entry) };
                if ((attr & AttrDirectory) != 0)
                {
                    context.AddDirectory(meta);
                    if (cluster < 2)
                        continue;
                    if (!_directoryClusters.Add(cluster))
                    {
                        context.AddError($"directory '{child}' starts at cluster {cluster}, which another directory already uses (a loop); not followed", null, child);
                        continue;
                    }
                    Directory(Chain(cluster, child, isDirectory: true), child, depth + 1);
                }
                else
                {
                    var size = BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(SizeOffset));
                    context.AddFile(meta, size == 0 ? new MemoryBlob(ReadOnlyMemory<byte>.Empty) : Chain(cluster, child, isDirectory: false, size));
                }
            }
        }

        private static string LongPart(byte[] e)
        {
            var chars = new char[13];
            var n = 0;
            foreach (var (at, count) in new[] { (1, 5), (14, 6), (28, 2) })
            {
                for (var i = 0; i < count; i++)
                {
                    var c = (char)BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(at + (i * 2)));
                    if (c is '\0' or '\uffff')
                        return new string(chars, 0, n);
                    chars[n++] = c;
                }
            }
            return new string(chars, 0, n);
        }

        /// <summary>8.3 name, spaces trimmed, NTRes lower-case flags applied (0x08 base, 0x10 extension).</summary>
        private static string ShortName(byte[] e)
        {
            var raw = e.AsSpan(NameOffset, 11).ToArray();
            if (raw[0] == 0x05)
                raw[0] = 0xe5;
            var latin = Encoding.Latin1;
            var base8 = latin.GetString(raw, 0, 8).TrimEnd(' ');
            var ext = latin.GetString(raw, 8, 3).TrimEnd(' ');
            if ((e[NtResOffset] & 0x08) != 0)
                base8 = base8.ToLowerInvariant();
            if ((e[NtResOffset] & 0x10) != 0)
                ext = ext.ToLowerInvariant();
            return ext.Length == 0 ? base8 : base8 + "." + ext;
        }

        private static byte Checksum(byte[] e)
        {
            byte sum = 0;
            for (var i = 0; i < 11; i++)
                sum = (byte)((((sum & 1) << 7) | (sum >> 1)) + e[i]);
            return sum;
        }

        private static long? Time(byte[] e)
        {
            var date = BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(DateOffset));
            var time = BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(TimeOffset));
            var year = 1980 + (date >> 9);
            var month = (date >> 5) & 0xf;
            var day = date & 0x1f;
            if (month is < 1 or > 12 || day is < 1 or > 31 || day > DateTime.DaysInMonth(year, month))
                return null;
            var hour = time >> 11;
            var minute = (time >> 5) & 0x3f;
            var second = (time & 0x1f) * 2;
            if (hour > 23 || minute > 59 || second > 59)
                return null;
            return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).ToUnixTimeSeconds();
        }
    }
}
