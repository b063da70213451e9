using System.Buffers.Binary;
using Assay.Core.Content;
using Assay.Core.Model;

namespace Assay.Core.Identification;

/// <summary>
/// File type of a regular file from its first bytes: ELF (class, endianness, machine, type), PE,
/// Mach-O, scripts with their interpreter, PEM certificates and keys, text, empty; everything else
/// is <c>data</c> until a format handler claims it.
/// </summary>
public static class FileType
{
    /// <summary>Bytes read from the start of a file to decide its type.</summary>
    public const int HeaderBytes = 4096;

    // ELF identification (System V ABI, gABI 4.1 "ELF Header"): e_ident[16], then e_type(2), e_machine(2).
    private const int EiClass = 4;
    private const int EiData = 5;
    private const int ETypeOffset = 16;
    private const int EMachineOffset = 18;
    private const byte ElfClass32 = 1;
    private const byte ElfClass64 = 2;
    private const byte ElfDataLsb = 1;
    private const byte ElfDataMsb = 2;

    // PE: "MZ", e_lfanew at 0x3c, "PE\0\0" there, then IMAGE_FILE_HEADER.Machine.
    private const int PeOffsetField = 0x3c;

    public static FileTypeInfo Detect(IBlob blob)
    {
        var header = blob.ReadBytes(0, HeaderBytes);
        return Detect(header, blob.Length);
    }

    public static FileTypeInfo Detect(ReadOnlySpan<byte> header, long length)
    {
        if (length == 0)
            return new FileTypeInfo { Class = "empty", Description = "empty" };
        if (header.Length >= 4 && header[0] == 0x7f && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F')
            return header.Length >= 20 ? Elf(header) : new FileTypeInfo { Class = "elf", Description = "ELF (truncated header)" };
        if (header.Length >= 0x40 && header[0] == (byte)'M' && header[1] == (byte)'Z')
        {
            var pe = BinaryPrimitives.ReadInt32LittleEndian(header[PeOffsetField..]);
            if (pe > 0 && pe + 6 <= header.Length && header.Slice(pe, 4).SequenceEqual("PE\0\0"u8))
            {
                var machine = BinaryPrimitives.ReadUInt16LittleEndian(header[(pe + 4)..]);
                var arch = machine switch { 0x14c => "x86", 0x8664 => "x86-64", 0x1c0 or 0x1c4 => "arm", 0xaa64 => "aarch64", _ => $"0x{machine:x}" };
                return new FileTypeInfo { Class = "pe", Description = $"PE executable, {arch}", Arch = arch };
            }
        }
        if (header.Length >= 4)
        {
            var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (magic is 0xfeedface or 0xfeedfacf or 0xcefaedfe or 0xcffaedfe or 0xcafebabe)
                return new FileTypeInfo { Class = "macho", Description = "Mach-O executable" };
        }
        if (header.Length >= 2 && header[0] == (byte)'#' && header[1] == (byte)'!')
            return Script(header);
        if (IsText(header))
        {
            var text = System.Text.Encoding.ASCII.GetString(header[..Math.Min(header.Length, 1024)]);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                return new FileTypeInfo { Class = "certificate", Description = "PEM certificate" };
            if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) || text.Contains("-----BEGIN OPENSSH PRIVATE KEY", StringComparison.Ordinal))
                return new FileTypeInfo { Class = "key", Description = "PEM private key" };
            if (text.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal) || text.StartsWith("ssh-", StringComparison.Ordinal))
                return new FileTypeInfo { Class = "key", Description = "public key" };
            return new FileTypeInfo { Class = "text", Description = "text" };
        }
        return new FileTypeInfo { Class = "data", Description = "data" };
    }

    private static FileTypeInfo Elf(ReadOnlySpan<byte> h)
    {
        var bits = h[EiClass] switch { ElfClass32 => 32, ElfClass64 => 64, _ => 0 };
        var little = h[EiData] != ElfDataMsb;
        if (bits == 0 || h[EiData] is not (ElfDataLsb or ElfDataMsb))
            return new FileTypeInfo { Class = "elf", Description = "ELF (invalid class or data encoding)" };
        var type = little ? BinaryPrimitives.ReadUInt16LittleEndian(h[ETypeOffset..]) : BinaryPrimitives.ReadUInt16BigEndian(h[ETypeOffset..]);
        var machine = little ? BinaryPrimitives.ReadUInt16LittleEndian(h[EMachineOffset..]) : BinaryPrimitives.ReadUInt16BigEndian(h[EMachineOffset..]);
        var arch = ElfMachineName(machine);
        var elfType = type switch { 1 => "rel", 2 => "exec", 3 => "dyn", 4 => "core", _ => $"0x{type:x}" };
        var kind = type switch { 1 => "relocatable", 2 => "executable", 3 => "shared object", 4 => "core file", _ => "file" };
        return new FileTypeInfo
        {
            Class = "elf",
            Description = $"ELF {bits}-bit {(little ? "LSB" : "MSB")} {kind}, {arch}",
            Arch = arch,
            Bits = bits,
            Endian = little ? "little" : "big",
            ElfType = elfType,
        };
    }

    /// <summary>Architecture name of an ELF e_machine value (gABI and processor supplements).</summary>
    public static string ElfMachineName(ushort machine) => machine switch
    {
        2 => "sparc",
        3 => "x86",
        8 => "mips",
        20 => "powerpc",
        21 => "powerpc64",
        22 => "s390",
        40 => "arm",
        42 => "superh",
        43 => "sparcv9",
        50 => "ia64",
        62 => "x86-64",
        83 => "avr",
        94 => "xtensa",
        164 => "hexagon",
        183 => "aarch64",
        243 => "riscv",
        258 => "loongarch",
        _ => $"machine-{machine}",
    };

    private static FileTypeInfo Script(ReadOnlySpan<byte> h)
    {
        var end = h.IndexOfAny((byte)'\n', (byte)'\r');
        var line = System.Text.Encoding.UTF8.GetString(end < 0 ? h[2..Math.Min(h.Length, 256)] : h[2..Math.Min(end, 256)]).Trim();
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var interpreter = parts.Length == 0 ? "" : parts[0];
        // "#!/usr/bin/env python3" names the interpreter in the argument
        if (interpreter.EndsWith("/env", StringComparison.Ordinal) && parts.Length > 1)
            interpreter = parts[1];
        var name = interpreter[(interpreter.LastIndexOf('/') + 1)..];
        return new FileTypeInfo { Class = "script", Description = $"{(name.Length == 0 ? "unknown" : name)} script", Interpreter = interpreter };
    }

    /// <summary>Heuristic: no NUL, few control characters, valid-looking UTF-8 or ASCII.</summary>
    public static bool IsText(ReadOnlySpan<byte> h)
    {
        if (h.Length == 0)
            return false;
        var control = 0;
        foreach (var b in h)
        {
            if (b == 0)
                return false;
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0c or 0x1b))
                control++;
        }
        if (control * 20 > h.Length)
            return false;
        // Reject invalid UTF-8 apart from a sequence cut at the end of the window.
        var status = System.Text.Unicode.Utf8.ToUtf16(h, new char[h.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done || (status == System.Buffers.OperationStatus.NeedMoreData && read >= h.Length - 4);
    }
}
