using System.Buffers.Binary;
using Assay.Core.Content;

namespace Assay.Analyzers.Elf;

/// <summary>
/// The AArch64 side of the unchecked-wrapper test: decodes the few A64 instruction classes that
/// matter (Arm Architecture Reference Manual for A-profile, C4 "A64 Instruction Set Encoding"):
/// branches with link and without (BL/B imm26), conditional branches (B.cond, CBZ/CBNZ, TBZ/TBNZ),
/// conditional selects (CSEL family), returns, and the PLT stub pattern ADRP x16 + LDR x17 +
/// BR x17 that leads to a GOT slot (AArch64 ELF psABI, "Procedure Linkage Table").
/// </summary>
/// <remarks>Calls through a register loaded elsewhere (-fno-plt's ADRP/LDR/BLR in the body) are not followed.</remarks>
internal static class Arm64Wrapper
{
    private const uint BlMask = 0xFC000000, Bl = 0x94000000, B = 0x14000000;
    private const uint BCondMask = 0xFF000010, BCond = 0x54000000;
    private const uint CompareBranchMask = 0x7E000000, Cbz = 0x34000000, Tbz = 0x36000000;
    private const uint CondSelectMask = 0x1FE00000, CondSelect = 0x1A800000;
    private const uint BranchRegMask = 0xFFFFFC1F, Ret = 0xD65F0000, Br = 0xD61F0000, Blr = 0xD63F0000;
    private const uint AdrpMask = 0x9F000000, Adrp = 0x90000000;
    private const uint LdrX64Mask = 0xFFC00000, LdrX64 = 0xF9400000;
    private const uint HintMask = 0xFFFFF01F, Hint = 0xD503201F; // NOP, BTI, PACIASP, AUTIASP ...

    /// <summary>The unsafe function the body at <paramref name="address"/> reaches before any check, or null.</summary>
    public static (string Target, int Instructions)? Judge(ElfImage image, IBlob content, ulong address, int length,
        IReadOnlyDictionary<ulong, string> functions, IReadOnlySet<string> unsafeNames, int maxInstructions)
    {
        var code = Read(image, content, address, length);
        for (var i = 0; i + 4 <= code.Length && i / 4 < maxInstructions; i += 4)
        {
            var insn = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(i));
            var pc = address + (ulong)i;
            if ((insn & BCondMask) == BCond || (insn & CompareBranchMask) is Cbz or Tbz || (insn & CondSelectMask) == CondSelect)
                return null; // a check comes first
            if ((insn & BranchRegMask) is Ret or Br or Blr)
                return null;
            if ((insn & BlMask) is Bl or B)
            {
                var target = pc + (ulong)(SignExtend(insn & 0x03FFFFFF, 26) * 4);
                var name = functions.TryGetValue(target, out var f) ? f : PltTarget(image, content, target);
                if (name is not null && unsafeNames.Contains(name))
                    return (name, i / 4 + 1);
                if ((insn & BlMask) == B)
                    return null; // tail call to something else
            }
        }
        return null;
    }

    /// <summary>ADRP x16, page; LDR x17, [x16, #off]; (ADD x16 ...;) BR x17 → the symbol of the GOT slot page + off.</summary>
    private static string? PltTarget(ElfImage image, IBlob content, ulong address)
    {
        var code = Read(image, content, address, 16);
        ulong? page = null;
        for (var i = 0; i + 4 <= code.Length; i += 4)
        {
            var insn = BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(i));
            var pc = address + (ulong)i;
            if ((insn & HintMask) == Hint)
                continue;
            if ((insn & AdrpMask) == Adrp)
            {
                var imm = (((insn >> 5) & 0x7FFFF) << 2) | ((insn >> 29) & 3);
                page = (pc & ~0xFFFUL) + (ulong)(SignExtend(imm, 21) << 12);
                continue;
            }
            if ((insn & LdrX64Mask) == LdrX64 && page is { } p)
            {
                var slot = p + (((insn >> 10) & 0xFFF) * 8);
                return image.GotSymbols.TryGetValue(slot, out var name) ? name : null;
            }
            return null;
        }
        return null;
    }

    private static long SignExtend(uint value, int bits) => ((long)value << (64 - bits)) >> (64 - bits);

    private static byte[] Read(ElfImage image, IBlob content, ulong address, int count) =>
        image.FileOffsetOf(address) is { } off && off < (ulong)content.Length ? content.ReadBytes((long)off, count) : [];
}
