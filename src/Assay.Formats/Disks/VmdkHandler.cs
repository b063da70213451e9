using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Disks;

/// <summary>
/// VMware VMDK hosted sparse extents (monolithicSparse) and stream-optimized extents (OVA/OVF
/// appliances): the guest disk is the child <c>disk.raw</c>, mapped grain by grain through the
/// grain directory and grain tables, compressed grains inflated on read.
/// </summary>
/// <remarks>
/// SparseExtentHeader (VMware "Virtual Disk Format 5.0", little-endian): magic "KDMV" @0,
/// version u32 @4, flags u32 @8 (bit 2 zeroed-grain GTEs, bit 16 compressed grains, bit 17
/// markers), capacity u64 @12 and grainSize u64 @20 in sectors, descriptorOffset u64 @28,
/// descriptorSize u64 @36, numGTEsPerGT u32 @44, rgdOffset u64 @48, gdOffset u64 @56 (all ones:
/// the grain directory is found through the footer, a copy of this header 1024 bytes before the
/// end), compressAlgorithm u16 @77 (1 deflate). A compressed grain starts with its LBA u64 and
/// size u32, then a zlib stream.
/// <code>
/// 00000000  4b 44 4d 56 03 00 00 00  03 00 03 00 00 80 00 00  |KDMV............|
/// </code>
/// </remarks>
internal sealed class VmdkHandler : IFormatHandler<VmdkHandler.Header>
{
    private const int Sector = 512;
    private const int VersionOffset = 4, FlagsOffset = 8, CapacityOffset = 12, GrainSizeOffset = 20, DescriptorOffsetOffset = 28, DescriptorSizeOffset = 36;
    private const int GtesPerGtOffset = 44, GdOffsetOffset = 56, CompressOffset = 77;
    private const uint FlagZeroGrains = 1 << 2, FlagCompressed = 1 << 16;
    private const ulong GdAtEnd = ulong.MaxValue;
    private const int FooterFromEnd = 1024;
    private const int GrainMarkerHeader = 12;
    private const long MaxGrainSectors = 2048;
    private const int MaxDescriptor = 64 << 10;

    public string Id => "vmdk";
    public string Description => "VMware VMDK sparse extent (monolithicSparse, streamOptimized)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("KDMV")];
    public IReadOnlyList<string> References { get; } = ["VMware Virtual Disk Format 5.0 (hosted sparse extents, stream-optimized compressed sparse extents)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "a text descriptor that points at separate extent files (monolithicFlat, split sparse, ESXi -flat) is not followed: scan the extent files",
        "the redundant grain directory is not consulted when the primary one is damaged",
    ];

    internal sealed record Header(uint Flags, long Capacity, long GrainSectors, long GdOffset, int GtesPerGt, int Compress, string? CreateType);

