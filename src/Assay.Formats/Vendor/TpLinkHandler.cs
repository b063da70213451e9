using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Vendor;

/// <summary>
/// TP-Link firmware image (TL-WR, Archer, TD-W series): a 512-byte big-endian header (v1, or v2/v3
/// of the Lantiq and MediaTek boards) with the kernel, root filesystem and bootloader extents and
/// an MD5 over the whole image computed with a salt in place of the digest field.
/// </summary>
/// <remarks>
/// OpenWrt firmware-utils mktplinkfw.c (v1) and mktplinkfw2.c (v2, v3); the version word is
/// stored as <c>01 00 00 00</c> / <c>02 00 00 00</c> / <c>03 00 00 00</c>.
/// <code>
/// v1: vendor_name[24] @0x04 ("TP-LINK Technologies"), fw_version[36] @0x1c, hw_id @0x40, hw_rev @0x44,
///     md5sum1 @0x4c, kernel_la @0x74, kernel_ep @0x78, fw_length @0x7c, kernel_ofs @0x80,
///     kernel_len @0x84, rootfs_ofs @0x88, rootfs_len @0x8c, boot_ofs @0x90, boot_len @0x94
/// v2/v3: fw_version[48] @0x04 ("ver. 1.0"), hw_id @0x34, hw_rev @0x38, md5sum1 @0x40, kernel_la @0x68,
///     kernel_ep @0x6c, fw_length @0x70, kernel_ofs @0x74, kernel_len @0x78, rootfs_ofs @0x7c,
///     rootfs_len @0x80, boot_ofs @0x84, boot_len @0x88
/// 00000000  01 00 00 00 54 50 2d 4c  49 4e 4b 20 54 65 63 68  |....TP-LINK Tech|
/// </code>
/// MD5: over the image with md5sum1 replaced by md5salt_normal, or md5salt_boot when the image
/// carries a bootloader.
/// </remarks>
internal sealed class TpLinkHandler : IFormatHandler<TpLinkHandler.State>
{
    private const int HeaderLength = 512;
    private const int Md5Length = 16;

    private static readonly byte[] SaltNormal = Convert.FromHexString("dcd73aa5c39598fbdcf9e7f40eae4737");
    private static readonly byte[] SaltBoot = Convert.FromHexString("8cef335fd5c5cefaac9c28dab2e90f42");

    /// <summary>Field offsets of one header version.</summary>
    internal sealed record Layout(int Version, int Md5, int HwId, int HwRev, int KernelLoad, int FwLength, int KernelOffset, int VersionText, int VersionTextLength)
    {
        public int KernelEntry => KernelLoad + 4;
        public int KernelLength => FwLength + 8;
        public int RootfsOffset => FwLength + 12;
        public int RootfsLength => FwLength + 16;
        public int BootOffset => FwLength + 20;
        public int BootLength => FwLength + 24;
    }

    private static readonly Layout V1 = new(1, 0x4c, 0x40, 0x44, 0x74, 0x7c, 0x80, 0x1c, 36);
    private static readonly Layout V2 = new(2, 0x40, 0x34, 0x38, 0x68, 0x70, 0x74, 0x04, 48);

    public string Id => "tplink";
    public string Description => "TP-Link firmware image (header v1, v2, v3; salted MD5 verified)";
    public FormatCategory Category => FormatCategory.Firmware;

    public IReadOnlyList<MagicSignature> Magics { get; } =
    [
        new(0, [0x01, 0, 0, 0, .. Encoding.ASCII.GetBytes("TP-LINK Technologies")]),
        new(0, [0x02, 0, 0, 0, .. Encoding.ASCII.GetBytes("ver. ")]),
        new(0, [0x03, 0, 0, 0, .. Encoding.ASCII.GetBytes("ver. ")]),
    ];

    public IReadOnlyList<string> References { get; } = ["OpenWrt firmware-utils mktplinkfw.c (struct fw_header v1, md5salt_normal/boot)", "OpenWrt firmware-utils mktplinkfw2.c (v2/v3 header)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "v1 images are recognised by the vendor string \"TP-LINK Technologies\", v2/v3 by a version text starting \"ver. \"",
        "the safeloader (\"fw-type:\" partition table) and TP-Link RTOS (VxWorks) formats are not read",
        "v3 boards may store the load address and entry point little-endian; they are shown as stored",
    ];

