using System.Buffers.Binary;

namespace Assay.Formats.SquashFs;

/// <summary>
/// The branch/call/jump converters of xz (xz-file-format.txt 5.3.2), decode direction, applied in
/// place to a whole decompressed block. <c>start</c> is the filter's start offset property (0 when
/// absent). Each converter turns the absolute addresses the encoder wrote back into the relative
/// ones of the original code. The last bytes that cannot hold a whole instruction stay as they are.
/// </summary>
internal static class BcjFilters
{
    public const ulong X86 = 0x04;
    public const ulong PowerPc = 0x05;
    public const ulong Ia64 = 0x06;
    public const ulong Arm = 0x07;
    public const ulong ArmThumb = 0x08;
    public const ulong Sparc = 0x09;
    public const ulong Arm64 = 0x0a;

    public static bool IsSupported(ulong id) => id is >= X86 and <= Arm64;

    public static void Decode(ulong id, Span<byte> data, uint start)
    {
        switch (id)
        {
            case X86: DecodeX86(data, start); break;
            case PowerPc: DecodePowerPc(data, start); break;
            case Ia64: DecodeIa64(data, start); break;
            case Arm: DecodeArm(data, start); break;
            case ArmThumb: DecodeArmThumb(data, start); break;
            case Sparc: DecodeSparc(data, start); break;
            case Arm64: DecodeArm64(data, start); break;
            default: throw new InvalidDataException($"xz filter 0x{id:x} is not a supported BCJ filter");
        }
    }

    private static bool IsX86MsByte(byte b) => b is 0x00 or 0xff;

    /// <summary>x86: E8 (call) / E9 (jmp) followed by a 32-bit displacement whose top byte is 00 or FF.</summary>
    private static void DecodeX86(Span<byte> buffer, uint start)
    {
        ReadOnlySpan<bool> allowed = [true, true, true, false, true, false, false, false];
        ReadOnlySpan<int> bitNumber = [0, 1, 2, 2, 3, 3, 3, 3];
        if (buffer.Length < 5)
            return;
        uint prevMask = 0;
        var prevPos = unchecked(start - 5);
        var limit = buffer.Length - 5;
        var i = 0;
        while (i <= limit)
        {
            var b = buffer[i];
            if (b is not 0xe8 and not 0xe9)
            {
                i++;
                continue;
            }
            var now = unchecked(start + (uint)i);
            var offset = unchecked(now - prevPos);
            prevPos = now;
            if (offset > 5)
            {
                prevMask = 0;
            }
            else
            {
                for (uint k = 0; k < offset; k++)
                {
                    prevMask &= 0x77;
                    prevMask <<= 1;
                }
            }
            b = buffer[i + 4];
            if (IsX86MsByte(b) && allowed[(int)((prevMask >> 1) & 7)] && (prevMask >> 1) < 0x10)
            {
                var src = BinaryPrimitives.ReadUInt32LittleEndian(buffer[(i + 1)..]);
                uint dest;
                while (true)
                {
                    dest = unchecked(src - (now + 5));
                    if (prevMask == 0)
                        break;
                    var index = bitNumber[(int)((prevMask >> 1) & 7)];
                    b = (byte)(dest >> (24 - (index * 8)));
                    if (!IsX86MsByte(b))
                        break;
                    src = dest ^ ((1u << (32 - (index * 8))) - 1);
                }
                dest &= 0x01ffffff;
                dest |= (dest & 0x01000000) != 0 ? 0xff000000 : 0;
                BinaryPrimitives.WriteUInt32LittleEndian(buffer[(i + 1)..], dest);
                i += 5;
                prevMask = 0;
            }
            else
            {
                i++;
                prevMask |= 1;
                if (IsX86MsByte(b))
                    prevMask |= 0x10;
            }
        }
    }

    /// <summary>PowerPC (big-endian): "bl" = 010010 LI AA=0 LK=1.</summary>
    private static void DecodePowerPc(Span<byte> b, uint start)
    {
        for (var i = 0; i + 4 <= b.Length; i += 4)
        {
            if ((b[i] >> 2) != 0x12 || (b[i + 3] & 3) != 1)
                continue;
            var src = ((uint)(b[i] & 3) << 24) | ((uint)b[i + 1] << 16) | ((uint)b[i + 2] << 8) | (uint)(b[i + 3] & ~3);
            var dest = unchecked(src - (start + (uint)i));
            b[i] = (byte)(0x48 | ((dest >> 24) & 0x03));
            b[i + 1] = (byte)(dest >> 16);
            b[i + 2] = (byte)(dest >> 8);
            b[i + 3] = (byte)((uint)(b[i + 3] & 0x03) | (dest & 0xfc));
        }
    }

