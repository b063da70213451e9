using Assay.Core.Model;
using Assay.Vulnerabilities.Vex;

namespace Assay.Cli;

/// <summary>What fails a CI gate (<c>--fail-on</c>): a severity, and/or any error entry, and/or a known exploited vulnerability (CISA KEV).</summary>
internal sealed record FailOn(Severity? Severity, bool Errors, bool Kev = false)
{
    /// <summary>The words <c>--fail-on</c> accepts: one severity, <c>error</c> and <c>kev</c>.</summary>
    public static readonly string[] Words = ["critical", "high", "medium", "low", "info", "error", "kev"];

    /// <summary>For <see cref="CliOptions.ChoiceList{T}"/>: at most one severity.</summary>
    public static (FailOn? Value, string? Problem) Parse(IReadOnlyList<string> words)
    {
        var severities = words.Where(w => w is not ("error" or "kev")).Distinct(StringComparer.Ordinal).ToList();
        if (severities.Count > 1)
            return (null, $"give at most one severity ({string.Join(" or ", severities)}?), e.g. --fail-on high,error");
        Severity? severity = severities.Count == 0 ? null : Enum.Parse<Severity>(severities[0], ignoreCase: true);
        return (new FailOn(severity, words.Contains("error", StringComparer.Ordinal), words.Contains("kev", StringComparer.Ordinal)), null);
    }
}

/// <summary>
/// The exit code of a command that produced an evaluation (<c>scan</c>, <c>sbom</c>): 1 when
/// something reaches <c>--fail-on</c>, else 5 when the input was not completely understood, else 0.
/// Each reason is said on standard error.
/// </summary>
internal static class Gate
{
    /// <summary>The ids of the vulnerabilities listed in CISA's KEV catalog that VEX did not mark not_affected or fixed, sorted.</summary>
    public static IReadOnlyList<string> KnownExploited(Evaluation evaluation) =>
        [.. evaluation.Vulnerabilities.Where(v => v.Kev is not null && v.VexState is not (VexStatus.NotAffected or VexStatus.Fixed))
            .Select(v => v.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static int Exit(Evaluation evaluation, FailOn? failOn)
    {
        var code = ExitCodes.Ok;
        if (failOn?.Severity is { } threshold)
        {
            var over = evaluation.Findings.Count(f => f.Severity >= threshold)
                + evaluation.Vulnerabilities.Count(v => v.Severity >= threshold && v.VexState is not (VexStatus.NotAffected or VexStatus.Fixed));
            if (over > 0)
            {
                Console.Error.WriteLine($"assay: {over} findings or vulnerabilities at or over '{threshold.ToString().ToLowerInvariant()}' (--fail-on)");
                code = ExitCodes.FindingsOverThreshold;
            }
        }
        if (failOn?.Kev == true && KnownExploited(evaluation) is { Count: > 0 } listed)
        {
            Console.Error.WriteLine($"assay: {listed.Count} known exploited vulnerabilities (CISA KEV): {string.Join(", ", listed.Take(10))}{(listed.Count > 10 ? ", ..." : "")} (--fail-on kev)");
            code = ExitCodes.FindingsOverThreshold;
        }
        if (failOn?.Errors == true && evaluation.Errors.Count > 0)
        {
            Console.Error.WriteLine($"assay: {evaluation.Errors.Count} error entries in the evaluation (--fail-on error)");
            code = ExitCodes.FindingsOverThreshold;
        }
        var completeness = evaluation.Completeness;
        if (completeness.Status != CompletenessStatus.Complete)
        {
            var what = completeness.Status == CompletenessStatus.Incomplete ? "incomplete" : "not understood";
            Console.Error.WriteLine($"assay: the input was {what}: {string.Join("; ", completeness.Reasons)}");
            if (code == ExitCodes.Ok)
                code = ExitCodes.Incomplete;
        }
        return code;
    }
}
