namespace Assay.Core.Model;

/// <summary>The <c>hardening</c> summary: totals and one row per ELF.</summary>
public sealed record HardeningSummary
{
    public int ElfFiles { get; init; }
    public int NoNx { get; init; }
    public int NotPie { get; init; }
    public IReadOnlyDictionary<string, int> Relro { get; init; } = new SortedDictionary<string, int>();
    public int NoCanary { get; init; }
    public int CanaryUnknown { get; init; }
    public int Fortified { get; init; }
    public int Unfortified { get; init; }
    public int WithRpath { get; init; }
    public int TextRel { get; init; }
    public IReadOnlyList<HardeningRow> Binaries { get; init; } = [];
}

/// <summary>One ELF of the <c>hardening</c> table (the definitions are those of the analyzer's ELF facts).</summary>
public sealed record HardeningRow
{
    public required string Path { get; init; }
    public required string Arch { get; init; }
    public required int Bits { get; init; }
    public required string Endian { get; init; }
    public required string Type { get; init; }
    public required bool Static { get; init; }
    public bool? Pie { get; init; }
    public required bool Nx { get; init; }
    public required bool ExecStack { get; init; }
    public required bool Wx { get; init; }
    public required string Relro { get; init; }
    public bool? Canary { get; init; }

    /// <summary>fortified (some __*_chk), unfortified (only unchecked calls), none (nothing to fortify), unknown.</summary>
    public required string Fortify { get; init; }
    public IReadOnlyList<string> FortifiedFunctions { get; init; } = [];
    public IReadOnlyList<string> Rpath { get; init; } = [];
    public IReadOnlyList<string> Runpath { get; init; } = [];
    public required bool Stripped { get; init; }
    public required bool TextRel { get; init; }
    public string? ControlFlow { get; init; }

    /// <summary>The GNU build-id (hex), when the file has one: <c>assay diff</c> follows a moved binary by it.</summary>
    public string? BuildId { get; init; }
}
