using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// Android boot and recovery images (mkbootimg, header versions 0-4): kernel, ramdisk, second-stage
/// loader, recovery DTBO and DTB, each page-aligned after the header. For versions 0-2 the SHA-1
/// <c>id</c> over the sections is verified.
/// </summary>
/// <remarks>
/// AOSP system/tools/mkbootimg include/bootimg/bootimg.h, little-endian:
/// <code>
/// v0-v2: magic "ANDROID!" @0, kernel_size @8, kernel_addr @12, ramdisk_size @16, ramdisk_addr @20,
///        second_size @24, second_addr @28, tags_addr @32, page_size @36, header_version @40,
///        os_version @44, name[16] @48, cmdline[512] @64, id[32] @576, extra_cmdline[1024] @608;
///        v1: recovery_dtbo_size @1632, recovery_dtbo_offset (u64) @1636, header_size @1644;
///        v2: dtb_size @1648, dtb_addr (u64) @1652
/// v3-v4: magic @0, kernel_size @8, ramdisk_size @12, os_version @16, header_size @20,
///        reserved[4] @24, header_version @40, cmdline[1536] @44; v4: signature_size @1580;
///        page size fixed at 4096
/// 00000000  41 4e 44 52 4f 49 44 21  00 40 00 00 00 80 00 10  |ANDROID!.@......|
/// </code>
/// id (mkbootimg): SHA-1 over each section followed by its size as a 32-bit little-endian word
/// (kernel, ramdisk, second; v1 adds recovery_dtbo, v2 dtb), stored in the first 20 bytes.
/// </remarks>
internal sealed class AndroidBootImageHandler : IFormatHandler<AndroidBootImageHandler.State>
{
    private const int MinHeader = 1632;
    private const int HeaderV2 = 1660;
    private const int V3PageSize = 4096;
    private const int KernelSizeOffset = 8;
    private const int RamdiskSizeOffset = 16;
    private const int SecondSizeOffset = 24;
    private const int PageSizeOffset = 36;
    private const int HeaderVersionOffset = 40;
    private const int OsVersionOffset = 44;
    private const int NameOffset = 48;
    private const int CmdlineOffset = 64;
    private const int CmdlineLength = 512;
    private const int IdOffset = 576;
    private const int RecoveryDtboSizeOffset = 1632;
    private const int DtbSizeOffset = 1648;
    private const int V3RamdiskSizeOffset = 12;
    private const int V3OsVersionOffset = 16;
    private const int V3CmdlineOffset = 44;
    private const int V3CmdlineLength = 1536;
    private const int V4SignatureSizeOffset = 1580;
    private const int MaxSections = 6;

