namespace Assay.Core.Model;

/// <summary>The <c>components</c> summary table.</summary>
public sealed record ComponentsSummary
{
    public required int Components { get; init; }
    public required int Unsupported { get; init; }

    /// <summary>Per component name, the copies found in files (package-database entries are counted apart).</summary>
    public required IReadOnlyDictionary<string, ComponentCopies> Copies { get; init; }
}

/// <summary>The copies of one component across the image.</summary>
public sealed record ComponentCopies
{
    public required int Copies { get; init; }
    public required IReadOnlyList<string> Versions { get; init; }
    public required string Oldest { get; init; }
    public required string Newest { get; init; }

    /// <summary>Copies per linkage: shared (its own file), static (linked into another binary), package, ...</summary>
    public required IReadOnlyDictionary<string, int> Linkage { get; init; }

    public int Unsupported { get; init; }
    public required IReadOnlyList<string> Locations { get; init; }

    /// <summary>The sentence a lab report uses: "12 copies of openssl in 4 versions, the oldest 0.9.8".</summary>
    public required string Text { get; init; }
}
