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
    /// NVD AND configurations ("A together with B", "A running on B"): when true a match is reported
    /// only if every other node is satisfied by a component of the same evaluation; when false (default)
    /// it is reported with its confidence multiplied by <see cref="UnverifiedContextFactor"/> and the
    /// unmet condition written into <c>MatchedBy</c>, since an evaluation rarely lists the OS or hardware.
    /// </summary>
    public bool RequireConfigurationContext { get; init; }

    public double UnverifiedContextFactor { get; init; } = 0.6;

    public static MatchOptions Default { get; } = new();
}
