using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Disks;

/// <summary>
/// QEMU copy-on-write disk images, versions 2 and 3: the guest disk is presented as one child,
/// <c>disk.raw</c>, mapped cluster by cluster through the L1/L2 tables with no copy (deflate and
/// zstd compressed clusters inflated on read). A backing file is reported and never opened.
/// </summary>
/// <remarks>
/// Header (big-endian, qemu docs/interop/qcow2.txt): magic "QFI\xfb" @0, version u32 @4,
/// backing_file_offset u64 @8, backing_file_size u32 @16, cluster_bits u32 @20, size u64 @24,
/// crypt_method u32 @32, l1_size u32 @36, l1_table_offset u64 @40, refcount_table_offset u64 @48,
/// refcount_table_clusters u32 @56, nb_snapshots u32 @60, snapshots_offset u64 @64; v3 adds
/// incompatible_features u64 @72, compatible u64 @80, autoclear u64 @88, refcount_order u32 @96,
/// header_length u32 @100, compression_type u8 @104. An L1 entry holds an L2 table offset in bits
/// 9-55; a standard L2 entry a cluster offset in bits 9-55 (bit 0: reads as zeros); a compressed one
/// (bit 62) the host offset in its low 62-(cluster_bits-8) bits and the extra 512-byte sectors above.
/// <code>
/// 00000000  51 46 49 fb 00 00 00 03  00 00 00 00 00 00 00 00  |QFI.............|
/// 00000010  00 00 00 00 00 00 00 10  00 00 00 00 00 40 00 00  |.............@..|
/// </code>
/// </remarks>
internal sealed class Qcow2Handler : IFormatHandler<Qcow2Handler.Header>
{
    private const int MagicOffset = 0, VersionOffset = 4, BackingOffsetOffset = 8, BackingSizeOffset = 16, ClusterBitsOffset = 20;
    private const int SizeOffset = 24, CryptOffset = 32, L1SizeOffset = 36, L1OffsetOffset = 40;
    private const int IncompatibleOffset = 72, HeaderLengthOffset = 100, CompressionTypeOffset = 104;
    private const int V2HeaderLength = 72, V3MinHeaderLength = 104;
    private const int MinClusterBits = 9, MaxClusterBits = 21;
    private const ulong OffsetMask = 0x00ff_ffff_ffff_fe00UL;
    private const ulong CompressedFlag = 1UL << 62;
    private const ulong ZeroFlag = 1UL;
    private const int MaxBackingName = 1023;
    private const ulong IncompatibleDirty = 1, IncompatibleCorrupt = 2, IncompatibleExternalData = 4, IncompatibleCompressionType = 8, IncompatibleExtendedL2 = 16;

    public string Id => "qcow2";
    public string Description => "QEMU qcow2 virtual disk image (v2, v3)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("514649fb")];
    public IReadOnlyList<string> References { get; } = ["QEMU docs/interop/qcow2.txt (qcow2 image format, version 3)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "backing files are reported, never opened: clusters the image does not hold read as zeros",
        "encrypted images (AES, LUKS), external data files and extended L2 entries (subclusters) are reported, not read",
        "internal snapshots are not listed; the active L1 table is",
    ];

    internal sealed record Header(int Version, long BackingOffset, int BackingSize, int ClusterBits, long Size, int Crypt, int L1Size, long L1Offset, ulong Incompatible, int CompressionType);

