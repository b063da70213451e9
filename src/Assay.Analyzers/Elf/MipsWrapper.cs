using System.Buffers.Binary;
using Assay.Core.Content;

namespace Assay.Analyzers.Elf;

/// <summary>
/// The MIPS side of the unchecked-wrapper test, MIPS32 and MIPS64, both byte orders (MIPS32/MIPS64
/// Architecture for Programmers Volume II, "Instruction Formats"; MIPS ABI supplement, "Function
/// Calling Sequence"). Position-independent code calls through $t9: <c>lw/ld $t9, off($gp)</c>
/// then <c>jalr $t9</c> (or <c>jr $t9</c> for a tail call); the GOT slot $gp+off names the callee
/// (<see cref="ElfImage.MipsGlobalPointer"/>, GOT from DT_MIPS_GOTSYM/LOCAL_GOTNO). Non-PIC code
/// uses <c>jal</c>/<c>j</c> to the function or to a PLT stub (<c>lui $t8; lw $t9, lo($t8); ... jr $t9</c>).
/// Any conditional branch (BEQ, BNE, BLEZ, BGTZ, REGIMM BLTZ/BGEZ, FP branches, their likely forms),
/// conditional move (MOVZ/MOVN) or conditional trap before the call is a check; <c>jr $ra</c> ends the body.
/// </summary>
/// <remarks>Limitations: binaries with several GOTs (multi-GOT, very large objects) resolve only
/// through the primary GOT; microMIPS and MIPS16e code and MIPS Release 6 compact branches are not decoded.</remarks>
internal static class MipsWrapper
{
    private const int RegGp = 28, RegT9 = 25, RegRa = 31, RegT8 = 24;
    private const uint OpSpecial = 0, OpRegimm = 1, OpJ = 2, OpJal = 3, OpCop1 = 17, OpLui = 15, OpLw = 35, OpLd = 55;
    private const uint FnJr = 8, FnJalr = 9, FnMovz = 10, FnMovn = 11;

    /// <summary>The unsafe function the body at <paramref name="address"/> reaches before any check, or null.</summary>
    public static (string Target, int Instructions)? Judge(ElfImage image, IBlob content, ulong address, int length,
        IReadOnlyDictionary<ulong, string> functions, IReadOnlySet<string> unsafeNames, int maxInstructions)
    {
        var code = Read(image, content, address, length);
        string? t9 = null; // the callee whose address was last loaded into $t9
        for (var i = 0; i + 4 <= code.Length && i / 4 < maxInstructions; i += 4)
        {
            var insn = Word(image, code, i);
            var pc = address + (ulong)i;
            var op = insn >> 26;
            var rs = (int)(insn >> 21) & 31;
            var rt = (int)(insn >> 16) & 31;
            var funct = insn & 63;
            switch (op)
            {
                case 4 or 5 or 6 or 7 or 20 or 21 or 22 or 23:
                    return null; // beq/bne/blez/bgtz (and likely forms): a check
                case OpRegimm when rt is 0 or 1 or 2 or 3 || (rt is 16 or 17 && rs != 0):
                    return null; // bltz/bgez(l), conditional bltzal/bgezal
                case OpCop1 when rs == 8:
                    return null; // bc1f/bc1t
                case OpLw or OpLd when rt == RegT9:
                    t9 = rs == RegGp && image.MipsGlobalPointer is { } gp && image.GotSymbols.TryGetValue(unchecked(gp + (ulong)(long)(short)(insn & 0xFFFF)), out var name) ? name : null;
                    break;
                case OpJ or OpJal:
                {
                    var target = ((pc + 4) & ~0x0FFFFFFFUL) | ((ulong)(insn & 0x03FFFFFF) << 2);
                    var n = functions.TryGetValue(target, out var f) ? f : PltTarget(image, content, target);
                    if (n is not null && unsafeNames.Contains(n))
                        return (n, i / 4 + 1);
                    if (op == OpJ)
                        return null; // tail jump to something else
                    break;
                }
                case OpSpecial:
                    if (funct is FnMovz or FnMovn || funct is >= 0x30 and <= 0x36)
                        return null; // conditional move or trap
                    if (funct == FnJr && rs == RegRa)
                        return null; // returns
                    if (funct is FnJr or FnJalr && rs == RegT9)
                    {
                        if (t9 is not null && unsafeNames.Contains(t9))
                            return (t9, i / 4 + 1);
                        if (funct == FnJr)
                            return null;
                    }
                    else if (funct == FnJr)
                    {
                        return null; // jumps through another register: leaves the body
                    }
                    break;
            }
        }
        return null;
    }

    /// <summary>Non-PIC PLT stub: <c>lui $t8, hi; lw/ld $t9, lo($t8)</c> → the GOT slot (hi &lt;&lt; 16) + lo.</summary>
    private static string? PltTarget(ElfImage image, IBlob content, ulong address)
    {
        var code = Read(image, content, address, 8);
        if (code.Length < 8)
            return null;
        var lui = Word(image, code, 0);
        var load = Word(image, code, 4);
        if (lui >> 26 != OpLui || ((lui >> 16) & 31) != RegT8 || (load >> 26) is not (OpLw or OpLd) || ((load >> 21) & 31) != RegT8 || ((load >> 16) & 31) != RegT9)
            return null;
        var slot = unchecked((ulong)((long)(short)(lui & 0xFFFF) << 16) + (ulong)(long)(short)(load & 0xFFFF));
        if (!image.Is64)
            slot &= 0xFFFFFFFF;
        return image.GotSymbols.TryGetValue(slot, out var name) ? name : null;
    }

    private static uint Word(ElfImage image, byte[] code, int at) =>
        image.LittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(code.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(code.AsSpan(at));

    private static byte[] Read(ElfImage image, IBlob content, ulong address, int count) =>
        image.FileOffsetOf(address) is { } off && off < (ulong)content.Length ? content.ReadBytes((long)off, count) : [];
}
