using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// U-Boot legacy image (<c>mkimage -A arm -O linux -T kernel</c>): a 64-byte big-endian header with a
/// header CRC and a data CRC, then the payload. Single images give one child named after
/// <c>ih_name</c> plus a suffix for <c>ih_comp</c> (<c>Linux-6.1.gz</c>); multi-file and script images
/// (<c>-T multi -d a:b</c>) give <c>image-0</c>, <c>image-1</c>, ...
/// </summary>
/// <remarks>
/// <code>
/// typedef struct image_header {          // U-Boot include/image.h, all fields big-endian
///     uint32_t ih_magic;    // 0x00  0x27051956
///     uint32_t ih_hcrc;     // 0x04  CRC-32 of the 64 header bytes with this field zeroed
///     uint32_t ih_time;     // 0x08  creation time, Unix seconds
///     uint32_t ih_size;     // 0x0c  data bytes after the header
///     uint32_t ih_load;     // 0x10  load address
///     uint32_t ih_ep;       // 0x14  entry point
///     uint32_t ih_dcrc;     // 0x18  CRC-32 of the ih_size data bytes
///     uint8_t  ih_os, ih_arch, ih_type, ih_comp;   // 0x1c..0x1f
///     uint8_t  ih_name[32]; // 0x20  NUL-padded
/// } image_header_t;
/// </code>
/// A real multi-file header (<c>mkimage -A arm -O linux -T multi -C none -n "Test Multi 2.0"</c>):
/// <code>
/// 00000000  27 05 19 56 fa dd dd a1  65 53 f1 00 00 00 5a 3d  |'..V....eS....Z=|
/// 00000010  80 00 80 00 80 00 80 00  41 2c ac 24 05 02 04 00  |........A,.$....|
/// 00000020  54 65 73 74 20 4d 75 6c  74 69 20 32 2e 30 00 00  |Test Multi 2.0..|
/// </code>
/// Multi-file and script data start with a table of big-endian uint32 sizes ended by a 0 entry; each
/// image follows the previous one padded to 4 bytes (U-Boot <c>image_multi_getimg</c>). The data CRC
/// covers the table and every image.
/// </remarks>
internal sealed class UImageHandler : IFormatHandler<UImageHandler.MatchState>
{
    private const uint Magic = 0x27051956;
    private const int HeaderLength = 64;
    private const int HcrcOffset = 0x04;
    private const int TimeOffset = 0x08;
    private const int SizeOffset = 0x0c;
    private const int LoadOffset = 0x10;
    private const int EntryOffset = 0x14;
    private const int DcrcOffset = 0x18;
    private const int OsOffset = 0x1c;
    private const int ArchOffset = 0x1d;
    private const int TypeOffset = 0x1e;
    private const int CompOffset = 0x1f;
    private const int NameOffset = 0x20;
    private const int NameLength = 32;

    private const byte TypeMulti = 4;
    private const byte TypeScript = 6;
    private const byte TypeFlatDt = 8;

    /// <summary>Size table entries accepted in a multi-file image (U-Boot itself has no limit; real images have 2-4).</summary>
    private const int MaxImages = 256;

    private const int CrcBufferBytes = 1 << 16;

