using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>One row of the TS 33.117 table as the reports show it.</summary>
internal sealed record RequirementRow(string Section, string Title, string Status, long Checks, IReadOnlyList<string> FailedRules, int Findings);

/// <summary>
/// Reads the <c>ts33117</c> summary section of an evaluation as the reports show it: the terminal
/// summary and the HTML page share it.
/// </summary>
internal static class RequirementTable
{
    public static IReadOnlyList<RequirementRow> Read(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        // The typed section, read directly: a round trip through JSON cost a summary ~20 ms of
        // serializer start-up (reflection metadata, emitted accessors) on every scan.
        return evaluation.Summaries.Ts33117 is { } summary
            ? [.. summary.Requirements.Select(r => new RequirementRow(r.Section ?? "", r.Title ?? "", r.Status ?? "", r.Checks, r.FailedRules ?? [], r.Findings))]
            : [];
    }
}
