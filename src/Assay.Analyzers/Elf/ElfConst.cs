namespace Assay.Analyzers.Elf;

/// <summary>ELF constants (System V gABI 4.1 and the GNU extensions in the Linux gABI / glibc elf.h).</summary>
internal static class ElfConst
{
    public static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];
    public const int IdentSize = 16;
    public const int EiClass = 4;
    public const int EiData = 5;

    // e_type
    public const ushort EtRel = 1;
    public const ushort EtExec = 2;
    public const ushort EtDyn = 3;
    public const ushort EtCore = 4;

    // e_machine
    public const ushort EmX86 = 3;
    public const ushort EmMips = 8;
    public const ushort EmArm = 40;
    public const ushort EmX8664 = 62;
    public const ushort EmAarch64 = 183;

    // p_type
    public const uint PtLoad = 1;
    public const uint PtDynamic = 2;
    public const uint PtInterp = 3;
    public const uint PtNote = 4;
    public const uint PtGnuStack = 0x6474e551;
    public const uint PtGnuRelro = 0x6474e552;
    public const uint PtGnuProperty = 0x6474e553;

    // p_flags
    public const uint PfX = 1;
    public const uint PfW = 2;
    public const uint PfR = 4;

    // sh_type
    public const uint ShtSymtab = 2;
    public const uint ShtStrtab = 3;
    public const uint ShtDynamic = 6;
    public const uint ShtNote = 7;
    public const uint ShtNobits = 8;
    public const uint ShtDynsym = 11;

    // sh_flags
    public const ulong ShfExecInstr = 4;

    // d_tag
    public const long DtNull = 0;
    public const long DtNeeded = 1;
    public const long DtPltgot = 3;

    // MIPS dynamic tags (MIPS ABI supplement, "Dynamic Section"): the GOT holds LOCAL_GOTNO local
    // entries, then one entry per dynamic symbol from GOTSYM to SYMTABNO-1, in symbol order.
    public const long DtMipsLocalGotno = 0x7000000a;
    public const long DtMipsSymtabno = 0x70000011;
    public const long DtMipsGotsym = 0x70000013;

    /// <summary>MIPS $gp points this far past the start of the GOT (the ABI's _gp), so 16-bit signed offsets reach 64 KiB of it.</summary>
    public const ulong MipsGpOffset = 0x7ff0;
    public const long DtPltrelsz = 2;
    public const long DtStrtab = 5;
    public const long DtSymtab = 6;
    public const long DtRela = 7;
    public const long DtRelasz = 8;
    public const long DtStrsz = 10;
    public const long DtSoname = 14;
    public const long DtRpath = 15;
    public const long DtRel = 17;
    public const long DtRelsz = 18;
    public const long DtPltrel = 20;
    public const long DtTextrel = 22;
    public const long DtJmprel = 23;
    public const long DtBindNow = 24;
    public const long DtRunpath = 29;
    public const long DtFlags = 30;
    public const long DtFlags1 = 0x6ffffffb;

    // DT_FLAGS and DT_FLAGS_1 bits
    public const ulong DfTextrel = 0x4;
    public const ulong DfBindNow = 0x8;
    public const ulong Df1Now = 0x1;
    public const ulong Df1Pie = 0x08000000;

    // symbol types (st_info & 0xf)
    public const byte SttFunc = 2;
    public const byte SttGnuIfunc = 10;

    // NT_GNU_BUILD_ID: the linker's --build-id (descriptor: usually 20 bytes of SHA-1, 16 of MD5/UUID)
    public const uint NtGnuBuildId = 3;
    public const int MaxBuildIdBytes = 64;

    // GNU property notes (NT_GNU_PROPERTY_TYPE_0) and their feature bits
    public const uint NtGnuPropertyType0 = 5;
    public const uint GnuPropertyX86Feature1And = 0xc0000002;
    public const uint GnuPropertyAarch64Feature1And = 0xc0000000;
    public const uint X86FeatureIbt = 1;
    public const uint X86FeatureShstk = 2;
    public const uint Aarch64FeatureBti = 1;
    public const uint Aarch64FeaturePac = 2;
}
