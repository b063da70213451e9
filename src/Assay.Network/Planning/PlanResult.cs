namespace Assay.Network.Planning;

/// <summary>A replacement plan for one scenario (policy pack): what goes, when, at what cost, and whether each deadline holds.</summary>
public sealed record PlanResult
{
    public required string Scenario { get; init; }
    public required string Policy { get; init; }
    public required string Start { get; init; }
    public required double Capacity { get; init; }
    public required string Currency { get; init; }
    public required IReadOnlyList<string> RestrictedVendors { get; init; }

    /// <summary>Elements to replace (each once, at its earliest due date).</summary>
    public required int ElementsReplaced { get; init; }
    public required int SitesTouched { get; init; }
    public required double TotalCost { get; init; }
    public required double TotalEffort { get; init; }

    /// <summary>Month (yyyy-MM) the last replacement completes; null when nothing is to replace.</summary>
    public string? FinishMonth { get; init; }

    /// <summary>True when every deadline still ahead of the start is met with <see cref="Capacity"/>.</summary>
    public required bool Feasible { get; init; }

    /// <summary>The least capacity (work units per month) that meets every deadline still ahead of the start.</summary>
    public required double RequiredCapacity { get; init; }

    public required IReadOnlyList<DeadlineOutcome> Deadlines { get; init; }
    public required IReadOnlyList<CostLine> Costs { get; init; }
    public required IReadOnlyList<PlanMonth> Months { get; init; }

    /// <summary>Domain name → restricted share by elements before the first replacement.</summary>
    public required IReadOnlyDictionary<string, double> InitialShare { get; init; }
    public required IReadOnlyList<SelectionOutcome> Selections { get; init; }

    /// <summary>The replacements, in schedule order (JSON/CSV output).</summary>
    public required IReadOnlyList<PlannedReplacement> Replacements { get; init; }

    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Total at every row's low end of its range; null when the cost table has no ranges.</summary>
    public double? TotalCostLow { get; init; }

    /// <summary>Total at every row's high end of its range; null when the cost table has no ranges.</summary>
    public double? TotalCostHigh { get; init; }

    /// <summary>How the low, expected and high totals were computed; null without ranges.</summary>
    public string? CostMethod { get; init; }

    /// <summary>Price year of the cost figures, when the table gives one.</summary>
    public int? PriceYear { get; init; }

    /// <summary>For a pack with a reimbursement programme: the cost it covers and the cost it does not.</summary>
    public ReimbursementSplit? Reimbursement { get; init; }
}

/// <summary>Plans of several scenarios side by side (<c>--compare -f json</c>), each without its replacement list.</summary>
internal sealed record PlanComparison(IReadOnlyList<PlanResult> Scenarios);

/// <summary>
/// The plan's cost split by a reimbursement programme's cut-off date (the <c>installed</c> date stands
/// in for the date obtained): eligible, not eligible, and elements without an install date.
/// </summary>
public sealed record ReimbursementSplit
{
    public required string Program { get; init; }
    public required DateOnly ObtainedOnOrBefore { get; init; }
    public required CostShare Eligible { get; init; }
    public required CostShare NotEligible { get; init; }
    public required CostShare UnknownDate { get; init; }
    public string? Source { get; init; }
}

/// <summary>A number of replaced elements and their cost (expected, and the range when the table has one).</summary>
public sealed record CostShare(int Elements, double Cost, double? CostLow, double? CostHigh);

/// <summary>One deadline of the plan (a rule's date): the work due by then and whether it is done in time.</summary>
public sealed record DeadlineOutcome
{
    public required string Rule { get; init; }
    public required DateOnly Date { get; init; }

    /// <summary>Elements whose earliest due date is this deadline.</summary>
    public required int Elements { get; init; }

    /// <summary>All work due on or before this date (including earlier deadlines), in work units.</summary>
    public required double CumulativeEffort { get; init; }

    /// <summary>Months from the plan start to this deadline (0 when it has already passed).</summary>
    public required int MonthsAvailable { get; init; }

    public required bool Met { get; init; }

    /// <summary>True when the date was already past at the plan start.</summary>
    public required bool Overdue { get; init; }

    /// <summary>Month the last element due by this deadline completes.</summary>
    public string? CompletedMonth { get; init; }

    /// <summary>Least capacity that meets this deadline (and all earlier ones); null when overdue.</summary>
    public double? RequiredCapacity { get; init; }

    public required string Message { get; init; }

    /// <summary>For a deadline an extension moved: the date before it; null otherwise.</summary>
    public DateOnly? ExtendedFrom { get; init; }

    /// <summary>For a date from pack parameters: how it was obtained.</summary>
    public string? DateBasis { get; init; }
}

/// <summary>Cost per element type (the expected unit cost; the range when the table gives one).</summary>
public sealed record CostLine(string Domain, string Function, int Elements, double UnitCost, double Cost, double Effort)
{
    public double? UnitCostLow { get; init; }
    public double? UnitCostHigh { get; init; }
    public double? CostLow { get; init; }
    public double? CostHigh { get; init; }

    /// <summary>What one unit of the figure covers, when the table says (e.g. "per site, equipment and installation").</summary>
    public string? Unit { get; init; }

    /// <summary>Where the figure comes from, when the table says.</summary>
    public string? Source { get; init; }
}

/// <summary>One month of the schedule, and the restricted share per domain (by elements) at its end.</summary>
public sealed record PlanMonth
{
    public required string Month { get; init; }
    public required int Replaced { get; init; }
    public required double Effort { get; init; }
    public required double Cost { get; init; }
    public required double CumulativeCost { get; init; }

    /// <summary>Domain name → restricted share by elements at the end of the month.</summary>
    public required IReadOnlyDictionary<string, double> Share { get; init; }
}

/// <summary>How the elements for a share cap were chosen.</summary>
public sealed record SelectionOutcome
{
    public required string Rule { get; init; }
    public required string Measure { get; init; }
    public required int Selected { get; init; }
    public required double Cost { get; init; }

    /// <summary><c>optimal</c>, <c>feasible</c> (time limit; see <see cref="Bound"/>), <c>greedy</c> (the solver found nothing in time; the greedy cover is used), <c>none-needed</c>, <c>infeasible</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Lower bound on the cost proven by the solver.</summary>
    public double? Bound { get; init; }

    public required int Variables { get; init; }
}

/// <summary>One element replacement in the schedule.</summary>
public sealed record PlannedReplacement(string Element, string Site, string Domain, string Function, string Vendor, string Rule, DateOnly Due, string Month, double Cost, double Effort);
