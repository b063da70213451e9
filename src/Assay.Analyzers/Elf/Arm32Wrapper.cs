using System.Buffers.Binary;
using Assay.Core.Content;

namespace Assay.Analyzers.Elf;

/// <summary>
/// The 32-bit Arm side of the unchecked-wrapper test, A32 and T32 (Thumb-2) (Arm Architecture
/// Reference Manual for A-profile, Armv7 edition: A5 "ARM Instruction Set Encoding", A6 "Thumb
/// Instruction Set Encoding"). A function symbol with bit 0 set is Thumb code.
/// <list type="bullet">
/// <item>A32: BL/B imm24, BLX imm24 (to Thumb); any instruction with a condition other than AL is a
/// check (conditional branches, conditional moves and loads alike); BX LR, POP {..., pc} end the body.</item>
/// <item>T32: BL/BLX (32-bit, J1/J2 encoding), B.W, B&lt;c&gt; (16- and 32-bit), CBZ/CBNZ and IT
/// blocks are checks; BX LR, POP {..., pc} end the body.</item>
/// <item>PLT (ARM ELF ABI, "PLT entries"): <c>add ip, pc, #a; add ip, ip, #b; ldr pc, [ip, #c]!</c>
/// (with an optional Thumb <c>bx pc; nop</c> in front) → the GOT slot pc+8+a+b+c.</item>
/// </list>
/// </summary>
/// <remarks>Limitations: calls through a register loaded elsewhere (-fno-plt, function pointers) and
/// the long PLT form (<c>--long-plt</c>) are not followed; big-endian BE-8 code is read as little-endian
/// instructions (BE-8 stores code little-endian), BE-32 is not supported.</remarks>
internal static class Arm32Wrapper
{
    private const uint CondMask = 0xF0000000, CondAlways = 0xE0000000, CondUnconditional = 0xF0000000;
    private const uint BranchMask = 0x0F000000, BlA32 = 0x0B000000, BA32 = 0x0A000000;
    private const uint BlxImmMask = 0xFE000000, BlxImm = 0xFA000000;
    private const uint BxLr = 0xE12FFF1E;
    private const uint PopPcMask = 0xFFFF8000, PopPc = 0xE8BD8000, LdrPcPost = 0xE49DF004;
    private const uint AddIpPc = 0xE28FC000, AddIpIp = 0xE28CC000, LdrPcIpPre = 0xE5BCF000, ImmediateMask = 0xFFFFF000;

    /// <summary>The unsafe function the body at <paramref name="symbolValue"/> reaches before any check, or null.</summary>
    public static (string Target, int Instructions)? Judge(ElfImage image, IBlob content, ulong symbolValue, int length,
        IReadOnlyDictionary<ulong, string> functions, IReadOnlySet<string> unsafeNames, int maxInstructions)
    {
        var thumb = (symbolValue & 1) != 0;
        var address = symbolValue & ~1UL;
        var code = Read(image, content, address, length);
        return thumb ? JudgeThumb(image, content, address, code, functions, unsafeNames, maxInstructions)
            : JudgeArm(image, content, address, code, functions, unsafeNames, maxInstructions);
    }

