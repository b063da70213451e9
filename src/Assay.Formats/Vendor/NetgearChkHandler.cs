using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Vendor;

/// <summary>
/// NETGEAR CHK image: a big-endian header with the board id, then the kernel (often a TRX) and an
/// optional root filesystem, each with NETGEAR's own checksum, plus one over both and one over the
/// header. The header checksum decides the match; the others are verified on unpacking.
/// </summary>
/// <remarks>
/// <code>
/// struct chk_header {            // OpenWrt firmware-utils mkchkimg.c, all fields big-endian
///     uint32_t magic;            // 0x00  0x2a23245e "*#$^"
///     uint32_t header_len;       // 0x04  40 + strlen(board_id)
///     uint8_t  reserved[8];      // 0x08  region, major, minor, build ...
///     uint32_t kernel_chksum;    // 0x10
///     uint32_t rootfs_chksum;    // 0x14
///     uint32_t kernel_len;       // 0x18
///     uint32_t rootfs_len;       // 0x1c
///     uint32_t image_chksum;     // 0x20  over kernel and rootfs together
///     uint32_t header_chksum;    // 0x24  over the header (this field 0) and the board id
///     char     board_id[];       // 0x28  not NUL-terminated, up to header_len
/// };
/// </code>
/// </remarks>
internal sealed class NetgearChkHandler : IFormatHandler<NetgearChkHandler.State>
{
    private const uint Magic = 0x2a23245e;
    private const int FixedLength = 40;
    private const int MaxHeaderLength = 1024;
    private const int KernelChecksumOffset = 0x10;
    private const int RootfsChecksumOffset = 0x14;
    private const int KernelLengthOffset = 0x18;
    private const int RootfsLengthOffset = 0x1c;
    private const int ImageChecksumOffset = 0x20;
    private const int HeaderChecksumOffset = 0x24;

    public string Id => "netgear-chk";
    public string Description => "NETGEAR CHK firmware image (board id, kernel, rootfs; NETGEAR checksums verified)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("2a23245e")];
    public IReadOnlyList<string> References { get; } = ["OpenWrt firmware-utils mkchkimg.c (struct chk_header, netgear_checksum_add/fini)"];
    public IReadOnlyList<string> Limitations { get; } = ["the reserved bytes (region, version) are shown, not interpreted beyond that"];

    internal sealed record State(int HeaderLength, uint KernelLength, uint RootfsLength, uint KernelChecksum, uint RootfsChecksum, uint ImageChecksum, string BoardId);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> fixedPart = stackalloc byte[FixedLength];
        if (!blob.TryReadExactly(offset, fixedPart) || BinaryPrimitives.ReadUInt32BigEndian(fixedPart) != Magic)
            return null;
        var headerLength = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        if (headerLength is < FixedLength or > MaxHeaderLength)
            return null;
        var header = blob.ReadBytes(offset, (int)headerLength);
        if (header.Length != headerLength)
            return null;
        var boardId = header.AsSpan(FixedLength);
        if (boardId.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0 || boardId.IndexOfAnyInRange((byte)0x7f, (byte)0xff) >= 0)
            return null;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(HeaderChecksumOffset));
        header.AsSpan(HeaderChecksumOffset, 4).Clear();
        if (Checksums.Netgear(new MemoryBlob(header), CancellationToken.None) != stored)
            return null;
        var kernelLength = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(KernelLengthOffset));
        var rootfsLength = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(RootfsLengthOffset));
        var length = (long)headerLength + kernelLength + rootfsLength;
        var truncated = length > blob.Length - offset;
        var state = new State((int)headerLength, kernelLength, rootfsLength,
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(KernelChecksumOffset)),
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(RootfsChecksumOffset)),
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(ImageChecksumOffset)),
            Encoding.ASCII.GetString(boardId));
        var version = $"{header[9]}.{header[10]}.{header[11]}";
        return new FormatMatch<State>(offset, truncated ? null : length,
            $"netgear chk, board \"{state.BoardId}\", region {header[8]}, version {version}, kernel {kernelLength} bytes, rootfs {rootfsLength} bytes"
            + (truncated ? $", truncated ({blob.Length - offset} of {length} bytes present)" : ""), state);
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        var need = (long)s.HeaderLength + s.KernelLength + s.RootfsLength;
        if (chunk.Length < need)
            throw new FormatException(Id, match.Offset + KernelLengthOffset, $"kernel_len {s.KernelLength} and rootfs_len {s.RootfsLength} need {need} bytes but {chunk.Length} are present; the image is truncated");
        var ct = context.CancellationToken;
        var kernel = chunk.Slice(s.HeaderLength, s.KernelLength);
        var rootfs = chunk.Slice(s.HeaderLength + s.KernelLength, s.RootfsLength);
        Verify("kernel_chksum", KernelChecksumOffset, s.KernelChecksum, Checksums.Netgear(kernel, ct), match, context);
        if (s.RootfsLength > 0)
            Verify("rootfs_chksum", RootfsChecksumOffset, s.RootfsChecksum, Checksums.Netgear(rootfs, ct), match, context);
        Verify("image_chksum", ImageChecksumOffset, s.ImageChecksum, Checksums.Netgear(chunk.Slice(s.HeaderLength, s.KernelLength + (long)s.RootfsLength), ct), match, context);
        if (s.KernelLength > 0)
            context.AddFile(new EntryMeta("kernel"), kernel);
        if (s.RootfsLength > 0)
            context.AddFile(new EntryMeta("rootfs"), rootfs);
    }

    private void Verify(string field, int fieldOffset, uint stored, uint computed, FormatMatch match, IUnpackContext context)
    {
        if (stored != computed)
            context.AddError($"{Id}: {field} is 0x{stored:x8} but the data gives 0x{computed:x8}; the image was modified or damaged (its parts are listed as found)", match.Offset + fieldOffset);
    }
}
