namespace Assay.Network.Compliance;

/// <summary>The result of checking an inventory against a policy pack at a date (JSON: docs/network.md, "check output").</summary>
public sealed record CheckResult
{
    public required string Policy { get; init; }
    public required string PolicyTitle { get; init; }
    public required DateOnly At { get; init; }
    public required string Inventory { get; init; }
    public required int Elements { get; init; }
    public required int Sites { get; init; }

    /// <summary>The vendors the pack restricts in this run, and why (see <see cref="VendorDesignation"/>).</summary>
    public required IReadOnlyList<string> RestrictedVendors { get; init; }

    public required string DesignationBasis { get; init; }

    /// <summary>True when no rule in force is violated.</summary>
    public bool Compliant => Violations.Count == 0;

    /// <summary>Violations of rules in force at <see cref="At"/>.</summary>
    public required IReadOnlyList<Violation> Violations { get; init; }

    /// <summary>Every rule with its status; rules not yet in force show what would violate them if nothing changes.</summary>
    public required IReadOnlyList<RuleOutcome> Rules { get; init; }

    /// <summary>Share of restricted vendors per domain, nationally and per region.</summary>
    public required IReadOnlyList<ShareRow> Shares { get; init; }

    /// <summary>What the check had to assume (missing columns, default designations).</summary>
    public required IReadOnlyList<string> Assumptions { get; init; }
}

/// <summary>One violation: a rule in force and the elements that break it.</summary>
public sealed record Violation
{
    public required string Rule { get; init; }
    public required string Kind { get; init; }
    public required string Message { get; init; }

    /// <summary>Region of a per-region share violation; null for national.</summary>
    public string? Region { get; init; }

    /// <summary>For max_share: the measured share and the cap.</summary>
    public double? Share { get; init; }
    public double? Cap { get; init; }

    /// <summary>For max_share: how much of the measure must go (sites, elements, cells or traffic) to meet the cap.</summary>
    public double? Excess { get; init; }

    /// <summary>The element ids involved, sorted.</summary>
    public required IReadOnlyList<string> Elements { get; init; }
}

/// <summary>A rule's status at the check date.</summary>
public sealed record RuleOutcome
{
    public required string Rule { get; init; }
    public required string Kind { get; init; }
    public required string Description { get; init; }
    public DateOnly? From { get; init; }

    /// <summary><c>compliant</c>, <c>violated</c>, <c>upcoming</c> (not yet in force; <see cref="Elements"/> would violate), <c>not-checkable</c>, <c>advisory</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Number of elements that violate (or would, for upcoming rules).</summary>
    public int Elements { get; init; }

    public string? FactStatus { get; init; }
    public string? Source { get; init; }
    public string? Note { get; init; }

    /// <summary>For a date given by pack parameters: how it was obtained; null for a fixed date.</summary>
    public string? DateBasis { get; init; }

    /// <summary>The date before an extension granted to the provider moved it; null when not extended.</summary>
    public DateOnly? ExtendedFrom { get; init; }
}

/// <summary>Restricted share of one domain in one region (<c>region</c> null: national).</summary>
public sealed record ShareRow
{
    public required string Domain { get; init; }
    public string? Region { get; init; }
    public required long Elements { get; init; }
    public required long RestrictedElements { get; init; }
    public required long Sites { get; init; }
    public required long RestrictedSites { get; init; }
    public required long Cells { get; init; }
    public required long RestrictedCells { get; init; }
    public required double Traffic { get; init; }
    public required double RestrictedTraffic { get; init; }

    public double ElementShare => Elements == 0 ? 0 : (double)RestrictedElements / Elements;
    public double SiteShare => Sites == 0 ? 0 : (double)RestrictedSites / Sites;
    public double CellShare => Cells == 0 ? 0 : (double)RestrictedCells / Cells;
    public double TrafficShare => Traffic == 0 ? 0 : RestrictedTraffic / Traffic;
}