    /// <summary>IA-64: 16-byte bundles; the template says which of the three 41-bit slots hold branches.</summary>
    private static void DecodeIa64(Span<byte> b, uint start)
    {
        ReadOnlySpan<byte> branchTable =
        [
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            4, 4, 6, 6, 0, 0, 7, 7,
            4, 4, 0, 0, 4, 4, 0, 0,
        ];
        for (var i = 0; i + 16 <= b.Length; i += 16)
        {
            var mask = branchTable[b[i] & 0x1f];
            var bitPos = 5;
            for (var slot = 0; slot < 3; slot++, bitPos += 41)
            {
                if (((mask >> slot) & 1) == 0)
                    continue;
                var bytePos = bitPos >> 3;
                var bitRes = bitPos & 7;
                ulong instruction = 0;
                for (var j = 0; j < 6; j++)
                    instruction |= (ulong)b[i + j + bytePos] << (8 * j);
                var norm = instruction >> bitRes;
                if (((norm >> 37) & 0xf) != 0x5 || ((norm >> 9) & 0x7) != 0)
                    continue;
                var src = (uint)((norm >> 13) & 0xfffff);
                src |= (uint)((norm >> 36) & 1) << 20;
                src <<= 4;
                var dest = unchecked(src - (start + (uint)i));
                dest >>= 4;
                norm &= ~((ulong)0x8fffff << 13);
                norm |= (ulong)(dest & 0xfffff) << 13;
                norm |= (ulong)(dest & 0x100000) << (36 - 20);
                instruction &= (1UL << bitRes) - 1;
                instruction |= norm << bitRes;
                for (var j = 0; j < 6; j++)
                    b[i + j + bytePos] = (byte)(instruction >> (8 * j));
            }
        }
    }

    /// <summary>ARM (little-endian): BL = cond 1011 imm24 with cond "always" (byte 3 = EB).</summary>
    private static void DecodeArm(Span<byte> b, uint start)
    {
        for (var i = 0; i + 4 <= b.Length; i += 4)
        {
            if (b[i + 3] != 0xeb)
                continue;
            var src = ((uint)b[i + 2] << 16) | ((uint)b[i + 1] << 8) | b[i];
            src <<= 2;
            var dest = unchecked(src - (start + (uint)i + 8));
            dest >>= 2;
            b[i + 2] = (byte)(dest >> 16);
            b[i + 1] = (byte)(dest >> 8);
            b[i] = (byte)dest;
        }
    }

    /// <summary>ARM Thumb: the two halves of a BL pair (F000 + F800 prefixes), 2-byte aligned.</summary>
    private static void DecodeArmThumb(Span<byte> b, uint start)
    {
        for (var i = 0; i + 4 <= b.Length; i += 2)
        {
            if ((b[i + 1] & 0xf8) != 0xf0 || (b[i + 3] & 0xf8) != 0xf8)
                continue;
            var src = ((uint)(b[i + 1] & 7) << 19) | ((uint)b[i] << 11) | ((uint)(b[i + 3] & 7) << 8) | b[i + 2];
            src <<= 1;
            var dest = unchecked(src - (start + (uint)i + 4));
            dest >>= 1;
            b[i + 1] = (byte)(0xf0 | ((dest >> 19) & 0x7));
            b[i] = (byte)(dest >> 11);
            b[i + 3] = (byte)(0xf8 | ((dest >> 8) & 0x7));
            b[i + 2] = (byte)dest;
            i += 2;
        }
    }

    /// <summary>SPARC (big-endian): "call" with a 30-bit displacement whose top bits are a sign extension.</summary>
    private static void DecodeSparc(Span<byte> b, uint start)
    {
        for (var i = 0; i + 4 <= b.Length; i += 4)
        {
            if (!((b[i] == 0x40 && (b[i + 1] & 0xc0) == 0x00) || (b[i] == 0x7f && (b[i + 1] & 0xc0) == 0xc0)))
                continue;
            var src = BinaryPrimitives.ReadUInt32BigEndian(b[i..]);
            src <<= 2;
            var dest = unchecked(src - (start + (uint)i));
            dest >>= 2;
            dest = unchecked(((0 - ((dest >> 22) & 1)) << 22) & 0x3fffffff) | (dest & 0x3fffff) | 0x40000000;
            BinaryPrimitives.WriteUInt32BigEndian(b[i..], dest);
        }
    }

    /// <summary>ARM64: BL (imm26) and ADRP (21-bit page offset, only small ones are converted).</summary>
    private static void DecodeArm64(Span<byte> b, uint start)
    {
        for (var i = 0; i + 4 <= b.Length; i += 4)
        {
            var pc = unchecked(start + (uint)i);
            var instr = BinaryPrimitives.ReadUInt32LittleEndian(b[i..]);
            if ((instr >> 26) == 0x25)
            {
                var src = instr;
                pc = unchecked(0u - (pc >> 2));
                instr = 0x94000000 | (unchecked(src + pc) & 0x03ffffff);
                BinaryPrimitives.WriteUInt32LittleEndian(b[i..], instr);
            }
            else if ((instr & 0x9f000000) == 0x90000000)
            {
                var src = ((instr >> 29) & 3) | ((instr >> 3) & 0x001ffffc);
                if ((unchecked(src + 0x00020000) & 0x001c0000) != 0)
                    continue;
                instr &= 0x9000001f;
                pc = unchecked(0u - (pc >> 12));
                var dest = unchecked(src + pc);
                instr |= (dest & 3) << 29;
                instr |= (dest & 0x0003fffc) << 3;
                instr |= unchecked(0u - (dest & 0x00020000)) & 0x00e00000;
                BinaryPrimitives.WriteUInt32LittleEndian(b[i..], instr);
            }
        }
    }
}
