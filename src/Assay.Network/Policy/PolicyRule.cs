using Assay.Network.Inventory;

namespace Assay.Network.Policy;

/// <summary>What a rule demands of the restricted vendors' elements in its scope.</summary>
public enum RuleKind
{
    /// <summary>No restricted element in scope from <see cref="PolicyRule.From"/> on.</summary>
    Exclude,

    /// <summary>Restricted share of the scope at most <see cref="PolicyRule.Value"/>, by a measure, nationally or per region.</summary>
    MaxShare,

    /// <summary>Full removal from scope by <see cref="PolicyRule.From"/>: checked like exclude from that date, and a target of the planner.</summary>
    Deadline,

    /// <summary>No restricted element installed in scope after <see cref="PolicyRule.From"/> (needs the <c>installed</c> column).</summary>
    NoNewInstall,
}

/// <summary>How a max_share rule measures a share.</summary>
public enum ShareMeasure
{
    /// <summary>Count of network elements.</summary>
    Elements,

    /// <summary>Count of sites with at least one element in scope (a site counts as restricted if any of its in-scope elements is).</summary>
    Sites,

    /// <summary>Sum of the elements' cells.</summary>
    Cells,

    /// <summary>Sum of the elements' traffic or capacity weights.</summary>
    Traffic,
}

/// <summary>Where a max_share rule takes its share: the whole network, or each region separately.</summary>
public enum ShareLevel
{
    National,
    Region,
}

/// <summary>
/// The elements a rule is about. Every non-empty list must match (an empty list matches all); an
/// element matches a list if its value is in it (case-insensitive).
/// </summary>
public sealed record RuleScope
{
    public IReadOnlyList<NetworkDomain> Domains { get; init; } = [];
    public IReadOnlyList<string> Functions { get; init; } = [];
    public IReadOnlyList<string> SiteClasses { get; init; } = [];

    /// <summary>A technology (e.g. <c>5G</c>) the element's <c>technology</c> must contain; null for any.</summary>
    public string? Technology { get; init; }

    /// <summary>For management elements: the managed domains in scope (DE 2024: management of ran and transport).</summary>
    public IReadOnlyList<NetworkDomain> ManagedDomains { get; init; } = [];

    /// <summary>Readable form: <c>domain core, site class sensitive, 5G</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Domains.Count > 0) parts.Add("domain " + string.Join("/", Domains.Select(d => d.ToName())));
        if (Functions.Count > 0) parts.Add("function " + string.Join("/", Functions));
        if (SiteClasses.Count > 0) parts.Add("site class " + string.Join("/", SiteClasses));
        if (ManagedDomains.Count > 0) parts.Add("managing " + string.Join("/", ManagedDomains.Select(d => d.ToName())));
        if (Technology is not null) parts.Add(Technology);
        return parts.Count == 0 ? "whole network" : string.Join(", ", parts);
    }
}

/// <summary>
/// A rule date taken from a pack parameter (<c>--param NAME=YYYY-MM-DD</c>): the parameter's date plus
/// <see cref="Months"/>. A provider-specific deadline is of this kind (US: one year after the provider's
/// initial reimbursement disbursement).
/// </summary>
/// <param name="Parameter">The pack parameter that gives the date.</param>
/// <param name="Months">Months added to it (0..1200).</param>
/// <param name="Assumption">When this is a fallback that only bounds the real date, what that assumes (reported with the result).</param>
public sealed record ParameterDate(string Parameter, int Months, string? Assumption = null)
{
    /// <summary><c>disbursement + 12 months</c>.</summary>
    public override string ToString() => Months == 0 ? Parameter : $"{Parameter} + {Months} months";
}

/// <summary>One rule of a policy pack.</summary>
public sealed record PolicyRule
{
    /// <summary>Stable id, e.g. <c>UK-DVD-05</c>.</summary>
    public required string Id { get; init; }

    public required RuleKind Kind { get; init; }
    public required RuleScope Scope { get; init; }

    /// <summary>The date the rule applies from (for a deadline: the date removal must be complete); null for always.</summary>
    public DateOnly? From { get; init; }

    /// <summary>For max_share: the cap, 0..1.</summary>
    public double? Value { get; init; }

    public ShareMeasure Measure { get; init; } = ShareMeasure.Elements;
    public ShareLevel Level { get; init; } = ShareLevel.National;

    /// <summary>False for rules that carry no checkable obligation (advice, organisational duties): listed, never violated.</summary>
    public bool Enforceable { get; init; } = true;

    /// <summary>F, F2, U or I, as in research/telecom-standards.md.</summary>
    public string? FactStatus { get; init; }

    /// <summary>Source ids or text for the rule and its date.</summary>
    public string? Source { get; init; }

    public string? Note { get; init; }

    /// <summary>Line of the rule in its pack file.</summary>
    public long Line { get; init; }

    /// <summary>
    /// When the date depends on pack parameters: where it comes from, tried in order (the first whose
    /// parameter is set wins). Empty for a fixed date. <see cref="PackParameters.Apply"/> sets <see cref="From"/>.
    /// </summary>
    public IReadOnlyList<ParameterDate> FromParameters { get; init; } = [];

    /// <summary>A parameter that, when set, moves the date later: an extension granted to this provider, reported as such.</summary>
    public string? ExtensionParameter { get; init; }

    /// <summary>How <see cref="From"/> was obtained from parameters (<c>disbursement 2022-10-29 + 12 months</c>); null for a fixed date.</summary>
    public string? DateBasis { get; init; }

    /// <summary>The date before an extension moved it; null when not extended.</summary>
    public DateOnly? ExtendedFrom { get; init; }

    /// <summary>What the date assumes when it came from a fallback parameter; null otherwise.</summary>
    public string? DateAssumption { get; init; }

    /// <summary>
    /// Non-null while the date depends on parameters that were not given: what to give. Such a rule is
    /// reported <c>not-checkable</c> and not planned; it is never treated as always in force.
    /// </summary>
    public string? Unresolved { get; init; }

    public string KindName => Kind switch
    {
        RuleKind.Exclude => "exclude",
        RuleKind.MaxShare => "max_share",
        RuleKind.Deadline => "deadline",
        RuleKind.NoNewInstall => "no_new_install",
        _ => Kind.ToString(),
    };

    /// <summary>In force at <paramref name="at"/>.</summary>
    public bool InForce(DateOnly at) => From is null || From.Value <= at;

    /// <summary>One line: <c>exclude high-risk from domain core from 2020-01-28</c>.</summary>
    public string Describe()
    {
        var word = Kind == RuleKind.Deadline ? "by" : "from";
        var when = From is { } f
            ? $" {word} {f:yyyy-MM-dd}{(ExtendedFrom is { } x ? $" (extended from {x:yyyy-MM-dd})" : "")}"
            : FromParameters.Count > 0 ? $" {word} {string.Join(" or ", FromParameters)}" : "";
        return Kind switch
        {
            RuleKind.MaxShare => $"share of {Scope} at most {(Value is { } v ? v.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "(no value set)")} by {Measure.ToString().ToLowerInvariant()} ({Level.ToString().ToLowerInvariant()}){when}",
            RuleKind.Deadline => $"remove from {Scope}{when}",
            RuleKind.NoNewInstall => $"no new installs in {Scope}{when}",
            _ => $"exclude from {Scope}{when}",
        };
    }
}
