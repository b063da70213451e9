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
        var when = From is null ? "" : Kind == RuleKind.Deadline ? $" by {From:yyyy-MM-dd}" : $" from {From:yyyy-MM-dd}";
        return Kind switch
        {
            RuleKind.MaxShare => $"share of {Scope} at most {(Value is { } v ? v.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "(no value set)")} by {Measure.ToString().ToLowerInvariant()} ({Level.ToString().ToLowerInvariant()}){when}",
            RuleKind.Deadline => $"remove from {Scope}{when}",
            RuleKind.NoNewInstall => $"no new installs in {Scope}{when}",
            _ => $"exclude from {Scope}{when}",
        };
    }
}