    private static (string, int)? JudgeArm(ElfImage image, IBlob content, ulong address, byte[] code,
        IReadOnlyDictionary<ulong, string> functions, IReadOnlySet<string> unsafeNames, int maxInstructions)
    {
        for (var i = 0; i + 4 <= code.Length && i / 4 < maxInstructions; i += 4)
        {
            var insn = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(i));
            var pc = address + (ulong)i;
            var cond = insn & CondMask;
            if (insn == BxLr || (insn & PopPcMask) == PopPc || insn == LdrPcPost)
                return null; // returns before any unsafe call
            if (cond == CondUnconditional)
            {
                if ((insn & BlxImmMask) == BlxImm)
                {
                    var h = (insn >> 24) & 1;
                    var target = pc + 8 + (ulong)(SignExtend(insn & 0x00FFFFFF, 24) * 4) + (h << 1);
                    if (Name(image, content, target | 1, functions) is { } n && unsafeNames.Contains(n))
                        return (n, i / 4 + 1);
                }
                continue;
            }
            if (cond != CondAlways)
                return null; // a conditional instruction: a check comes first
            if ((insn & BranchMask) is BlA32 or BA32)
            {
                var target = pc + 8 + (ulong)(SignExtend(insn & 0x00FFFFFF, 24) * 4);
                if (Name(image, content, target, functions) is { } n && unsafeNames.Contains(n))
                    return (n, i / 4 + 1);
                if ((insn & BranchMask) == BA32)
                    return null; // tail call to something else
            }
        }
        return null;
    }

    private static (string, int)? JudgeThumb(ElfImage image, IBlob content, ulong address, byte[] code,
        IReadOnlyDictionary<ulong, string> functions, IReadOnlySet<string> unsafeNames, int maxInstructions)
    {
        var count = 0;
        for (var i = 0; i + 2 <= code.Length && count < maxInstructions; count++)
        {
            var hw1 = BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(i));
            var pc = address + (ulong)i;
            var wide = (hw1 >> 11) is 0x1D or 0x1E or 0x1F;
            if (!wide)
            {
                i += 2;
                if (hw1 == 0x4770 || (hw1 & 0xFF00) == 0xBD00)
                    return null; // bx lr / pop {..., pc}
                if ((hw1 & 0xF000) == 0xD000 && ((hw1 >> 8) & 0xF) < 0xE)
                    return null; // b<c>
                if ((hw1 & 0xF500) == 0xB100 || ((hw1 & 0xFF00) == 0xBF00 && (hw1 & 0xF) != 0))
                    return null; // cbz/cbnz, it
                if ((hw1 & 0xF800) == 0xE000)
                {
                    var target = pc + 4 + (ulong)(SignExtend((uint)(hw1 & 0x7FF), 11) * 2);
                    var n = Name(image, content, target | 1, functions);
                    return n is not null && unsafeNames.Contains(n) ? (n, count + 1) : null; // b: tail call
                }
                if ((hw1 & 0xFF87) == 0x4700)
                    return null; // bx reg: leaves the body
                continue;
            }
            if (i + 4 > code.Length)
                break;
            var hw2 = BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(i + 2));
            i += 4;
            if (hw1 == 0xE8BD && (hw2 & 0x8000) != 0)
                return null; // pop.w {..., pc}
            if ((hw1 & 0xF800) != 0xF000)
                continue;
            var s = (uint)(hw1 >> 10) & 1;
            var j1 = (uint)(hw2 >> 13) & 1;
            var j2 = (uint)(hw2 >> 11) & 1;
            switch (hw2 & 0xD000)
            {
                case 0xD000 or 0xC000 or 0x9000: // BL, BLX, B.W (T4)
                {
                    var i1 = ~(j1 ^ s) & 1;
                    var i2 = ~(j2 ^ s) & 1;
                    var imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((uint)(hw1 & 0x3FF) << 12) | ((uint)(hw2 & 0x7FF) << 1);
                    var offset = (ulong)SignExtend(imm, 25);
                    var blx = (hw2 & 0xD000) == 0xC000;
                    var target = blx ? ((pc + 4) & ~3UL) + offset : (pc + 4 + offset) | 1;
                    var n = Name(image, content, target, functions);
                    if (n is not null && unsafeNames.Contains(n))
                        return (n, count + 1);
                    if ((hw2 & 0xD000) == 0x9000)
                        return null; // b.w: tail call to something else
                    break;
                }
                case 0x8000 when ((hw1 >> 6) & 0xF) < 0xE:
                    return null; // b<c>.w (T3)
            }
        }
        return null;
    }

    /// <summary>A function symbol at the target (Thumb targets carry bit 0), else the GOT symbol of a PLT entry there.</summary>
    private static string? Name(ElfImage image, IBlob content, ulong target, IReadOnlyDictionary<ulong, string> functions)
    {
        if (functions.TryGetValue(target, out var f) || functions.TryGetValue(target & ~1UL, out f) || functions.TryGetValue(target | 1, out f))
            return f;
        return PltTarget(image, content, target & ~1UL);
    }

    private static string? PltTarget(ElfImage image, IBlob content, ulong address)
    {
        var code = Read(image, content, address, 16);
        var at = 0;
        if (code.Length >= 4 && BinaryPrimitives.ReadUInt16LittleEndian(code) == 0x4778)
            at = 4; // Thumb "bx pc; nop" in front of the ARM entry
        if (code.Length < at + 12)
            return null;
        var a = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(at));
        var b = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(at + 4));
        var c = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(at + 8));
        if ((a & ImmediateMask) != AddIpPc || (b & ImmediateMask) != AddIpIp || (c & ImmediateMask) != LdrPcIpPre)
            return null;
        var slot = address + (ulong)at + 8 + ArmImmediate(a) + ArmImmediate(b) + (c & 0xFFF);
        return image.GotSymbols.TryGetValue(slot, out var name) ? name : null;
    }

    /// <summary>A32 modified immediate: imm8 rotated right by twice the 4-bit rotation.</summary>
    private static ulong ArmImmediate(uint insn)
    {
        var imm8 = insn & 0xFF;
        var rotate = (int)((insn >> 8) & 0xF) * 2;
        return System.Numerics.BitOperations.RotateRight(imm8, rotate);
    }

    private static long SignExtend(uint value, int bits) => ((long)value << (64 - bits)) >> (64 - bits);

    private static byte[] Read(ElfImage image, IBlob content, ulong address, int count) =>
        image.FileOffsetOf(address) is { } off && off < (ulong)content.Length ? content.ReadBytes((long)off, count) : [];
}
