namespace Assay.Network.Policy;

/// <summary>
/// A regulator's (or an operator's) vendor policy: which vendors it restricts and the rules that
/// apply to their elements. Built-in packs are YAML resources (<see cref="BuiltinPolicyPacks"/>);
/// custom packs are the same YAML (docs/network.md, "Policy packs").
/// </summary>
public sealed record PolicyPack
{
    /// <summary>Stable lower-case id (<c>uk-dvd</c>).</summary>
    public required string Id { get; init; }

    public required string Title { get; init; }

    /// <summary>GB, EU, DE, SE ..., matched against vendor designations.</summary>
    public string? Jurisdiction { get; init; }

    /// <summary>The vendor class the pack restricts (<c>high-risk</c>, <c>designated-vendor</c>), or <c>named</c> with <see cref="Vendors"/>.</summary>
    public required string VendorClass { get; init; }

    /// <summary>For <c>named</c> packs: the vendors restricted by name.</summary>
    public IReadOnlyList<string> Vendors { get; init; } = [];

    /// <summary>Vendors assumed in the class when the user gives no designations, with the source of that designation.</summary>
    public IReadOnlyList<string> DefaultVendors { get; init; } = [];

    public string? DefaultVendorsSource { get; init; }

    /// <summary>Source id → citation.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new SortedDictionary<string, string>();

    public string? Note { get; init; }

    public required IReadOnlyList<PolicyRule> Rules { get; init; }

    /// <summary>Parameters the pack's dates depend on (<c>--param NAME=YYYY-MM-DD</c>), sorted as declared.</summary>
    public IReadOnlyList<PackParameter> Parameters { get; init; } = [];

    /// <summary>A reimbursement programme that pays for replacing equipment obtained up to a date; null when the pack has none.</summary>
    public ReimbursementTerms? Reimbursement { get; init; }

    /// <summary>Where the pack came from: <c>builtin</c> or a file path.</summary>
    public string Origin { get; init; } = "builtin";
}

/// <summary>A date a pack's rules depend on and the user supplies (<c>--param NAME=YYYY-MM-DD</c>).</summary>
/// <param name="Name">Lower-case name, e.g. <c>disbursement</c>.</param>
/// <param name="Description">What the date is, for <c>--help</c>-like listings and error messages.</param>
/// <param name="Example">An example value.</param>
public sealed record PackParameter(string Name, string Description, string? Example);

/// <summary>
/// A programme that reimburses the replacement of restricted equipment obtained on or before a date
/// (US: the Secure and Trusted Communications Networks Reimbursement Program, 30 Jun 2020). Plans split
/// their cost into what the programme covers and what it does not, by the <c>installed</c> date.
/// </summary>
public sealed record ReimbursementTerms
{
    public required string Program { get; init; }

    /// <summary>Equipment obtained on or before this date is eligible.</summary>
    public required DateOnly ObtainedOnOrBefore { get; init; }

    public string? Source { get; init; }
    public string? Note { get; init; }
}
