namespace Assay.History.Build;

/// <summary>
/// What <see cref="BuildRecorder"/> keeps of one regular file while the scan has its bytes, for a
/// comparison after both scans: where the bytes differ (<see cref="Blocks"/>), the ELF regions
/// with their digests, a kernel module's appended signature, a device tree's structure, whether the
/// file is a detached signature. Facts that could not be read (broken ELF, broken device tree)
/// are absent and <see cref="Problem"/> says why; the file is then compared as bytes.
/// </summary>
internal sealed record FileFacts
{
    public required long Length { get; init; }

    /// <summary>Block digests of the content (without a module signature); null for ELF files (compared by region) and containers.</summary>
    public BlockDigests? Blocks { get; init; }

    /// <summary>ELF regions with the SHA-256 of their bytes (sections, headers, the bytes outside sections as one region).</summary>
    public IReadOnlyList<RegionDigest>? Elf { get; init; }

    /// <summary>A kernel module's appended PKCS#7 signature: the content before it, and its SHA-256.</summary>
    public ModuleSignature.Trailer? ModuleSignature { get; init; }
    public string? UnsignedSha256 { get; init; }

    /// <summary>A FIT image's or DTB's structure.</summary>
    public IReadOnlyList<FdtStructure.Entry>? DeviceTree { get; init; }

    /// <summary>The kind of detached signature the file is (<c>openpgp</c>, <c>cms</c>, <c>ssh</c>, <c>signify</c>), or null.</summary>
    public string? DetachedSignature { get; init; }

    /// <summary>Why a structure could not be read, when it could not.</summary>
    public string? Problem { get; init; }
}

/// <summary>An ELF region (<see cref="ElfSectionTable.Region"/>) and the SHA-256 of its bytes.</summary>
internal sealed record RegionDigest(string Name, long Offset, long Length, string Sha256);