    public FormatMatch<Header>? TryMatch(IBlob blob, long offset)
    {
        var h = new byte[V3MinHeaderLength + 8];
        var got = blob.Read(offset, h);
        if (got < V2HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(MagicOffset)) != 0x514649fb)
            return null;
        var header = Parse(h, got);
        if (header is null)
            return null;
        var description = $"qcow2 v{header.Version}, {Size(header.Size)} virtual, {1 << header.ClusterBits >> 10} KiB clusters";
        if (header.Crypt != 0)
            description += ", encrypted";
        if (header.BackingSize > 0)
            description += ", with a backing file";
        return new FormatMatch<Header>(offset, null, description, header);
    }

    private static Header? Parse(byte[] h, int got)
    {
        var version = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(VersionOffset));
        if (version is not (2 or 3))
            return null;
        var clusterBits = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(ClusterBitsOffset));
        var size = BinaryPrimitives.ReadInt64BigEndian(h.AsSpan(SizeOffset));
        var l1Size = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(L1SizeOffset));
        var l1Offset = BinaryPrimitives.ReadInt64BigEndian(h.AsSpan(L1OffsetOffset));
        var backingOffset = BinaryPrimitives.ReadInt64BigEndian(h.AsSpan(BackingOffsetOffset));
        var backingSize = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(BackingSizeOffset));
        if (clusterBits is < MinClusterBits or > MaxClusterBits || size < 0 || l1Size < 0 || l1Offset < 0 || backingOffset < 0 || backingSize < 0)
            return null;
        ulong incompatible = 0;
        var compression = 0;
        if (version == 3)
        {
            if (got < V3MinHeaderLength)
                return null;
            incompatible = BinaryPrimitives.ReadUInt64BigEndian(h.AsSpan(IncompatibleOffset));
            var headerLength = BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(HeaderLengthOffset));
            if (headerLength < V3MinHeaderLength)
                return null;
            if (headerLength > CompressionTypeOffset && got > CompressionTypeOffset)
                compression = h[CompressionTypeOffset];
        }
        return new Header(version, backingOffset, backingSize, clusterBits, size, BinaryPrimitives.ReadInt32BigEndian(h.AsSpan(CryptOffset)), l1Size, l1Offset, incompatible, compression);
    }

    public void Unpack(IBlob chunk, FormatMatch<Header> match, IUnpackContext context)
    {
        var h = match.State;
        if (h.BackingSize > 0)
        {
            var name = h.BackingSize <= MaxBackingName && h.BackingOffset + h.BackingSize <= chunk.Length
                ? Encoding.UTF8.GetString(chunk.ReadBytes(h.BackingOffset, h.BackingSize)) : "(name unreadable)";
            context.AddError($"the image is a delta over the backing file '{Printable(name)}', which is not opened (Assay never follows a reference out of the delivery): clusters this image does not hold read as zeros, so the disk's files may be incomplete; scan the backing image too", BackingOffsetOffset);
        }
        if (h.Crypt != 0)
            throw new FormatException(Id, CryptOffset, $"the image is encrypted (crypt_method {h.Crypt}); its content cannot be read without the key");
        if ((h.Incompatible & (IncompatibleExternalData | IncompatibleExtendedL2)) != 0)
            throw new FormatException(Id, IncompatibleOffset, $"incompatible feature bits 0x{h.Incompatible:x} (external data file or extended L2 entries) are not supported; the disk is not read");
        if ((h.Incompatible & IncompatibleCorrupt) != 0)
            context.AddError("qemu marked this image corrupt (incompatible feature bit 1); what it holds may be inconsistent", IncompatibleOffset);
        if ((h.Incompatible & IncompatibleDirty) != 0)
            context.AddError("the image is marked dirty (not closed cleanly); refcounts may be stale, the data is read as it is", IncompatibleOffset);
        var compression = (h.Incompatible & IncompatibleCompressionType) != 0 ? h.CompressionType : 0;
        if (compression is not (0 or 1))
            throw new FormatException(Id, CompressionTypeOffset, $"compression type {compression} is unknown (0 deflate, 1 zstd)");
        var clusterSize = 1L << h.ClusterBits;
        var l2Entries = clusterSize / 8;
        var neededL1 = (h.Size + (clusterSize * l2Entries) - 1) / (clusterSize * l2Entries);
        if (h.L1Size < neededL1)
            throw new FormatException(Id, L1SizeOffset, $"L1 table has {h.L1Size} entries but a {h.Size}-byte disk needs {neededL1}; the header is inconsistent");
        if (h.L1Offset % clusterSize != 0 || h.L1Offset + (neededL1 * 8) > chunk.Length)
            throw new FormatException(Id, L1OffsetOffset, $"L1 table at 0x{h.L1Offset:x} is not cluster-aligned or lies past the image end (0x{chunk.Length:x}); the image is truncated or not qcow2");
        var l1 = new ulong[neededL1];
        var raw = chunk.ReadBytes(h.L1Offset, checked((int)(neededL1 * 8)));
        for (var i = 0; i < l1.Length; i++)
            l1[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
        var disk = new Qcow2Blob(Id, chunk, h.Size, h.ClusterBits, l1, compression == 1);
        var bad = disk.CheckTables(context.CancellationToken);
        if (bad.Count > 0)
            context.AddError($"{bad.Count} table entr{(bad.Count == 1 ? "y points" : "ies point")} outside the image (first: {bad[0]}); those clusters read as zeros", null);
        context.AddFile(new EntryMeta("disk.raw"), disk);
    }

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)(1L << 20):0.#} MiB";

    private static string Printable(string s) => string.Concat(s.Take(200).Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>The guest disk through the L1/L2 tables (L2 tables cached as they are met).</summary>
    private sealed class Qcow2Blob(string formatId, IBlob image, long size, int clusterBits, ulong[] l1, bool zstd) : GrainBlob(formatId, image, size, 1 << clusterBits)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ulong[]> _l2 = new();
        private readonly int _l2Bits = clusterBits - 3;

        protected override Grain Locate(long grain)
        {
            var l1Index = grain >> _l2Bits;
            if (l1Index >= l1.Length)
                return default;
            var l2Offset = (long)(l1[l1Index] & OffsetMask);
            if (l2Offset == 0)
                return default;
            var table = L2(l2Offset);
            if (table is null)
                return default;
            var entry = table[grain & ((1L << _l2Bits) - 1)];
            if ((entry & CompressedFlag) != 0)
            {
                var x = 62 - (clusterBits - 8);
                var offset = (long)(entry & ((1UL << x) - 1));
                var sectors = (long)((entry >> x) & ((1UL << (62 - x)) - 1));
                var length = ((sectors + 1) * 512) - (offset & 511);
                if (offset + length > Image.Length)
                    length = Image.Length - offset;
                return length <= 0 || length > 2 * GrainSize ? default : new Grain(GrainKind.Compressed, offset, (int)length);
            }
            var host = (long)(entry & OffsetMask);
            if ((entry & ZeroFlag) != 0 || host == 0 || host >= Image.Length)
                return default;
            return new Grain(GrainKind.Plain, host, GrainSize);
        }

        private ulong[]? L2(long offset)
        {
            if (_l2.TryGetValue(offset, out var cached))
                return cached;
            if (offset + GrainSize > Image.Length)
                return null;
            var raw = Image.ReadBytes(offset, GrainSize);
            var table = new ulong[GrainSize / 8];
            for (var i = 0; i < table.Length; i++)
                table[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
            // Bounded: a 1 TiB disk with 64 KiB clusters has 2048 L2 tables of 64 KiB.
            if (_l2.Count < 16384)
                _l2[offset] = table;
            return table;
        }

        protected override void Inflate(ReadOnlySpan<byte> stored, Span<byte> destination, long grain)
        {
            if (!zstd)
            {
                InflateDeflate(stored, destination, zlib: false, grain);
                return;
            }
            try
            {
                using var d = new ZstdSharp.Decompressor();
                var output = d.Unwrap(stored);
                output[..Math.Min(output.Length, destination.Length)].CopyTo(destination);
                destination[Math.Min(output.Length, destination.Length)..].Clear();
            }
            catch (ZstdSharp.ZstdException)
            {
                MarkDamaged(destination);
            }
        }

        /// <summary>Every L1 and L2 entry checked against the image's extent, once; the descriptions of the bad ones.</summary>
        public List<string> CheckTables(CancellationToken cancellationToken)
        {
            var bad = new List<string>();
            for (var i = 0; i < l1.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var l2Offset = (long)(l1[i] & OffsetMask);
                if (l2Offset == 0)
                    continue;
                if (l2Offset + GrainSize > Image.Length)
                {
                    bad.Add($"L1[{i}] → 0x{l2Offset:x}");
                    continue;
                }
                var table = L2(l2Offset)!;
                for (var j = 0; j < table.Length; j++)
                {
                    var entry = table[j];
                    var host = (entry & CompressedFlag) != 0 ? (long)(entry & ((1UL << (62 - (clusterBits - 8))) - 1)) : (long)(entry & OffsetMask);
                    if (host != 0 && host >= Image.Length && bad.Count < 1000)
                        bad.Add($"L2[{i}][{j}] → 0x{host:x}");
                }
            }
            return bad;
        }
    }
}
