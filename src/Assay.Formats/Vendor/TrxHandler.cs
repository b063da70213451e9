using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Vendor;

/// <summary>
/// Broadcom TRX (Netgear, Linksys, ASUS, Tenda routers): a 28- or 32-byte little-endian header
/// with a CRC-32 over everything after its first 12 bytes, and the offsets of up to three (v1) or
/// four (v2) partitions (loader, kernel, root filesystem, and for v2 a binary header). Each
/// partition runs from its offset to the next one, the last to <c>len</c>.
/// </summary>
/// <remarks>
/// <code>
/// struct trx_header {          // OpenWrt firmware-utils trx.c, Broadcom bcmutils
///     uint32_t magic;          // 0x00  "HDR0" (0x30524448 LE)
///     uint32_t len;            // 0x04  header + data
///     uint32_t crc32;          // 0x08  CRC-32 (init ~0, no final xor) of bytes 0x0c..len
///     uint16_t flag_version;   // 0x0c  flags (low), version 1 or 2 (high 16 bits of the word)
///     uint32_t offsets[3|4];   // 0x10  partition offsets from the header start, 0 = unused
/// };
/// 00000000  48 44 52 30 00 10 00 00  33 b9 d6 25 00 00 01 00  |HDR0....3..%....|
/// 00000010  1c 00 00 00 30 00 00 00  44 00 00 00              |....0...D...|
/// </code>
/// </remarks>
internal sealed class TrxHandler : IFormatHandler<TrxHandler.State>
{
    private const uint Magic = 0x30524448;
    private const int LengthOffset = 0x04;
    private const int CrcOffset = 0x08;
    private const int CrcStart = 0x0c;
    private const int FlagsOffset = 0x0c;
    private const int VersionOffset = 0x0e;
    private const int OffsetsOffset = 0x10;
    private const int HeaderLengthV1 = OffsetsOffset + (3 * 4);
    private const int HeaderLengthV2 = OffsetsOffset + (4 * 4);

    public string Id => "trx";
    public string Description => "Broadcom TRX firmware container (v1 and v2), CRC-32 verified";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("HDR0")];
    public IReadOnlyList<string> References { get; } = ["OpenWrt firmware-utils trx.c / otrx.c (struct trx_header, CRC over flag_version..len)", "Broadcom bcmutils trxhdr.h"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "partitions are named part0..part3 by position (their role — loader, kernel, rootfs — is not in the header); the formats inside are found by magic",
        "a header whose CRC does not verify is not taken for TRX (a carver would otherwise split random data at every \"HDR0\")",
    ];

    internal sealed record State(int Version, uint[] Offsets, int HeaderLength);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLengthV2];
        if (!blob.TryReadExactly(offset, h) || BinaryPrimitives.ReadUInt32LittleEndian(h) != Magic)
            return null;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(h[LengthOffset..]);
        var version = BinaryPrimitives.ReadUInt16LittleEndian(h[VersionOffset..]);
        if (version is not (1 or 2))
            return null;
        var headerLength = version == 1 ? HeaderLengthV1 : HeaderLengthV2;
        if (length < headerLength || length > blob.Length - offset)
            return null;
        var offsets = new uint[version == 1 ? 3 : 4];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(h[(OffsetsOffset + (4 * i))..]);
            if (offsets[i] != 0 && (offsets[i] < headerLength || offsets[i] > length))
                return null;
        }
        var crc = Checksums.Crc32NoFinalXor(blob.Slice(offset + CrcStart, length - CrcStart), CancellationToken.None);
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(h[CrcOffset..]))
            return null;
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(h[FlagsOffset..]);
        var used = offsets.Count(o => o != 0);
        return new FormatMatch<State>(offset, length, $"trx v{version}, {length} bytes, {used} partitions, flags 0x{flags:x4}, CRC-32 verified", new State(version, offsets, headerLength));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var state = match.State;
        // Partitions in offset order; each ends where the next begins (trx.c writes them back to back, aligned).
        var starts = state.Offsets.Select((o, i) => (Offset: (long)o, Index: i)).Where(p => p.Offset != 0).OrderBy(p => p.Offset).ToList();
        for (var i = 0; i < starts.Count; i++)
        {
            var start = starts[i].Offset;
            var end = i + 1 < starts.Count ? starts[i + 1].Offset : chunk.Length;
            if (end <= start)
                continue;
            context.AddFile(new EntryMeta($"part{starts[i].Index}"), chunk.Slice(start, end - start));
        }
    }
}
