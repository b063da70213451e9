namespace Assay.Vulnerabilities.Matching;

/// <summary>How components are matched.</summary>
public sealed record MatchOptions
{
    /// <summary>
    /// Use the product mapping (<c>Data/products.yaml</c>) to find every NVD spelling of a component's
    /// product. When false only the component's own CPE is used (what the answer-key evaluation needs).
    /// </summary>
    public bool UseProductMap { get; init; } = true;

    /// <summary>For a component with neither a mapping nor a CPE, try <c>name:name</c> as vendor:product, at <see cref="GuessConfidence"/>.</summary>
    public bool GuessProducts { get; init; } = true;

    public double GuessConfidence { get; init; } = 0.5;

    /// <summary>
    /// NVD AND configurations ("A running on B"): a match whose other nodes no component of the same
    /// evaluation satisfies goes to <see cref="MatchResult.PlatformConditional"/> with the unmet
    /// platform named. When true those are dropped altogether.
    /// </summary>
    public bool RequireConfigurationContext { get; init; }

    public static MatchOptions Default { get; } = new();
}