    public FormatMatch<Header>? TryMatch(IBlob blob, long offset)
    {
        var h = new byte[Sector];
        if (!blob.TryReadExactly(offset, h) || !h.AsSpan(0, 4).SequenceEqual("KDMV"u8))
            return null;
        var version = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(VersionOffset));
        if (version is 0 or > 3)
            return null;
        var header = Parse(h);
        if (header is null)
            return null;
        var length = blob.Length - offset;
        if ((ulong)header.GdOffset == GdAtEnd)
        {
            // stream-optimized: the footer (a header copy with the real gdOffset) sits 1024 bytes before the end
            var footer = new byte[Sector];
            if (length < FooterFromEnd + Sector || !blob.TryReadExactly(offset + length - FooterFromEnd, footer) || !footer.AsSpan(0, 4).SequenceEqual("KDMV"u8))
                return null;
            header = Parse(footer);
            if (header is null || (ulong)header.GdOffset == GdAtEnd)
                return null;
        }
        var descriptor = ReadDescriptor(blob, offset, h);
        header = header with { CreateType = descriptor };
        var kind = (header.Flags & FlagCompressed) != 0 ? "stream-optimized" : "sparse";
        return new FormatMatch<Header>(offset, null, $"VMDK {kind} extent{(descriptor is null ? "" : $" ({descriptor})")}, {header.Capacity * Sector >> 20} MiB virtual, {header.GrainSectors * Sector >> 10} KiB grains", header);
    }

    private static Header? Parse(byte[] h)
    {
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(FlagsOffset));
        var capacity = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(CapacityOffset));
        var grain = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(GrainSizeOffset));
        var gtes = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(GtesPerGtOffset));
        var gd = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(GdOffsetOffset));
        // grainSize: a power of two over 8 sectors (4 KiB); capacity fits in 2^52 bytes
        if (capacity <= 0 || capacity > (1L << 43) || grain < 8 || grain > MaxGrainSectors || (grain & (grain - 1)) != 0 || gtes is < 1 or > 4096)
            return null;
        return new Header(flags, capacity, grain, gd, gtes, BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(CompressOffset)), null);
    }

    /// <summary>The createType of the embedded descriptor, for the description.</summary>
    private static string? ReadDescriptor(IBlob blob, long offset, byte[] h)
    {
        var at = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(DescriptorOffsetOffset));
        var size = BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(DescriptorSizeOffset));
        if (at <= 0 || size <= 0 || size * Sector > MaxDescriptor)
            return null;
        var text = Encoding.ASCII.GetString(blob.ReadBytes(offset + (at * Sector), (int)(size * Sector))).TrimEnd('\0');
        foreach (var line in text.Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("createType", StringComparison.Ordinal) && t.Contains('"', StringComparison.Ordinal))
                return string.Concat(t.Split('"')[1].Where(char.IsAsciiLetterOrDigit).Take(40));
        }
        return null;
    }

    public void Unpack(IBlob chunk, FormatMatch<Header> match, IUnpackContext context)
    {
        var h = match.State;
        var compressed = (h.Flags & FlagCompressed) != 0;
        if (compressed && h.Compress != 1)
            throw new FormatException(Id, CompressOffset, $"compression algorithm {h.Compress} is unknown (1 is deflate)");
        var grainBytes = h.GrainSectors * Sector;
        var coverage = grainBytes * h.GtesPerGt;
        var gdEntries = (h.Capacity * Sector + coverage - 1) / coverage;
        var gdAt = h.GdOffset * Sector;
        if (h.GdOffset <= 0 || gdAt + (gdEntries * 4) > chunk.Length)
            throw new FormatException(Id, GdOffsetOffset, $"the grain directory at sector {h.GdOffset} ({gdEntries} entries) lies outside the file (0x{chunk.Length:x} bytes); the image is truncated");
        var gd = chunk.ReadBytes(gdAt, checked((int)(gdEntries * 4)));
        var tables = new uint[]?[gdEntries];
        var bad = 0;
        for (var i = 0; i < gdEntries; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var gt = (long)BinaryPrimitives.ReadUInt32LittleEndian(gd.AsSpan(i * 4)) * Sector;
            if (gt == 0)
                continue;
            if (gt + (h.GtesPerGt * 4L) > chunk.Length)
            {
                bad++;
                continue;
            }
            var raw = chunk.ReadBytes(gt, h.GtesPerGt * 4);
            var table = new uint[h.GtesPerGt];
            for (var j = 0; j < table.Length; j++)
            {
                table[j] = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(j * 4));
                if (table[j] > 1 && (long)table[j] * Sector >= chunk.Length)
                {
                    bad++;
                    table[j] = 0;
                }
            }
            tables[i] = table;
        }
        if (bad > 0)
            context.AddError($"{bad} grain directory or grain table entr{(bad == 1 ? "y points" : "ies point")} outside the file; those grains read as zeros", gdAt);
        context.AddFile(new EntryMeta("disk.raw"), new VmdkBlob(Id, chunk, h.Capacity * Sector, (int)grainBytes, tables, h.GtesPerGt, compressed, (h.Flags & FlagZeroGrains) != 0));
    }

    private sealed class VmdkBlob(string formatId, IBlob image, long length, int grainSize, uint[]?[] tables, int perTable, bool compressed, bool zeroGrains)
        : GrainBlob(formatId, image, length, grainSize)
    {
        protected override Grain Locate(long grain)
        {
            var table = tables[grain / perTable];
            if (table is null)
                return default;
            var sector = table[grain % perTable];
            if (sector == 0 || (sector == 1 && zeroGrains))
                return default;
            var at = (long)sector * Sector;
            if (!compressed)
                return new Grain(GrainKind.Plain, at, GrainSize);
            Span<byte> marker = stackalloc byte[GrainMarkerHeader];
            if (!Image.TryReadExactly(at, marker))
                return default;
            var size = BinaryPrimitives.ReadUInt32LittleEndian(marker[8..]);
            if (size == 0 || size > 2L * GrainSize + 1024)
                return default;
            return new Grain(GrainKind.Compressed, at, (int)Math.Min(GrainMarkerHeader + size, Image.Length - at));
        }

        protected override void Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, long grain) =>
            InflateDeflate(stored[GrainMarkerHeader..], destination, zlib: true, grain);
    }
}