    internal sealed record State(Layout Layout, long Length, bool Verified, uint KernelOffset, uint KernelLength, uint RootfsOffset, uint RootfsLength, uint BootOffset, uint BootLength);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        var h = new byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || h[1] != 0 || h[2] != 0 || h[3] != 0)
            return null;
        var layout = h[0] switch { 1 => V1, 2 or 3 => V2 with { Version = h[0] }, _ => null };
        if (layout is null)
            return null;
        uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(at));
        var fwLength = U32(layout.FwLength);
        uint kernelOffset = U32(layout.KernelOffset), kernelLength = U32(layout.KernelLength);
        uint rootfsOffset = U32(layout.RootfsOffset), rootfsLength = U32(layout.RootfsLength);
        uint bootOffset = U32(layout.BootOffset), bootLength = U32(layout.BootLength);
        if (kernelOffset < HeaderLength || kernelLength == 0)
            return null;
        var available = blob.Length - offset;
        // The MD5 covers what mktplinkfw wrote: fw_length bytes, or up to the last part when the
        // padding was stripped (-s). Each candidate extent is tried with both salts.
        var partsEnd = Math.Max(kernelOffset + (long)kernelLength, Math.Max(rootfsOffset + (long)rootfsLength, bootOffset + (long)bootLength));
        long? length = null;
        foreach (var candidate in new[] { (long)fwLength, partsEnd }.Distinct())
        {
            if (candidate < HeaderLength || candidate > available || candidate < partsEnd)
                continue;
            var image = blob.Slice(offset, candidate);
            var stored = h.AsSpan(layout.Md5, Md5Length);
            if (Checksums.Md5(image, CancellationToken.None, layout.Md5, SaltNormal).AsSpan().SequenceEqual(stored)
                || Checksums.Md5(image, CancellationToken.None, layout.Md5, SaltBoot).AsSpan().SequenceEqual(stored))
            {
                length = candidate;
                break;
            }
        }
        var verified = length is not null;
        if (!verified)
        {
            // Without a verified digest the header is only believed when its extents are consistent.
            if (partsEnd > available || (fwLength != 0 && partsEnd > fwLength))
                return null;
            length = fwLength >= partsEnd && fwLength <= available ? fwLength : partsEnd;
        }
        var text = Encoding.ASCII.GetString(h, layout.VersionText, layout.VersionTextLength).TrimEnd('\0', '\xff');
        var vendor = layout.Version == 1 ? Encoding.ASCII.GetString(h, 4, 24).TrimEnd('\0') + ", " : "";
        return new FormatMatch<State>(offset, length,
            $"tp-link v{layout.Version}, {vendor}\"{text}\", hw id 0x{U32(layout.HwId):x8} rev {U32(layout.HwRev)}, kernel load 0x{U32(layout.KernelLoad):x8} entry 0x{U32(layout.KernelEntry):x8}, "
            + (verified ? "MD5 verified" : "MD5 does not verify"), new State(layout, length!.Value, verified, kernelOffset, kernelLength, rootfsOffset, rootfsLength, bootOffset, bootLength));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        if (!s.Verified)
            context.AddError($"{Id}: the MD5 at 0x{s.Layout.Md5:x} matches neither salt over the image; the image was modified or damaged (its parts are listed as found)", match.Offset + s.Layout.Md5);
        Part("kernel", s.KernelOffset, s.KernelLength);
        Part("rootfs", s.RootfsOffset, s.RootfsLength);
        Part("bootloader", s.BootOffset, s.BootLength);

        void Part(string name, uint offset, uint length)
        {
            if (length == 0 || offset == 0)
                return;
            if (offset + (long)length > chunk.Length)
            {
                context.AddError($"{Id}: {name} at 0x{offset:x} with {length} bytes passes the image end (0x{chunk.Length:x}); not listed", match.Offset + offset);
                return;
            }
            context.AddFile(new EntryMeta(name), chunk.Slice(offset, length));
        }
    }
}