    public string Id => "uimage";
    public string Description => "U-Boot legacy image (uImage), single and multi-file";
    public FormatCategory Category => FormatCategory.Firmware;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("27051956")];
    public IReadOnlyList<string> References { get; } = ["U-Boot include/image.h (image_header_t, IH_OS_*, IH_ARCH_*, IH_TYPE_*, IH_COMP_*)", "U-Boot boot/image.c image_multi_getimg"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "the payload is not decompressed here; ih_comp only names the child (.gz, .bz2, .lzma, .lzo, .lz4, .zst) and the compression handlers take it by magic",
        "in a multi-file image ih_comp names image 0 only (U-Boot's bootm decompresses the kernel, not the ramdisk or device tree)",
        "the OKLI variant (header magic 0x4f4b4c49, OpenWrt loader) and vendor headers that reuse the magic with other layouts are not read",
    ];

    /// <summary>The 64-byte header, fields as stored.</summary>
    internal readonly record struct UImageHeader(
        uint HeaderCrc, uint Time, uint Size, uint Load, uint Entry, uint DataCrc, byte Os, byte Arch, byte Type, byte Comp, string Name)
    {
        public static UImageHeader Read(ReadOnlySpan<byte> h) => new(
            BinaryPrimitives.ReadUInt32BigEndian(h[HcrcOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(h[TimeOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(h[SizeOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(h[LoadOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(h[EntryOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(h[DcrcOffset..]),
            h[OsOffset], h[ArchOffset], h[TypeOffset], h[CompOffset],
            ReadName(h.Slice(NameOffset, NameLength)));

        public bool IsMultiFile => Type is TypeMulti or TypeScript;
    }

    internal sealed record MatchState(UImageHeader Header, bool Truncated);

    public FormatMatch<MatchState>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[HeaderLength];
        if (!blob.TryReadExactly(offset, h) || BinaryPrimitives.ReadUInt32BigEndian(h) != Magic)
            return null;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(h[HcrcOffset..]);
        if (HeaderCrc(h) != stored)
            return null;
        var header = UImageHeader.Read(h);
        var length = HeaderLength + (long)header.Size;
        var truncated = length > blob.Length - offset;
        var description = $"u-boot legacy image \"{header.Name}\", {OsName(header.Os)} {ArchName(header.Arch)} {TypeName(header.Type)}, " +
                          $"{CompName(header.Comp)}, {header.Size} data bytes, load 0x{header.Load:x8}, entry 0x{header.Entry:x8}" +
                          (truncated ? $", truncated ({blob.Length - offset - HeaderLength} of {header.Size} data bytes present)" : "");
        return new FormatMatch<MatchState>(offset, truncated ? null : length, description, new MatchState(header, truncated));
    }

    public void Unpack(IBlob chunk, FormatMatch<MatchState> match, IUnpackContext context)
    {
        var state = match.State;
        var header = state.Header;
        var available = chunk.Length - HeaderLength;
        if (state.Truncated || available < header.Size)
        {
            throw new FormatException(Id, match.Offset + SizeOffset,
                $"ih_size {header.Size} needs {HeaderLength + (long)header.Size} bytes but only {chunk.Length} remain; the image is truncated (re-acquire the file or carve the rest)");
        }

        var data = chunk.Slice(HeaderLength, header.Size);
        var crc = DataCrc(data, context.CancellationToken);
        var crcError = crc == header.DataCrc
            ? null
            : $"ih_dcrc is 0x{header.DataCrc:x8} but the {header.Size} data bytes have CRC-32 0x{crc:x8}; the payload was modified or damaged, its children are listed as found";
        if (crcError is not null)
            context.AddError(crcError, match.Offset + DcrcOffset);

        var meta = new EntryMeta("") { Mtime = header.Time };
        if (!header.IsMultiFile)
        {
            context.AddFile(meta with { Path = SingleName(header) }, data);
            return;
        }

        foreach (var (name, offset, size) in MultiImages(data, header, match.Offset, context))
            context.AddFile(meta with { Path = name }, data.Slice(offset, size));
    }

    /// <summary>The images of a multi-file or script image: the size table, then each image aligned to 4.</summary>
    private List<(string Name, long Offset, long Size)> MultiImages(IBlob data, UImageHeader header, long chunkOffset, IUnpackContext context)
    {
        var sizes = new List<uint>();
        Span<byte> entry = stackalloc byte[4];
        long pos = 0;
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (!data.TryReadExactly(pos, entry))
            {
                throw new FormatException(Id, chunkOffset + HeaderLength + pos,
                    $"the size table of the {TypeName(header.Type)} image runs past ih_size ({header.Size}) without its terminating 0 entry; the image is damaged or not multi-file");
            }
            pos += 4;
            var size = BinaryPrimitives.ReadUInt32BigEndian(entry);
            if (size == 0)
                break;
            if (sizes.Count == MaxImages)
            {
                throw new FormatException(Id, chunkOffset + HeaderLength + pos - 4,
                    $"the size table has more than {MaxImages} entries; the image is damaged or not multi-file");
            }
            sizes.Add(size);
        }

        var images = new List<(string, long, long)>(sizes.Count);
        for (var i = 0; i < sizes.Count; i++)
        {
            var size = (long)sizes[i];
            if (size > data.Length - pos)
            {
                throw new FormatException(Id, chunkOffset + HeaderLength + 4L * i,
                    $"image {i} of {sizes.Count} has size {size} at data offset 0x{pos:x}, past ih_size {header.Size}; the size table is damaged or the image is truncated");
            }
            var suffix = i == 0 && header.Type == TypeMulti ? CompSuffix(header.Comp) : "";
            images.Add(($"image-{i}{suffix}", pos, size));
            pos = checked(pos + ((size + 3) & ~3L));
        }
        if (pos < data.Length)
            context.AddError($"{data.Length - pos} bytes after the last of {sizes.Count} images are not described by the size table", chunkOffset + HeaderLength + pos);
        return images;
    }

    private static string SingleName(UImageHeader header)
    {
        var name = SanitizeName(header.Name);
        if (name.Length == 0)
            name = TypeName(header.Type);
        if (header.Type == TypeFlatDt && header.Comp == 0)
            return name + ".dtb";
        return name + CompSuffix(header.Comp);
    }

    /// <summary>Keeps letters, digits, '.', '-', '_' and '+'; any other run becomes '_'. Never a path.</summary>
    internal static string SanitizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+';
            if (ok)
                sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '_')
                sb.Append('_');
        }
        var s = sb.ToString().Trim('_', '.');
        return s;
    }

    internal static uint HeaderCrc(ReadOnlySpan<byte> header)
    {
        Span<byte> copy = stackalloc byte[HeaderLength];
        header[..HeaderLength].CopyTo(copy);
        copy.Slice(HcrcOffset, 4).Clear();
        return Crc32.HashToUInt32(copy);
    }

    private static uint DataCrc(IBlob data, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        var buffer = new byte[(int)Math.Min(CrcBufferBytes, Math.Max(1, data.Length))];
        long pos = 0;
        while (pos < data.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = data.Read(pos, buffer);
            if (n <= 0)
                break;
            crc.Append(buffer.AsSpan(0, n));
            pos += n;
        }
        return crc.GetCurrentHashAsUInt32();
    }

    private static string ReadName(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        var bytes = end < 0 ? field : field[..end];
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            chars[i] = bytes[i] is >= 0x20 and < 0x7f ? (char)bytes[i] : '?';
        return new string(chars);
    }

    /// <summary>Child suffix for ih_comp, chosen so the name says what the compression handlers will find by magic.</summary>
    internal static string CompSuffix(byte comp) => comp switch
    {
        0 => "",
        1 => ".gz",
        2 => ".bz2",
        3 => ".lzma",
        4 => ".lzo",
        5 => ".lz4",
        6 => ".zst",
        _ => $".comp{comp}",
    };

    internal static string CompName(byte comp) => comp switch
    {
        0 => "uncompressed",
        1 => "gzip",
        2 => "bzip2",
        3 => "lzma",
        4 => "lzo",
        5 => "lz4",
        6 => "zstd",
        _ => $"compression {comp}",
    };

    // IH_OS_* in order (include/image.h: appended only, never renumbered).
    private static readonly string[] OsNames =
    [
        "invalid-os", "openbsd", "netbsd", "freebsd", "4.4bsd", "linux", "svr4", "esix", "solaris", "irix", "sco", "dell", "ncr",
        "lynxos", "vxworks", "psos", "qnx", "u-boot", "rtems", "artos", "unity", "integrity", "ose", "plan9", "openrtos",
        "arm-trusted-firmware", "tee", "opensbi", "efi",
    ];

    // IH_ARCH_* in order.
    private static readonly string[] ArchNames =
    [
        "invalid-arch", "alpha", "arm", "x86", "ia64", "mips", "mips64", "powerpc", "s390", "superh", "sparc", "sparc64", "m68k",
        "nios", "microblaze", "nios2", "blackfin", "avr32", "st200", "sandbox", "nds32", "openrisc", "arm64", "arc", "x86-64",
        "xtensa", "riscv",
    ];

    // IH_TYPE_* in order, up to the types seen on network equipment.
    private static readonly string[] TypeNames =
    [
        "invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script", "filesystem", "flat_dt", "kwbimage",
        "imximage", "ublimage", "omapimage", "aisimage", "kernel_noload", "pblimage", "mxsimage", "gpimage", "atmelimage",
        "socfpgaimage", "x86_setup", "lpc32xximage", "loadable",
    ];

    internal static string OsName(byte os) => os < OsNames.Length ? OsNames[os] : $"os-{os}";
    internal static string ArchName(byte arch) => arch < ArchNames.Length ? ArchNames[arch] : $"arch-{arch}";
    internal static string TypeName(byte type) => type < TypeNames.Length ? TypeNames[type] : $"type-{type}";
}