    public string Id => "android-boot";
    public string Description => "Android boot/recovery image (mkbootimg header v0-v4)";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("ANDROID!")];
    public IReadOnlyList<string> References { get; } = ["AOSP system/tools/mkbootimg include/bootimg/bootimg.h (boot_img_hdr_v0..v4)", "AOSP mkbootimg.py (page alignment, SHA-1 id)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the v4 boot signature is listed as a part, not verified (it is an AVB signature over the image)",
        "an id that is not mkbootimg's SHA-1 (some vendor tools write SHA-256 or leave zeros) is reported, not fatal",
        "Samsung SEANDROID and other trailers after the last section are left to the carver",
    ];

    internal sealed record Section(string Name, long Offset, long Length);

    internal sealed record State(int Version, int PageSize, IReadOnlyList<Section> Sections, byte[]? Id, byte[]? ComputedId);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        var h = blob.ReadBytes(offset, 2048);
        if (h.Length < MinHeader || !h.AsSpan(0, 8).SequenceEqual("ANDROID!"u8))
            return null;
        uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(at));
        var version = U32(HeaderVersionOffset);
        var sections = new List<Section>();
        int pageSize;
        string detail;
        if (version >= 3)
        {
            if (version > 4)
                return null;
            pageSize = V3PageSize;
            long at = pageSize;
            Add("kernel", U32(KernelSizeOffset));
            Add("ramdisk", U32(V3RamdiskSizeOffset));
            if (version == 4)
                Add("boot_signature", U32(V4SignatureSizeOffset));
            detail = $"os version {OsVersion(U32(V3OsVersionOffset))}, cmdline \"{Text(h, V3CmdlineOffset, V3CmdlineLength)}\"";

            void Add(string name, uint size)
            {
                sections.Add(new Section(name, at, size));
                at = checked(at + Align(size, pageSize));
            }
        }
        else
        {
            pageSize = (int)U32(PageSizeOffset);
            // v1 adds the recovery DTBO fields up to 1648 bytes, v2 the DTB fields up to 1660.
            if (pageSize is not (2048 or 4096 or 8192 or 16384) || (version >= 1 && h.Length < HeaderV2))
                return null;
            long at = pageSize;
            Add("kernel", U32(KernelSizeOffset));
            Add("ramdisk", U32(RamdiskSizeOffset));
            Add("second", U32(SecondSizeOffset));
            if (version >= 1)
                Add("recovery_dtbo", U32(RecoveryDtboSizeOffset));
            if (version == 2)
                Add("dtb", U32(DtbSizeOffset));
            var name = Text(h, NameOffset, 16);
            detail = (name.Length > 0 ? $"board \"{name}\", " : "") + $"os version {OsVersion(U32(OsVersionOffset))}, page size {pageSize}, cmdline \"{Text(h, CmdlineOffset, CmdlineLength)}\"";

            void Add(string name, uint size)
            {
                sections.Add(new Section(name, at, size));
                at = checked(at + Align(size, pageSize));
            }
        }
        if (sections[0].Length == 0)
            return null;
        var last = sections[^1];
        var length = last.Offset + Align(last.Length, pageSize);
        var available = blob.Length - offset;
        // The last section need not be padded to the page when the image was cut after it.
        var end = length <= available ? length : last.Offset + last.Length;
        var truncated = end > available;
        byte[]? id = null, computed = null;
        if (version <= 2 && !truncated)
        {
            id = h.AsSpan(IdOffset, 20).ToArray();
            computed = ComputeId(blob, offset, sections);
        }
        var idState = computed is null ? "" : id.AsSpan().SequenceEqual(computed) ? ", SHA-1 id verified" : ", id does not match the sections";
        return new FormatMatch<State>(offset, truncated ? null : end, $"android boot image v{version}, {detail}{idState}" + (truncated ? $", truncated ({available} of {end} bytes present)" : ""), new State((int)version, pageSize, sections, id, computed));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        if (s.Id is not null && s.ComputedId is not null && !s.Id.AsSpan().SequenceEqual(s.ComputedId))
        {
            context.AddError($"{Id}: the id field is {Convert.ToHexStringLower(s.Id)} but the sections give SHA-1 {Convert.ToHexStringLower(s.ComputedId)}; " +
                "the image was modified after mkbootimg, or made by a vendor tool with another digest", match.Offset + IdOffset);
        }
        EmitSections(Id, s.Sections, chunk, match.Offset, context);
    }

    internal static void EmitSections(string formatId, IEnumerable<(string Name, long Offset, long Length)> sections, IBlob chunk, long baseOffset, IUnpackContext context)
    {
        foreach (var (name, offset, length) in sections)
        {
            if (length == 0)
                continue;
            if (offset > chunk.Length || length > chunk.Length - offset)
            {
                context.AddError($"{formatId}: {name} ({length} bytes at 0x{offset:x}) passes the image end (0x{chunk.Length:x}); the image is truncated", baseOffset + offset, name);
                continue;
            }
            context.AddFile(new EntryMeta(name), chunk.Slice(offset, length));
        }
    }

    private void EmitSections(string formatId, IReadOnlyList<Section> sections, IBlob chunk, long baseOffset, IUnpackContext context) =>
        EmitSections(formatId, sections.Select(x => (x.Name, x.Offset, x.Length)), chunk, baseOffset, context);

    private static byte[] ComputeId(IBlob blob, long offset, IReadOnlyList<Section> sections)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        var buffer = new byte[1 << 16];
        Span<byte> size = stackalloc byte[4];
        foreach (var section in sections.Take(MaxSections))
        {
            for (long done = 0; done < section.Length;)
            {
                var n = blob.Read(offset + section.Offset + done, buffer.AsSpan(0, (int)Math.Min(buffer.Length, section.Length - done)));
                if (n <= 0)
                    break;
                sha.AppendData(buffer, 0, n);
                done += n;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)section.Length);
            sha.AppendData(size);
        }
        return sha.GetHashAndReset();
    }

    internal static long Align(long n, int page) => (n + page - 1) / page * page;

    internal static string Text(byte[] h, int at, int length)
    {
        var span = h.AsSpan(at, Math.Min(length, h.Length - at));
        var end = span.IndexOf((byte)0);
        var text = Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
        return text.Length > 200 ? text[..200] + "…" : text;
    }

    /// <summary>os_version: A (7 bits) . B (7 bits) . C (7 bits), patch level year-2000 (7 bits) and month (4 bits).</summary>
    internal static string OsVersion(uint v) =>
        v == 0 ? "unset" : $"{v >> 25}.{(v >> 18) & 0x7f}.{(v >> 11) & 0x7f}, patch level {2000 + ((v >> 4) & 0x7f)}-{v & 0xf:00}";
}
