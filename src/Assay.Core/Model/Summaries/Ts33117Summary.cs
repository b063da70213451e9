namespace Assay.Core.Model;

/// <summary>The <c>ts33117</c> summary: counts and one row per requirement clause.</summary>
public sealed record Ts33117Summary
{
    public string Standard { get; init; } = "3GPP TS 33.117 (clause numbering of Rel-16 V16.8.0)";
    public int Pass { get; init; }
    public int Fail { get; init; }

    /// <summary>Clauses with rules that found nothing in the image to examine.</summary>
    public int NotChecked { get; init; }
    public int NotTestable { get; init; }
    public IReadOnlyList<Ts33117Row> Requirements { get; init; } = [];
}

/// <summary>One requirement clause and its status.</summary>
public sealed record Ts33117Row
{
    public required string Section { get; init; }
    public required string Title { get; init; }

    /// <summary>static, partial or dynamic: how far the image alone can answer the clause.</summary>
    public required string Testability { get; init; }

    /// <summary>pass, fail or not-testable.</summary>
    public required string Status { get; init; }
    public required string Note { get; init; }

    /// <summary>The rule ids that test the clause.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];

    /// <summary>The rule ids with findings of severity Low or above.</summary>
    public IReadOnlyList<string> FailedRules { get; init; } = [];
    public int Findings { get; init; }

    /// <summary>Info-severity findings that cite the clause without failing it.</summary>
    public int Observations { get; init; }

    /// <summary>How many times the clause's rules examined a file of the image (fired or not).</summary>
    public long Checks { get; init; }
}
