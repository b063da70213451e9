namespace Assay.History.Build;

/// <summary>
/// The result of comparing a delivered build with a rebuild (<see cref="BuildComparison.Compare"/>),
/// serialized as the verify-build document; its shape is a contract:
/// <c>{verdict, normalisations:[...], unexplainedBytes, files:[{path, status, sections:[{name,status}]}]}</c>
/// plus the inputs, counts and what each normalisation set aside. Paths are in-tree paths below
/// the tree's root (a tar.gz's tar, a firmware image's only filesystem), so a SquashFS image and a
/// tar.gz of the same tree name their files alike.
/// </summary>
public sealed record VerifyResult
{
    /// <summary>Identifier of the document shape.</summary>
    public const string SchemaId = "https://assay.dev/schemas/verify-build/1.0";

    /// <summary><see cref="Reproducible"/> when every file is identical or differs only in declared normalisations, otherwise <see cref="NotReproducible"/>.</summary>
    public const string Reproducible = "reproducible", NotReproducible = "not-reproducible";

    public string Schema { get; init; } = SchemaId;
    public required string Verdict { get; init; }

    /// <summary>The declared normalisations (<c>mtime</c>, <c>owner</c>, <c>order</c>, <c>signatures</c>); empty: strict.</summary>
    public required IReadOnlyList<string> Normalisations { get; init; }

    /// <summary>Bytes that differ and no declared normalisation explains (files on one side only count whole).</summary>
    public required long UnexplainedBytes { get; init; }
    public required BuildInput Delivered { get; init; }
    public required BuildInput Rebuilt { get; init; }

    /// <summary>Entries per status.</summary>
    public required IReadOnlyDictionary<string, int> Counts { get; init; }

    /// <summary>How many entries each normalisation set something aside in.</summary>
    public required IReadOnlyDictionary<string, int> Normalised { get; init; }

    /// <summary>
    /// False when a scan reported errors (part of a build could not be unpacked or read): what was
    /// not read was not compared, so a <see cref="Reproducible"/> verdict covers only what was.
    /// </summary>
    public required bool Complete { get; init; }

    /// <summary>Every entry of both trees, by path.</summary>
    public required IReadOnlyList<FileVerdict> Files { get; init; }
}

/// <summary>One build as given: the file, its size and SHA-256, the root of its tree, its scan errors.</summary>
public sealed record BuildInput(string Path, long Size, string Sha256)
{
    /// <summary>The container whose content is compared (in-tree path; <c>/</c> for the input itself).</summary>
    public string Root { get; init; } = "/";
    public int Errors { get; init; }
}

/// <summary>
/// One entry: <c>identical</c>, <c>normalised</c> (different only in declared normalisations),
/// <c>differs</c>, <c>only-delivered</c> or <c>only-rebuilt</c>; what differs, what was set aside,
/// the ELF sections (or device-tree nodes) compared, the differing byte ranges of other files.
/// </summary>
public sealed record FileVerdict(string Path, string Status)
{
    public const string Identical = "identical", Normalised = "normalised", Differs = "differs", OnlyDelivered = "only-delivered", OnlyRebuilt = "only-rebuilt";

    /// <summary><c>file</c>, <c>dir</c>, <c>symlink</c> ... (the delivered side's when both have it).</summary>
    public required string Kind { get; init; }

    /// <summary>The format the entry was unpacked as, for containers: their bytes are not compared, their content is, below them.</summary>
    public string? Container { get; init; }

    /// <summary>What differs and is not set aside: <c>content</c>, <c>mode</c>, <c>owner</c>, <c>mtime</c>, <c>kind</c>, <c>target</c>, <c>device</c>, <c>order</c>, <c>structure</c>.</summary>
    public IReadOnlyList<string> What { get; init; } = [];

    /// <summary>What was set aside, by which normalisation.</summary>
    public IReadOnlyList<NormalisedItem> NormalisedBy { get; init; } = [];

    /// <summary>ELF regions (sections, headers) or device-tree nodes, each identical, normalised, differs, only-delivered or only-rebuilt.</summary>
    public IReadOnlyList<SectionVerdict> Sections { get; init; } = [];

    /// <summary>Differing byte ranges of the rebuilt file (other files than ELF), at block precision.</summary>
    public IReadOnlyList<ByteRange> Ranges { get; init; } = [];
    public long UnexplainedBytes { get; init; }

    /// <summary>Why a structure could not be read (the file was then compared as bytes).</summary>
    public string? Note { get; init; }
}

/// <summary>A section of an ELF file or a node of a device tree and its status.</summary>
public sealed record SectionVerdict(string Name, string Status);

/// <summary>A normalisation that applied to an entry and what it set aside.</summary>
public sealed record NormalisedItem(string Normalisation, string Detail);

/// <summary>A byte range.</summary>
public sealed record ByteRange(long Offset, long Length);
