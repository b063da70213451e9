namespace Assay.Core.Model;

/// <summary>
/// Puts back the initializers of members a read document left out. System.Text.Json's generated
/// metadata (the only kind Native AOT has) sets every init-only property the JSON does not name to
/// null or zero instead of its C# initializer (dotnet/runtime#84484): an evaluation without
/// <c>chunks</c> would read as one whose chunk list is null, where reflection-made metadata read it
/// as an empty list. Every reader of a stored evaluation calls <see cref="Restore(Evaluation)"/>.
/// </summary>
/// <remarks>
/// Limitation: a left-out number or enum with a non-zero initializer (a component's
/// <c>confidence</c>, 1.0; an error's <c>category</c>) cannot be told from a written zero, and
/// stays zero. Assay writes every such member, so only hand-made documents differ.
/// </remarks>
public static class ModelDefaults
{
    /// <summary>The evaluation with every left-out list, map and string of it and its records set to its initializer.</summary>
    public static Evaluation Restore(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation with
        {
            Schema = evaluation.Schema ?? Evaluation.SchemaId,
            Limits = evaluation.Limits ?? new SortedDictionary<string, long>(),
            Files = evaluation.Files ?? [],
            Chunks = evaluation.Chunks ?? [],
            Components = Each(evaluation.Components, Restore),
            Findings = Each(evaluation.Findings, Restore),
            Vulnerabilities = Each(evaluation.Vulnerabilities, Restore),
            PlatformConditional = Each(evaluation.PlatformConditional, Restore),
            Errors = evaluation.Errors ?? [],
            RuleChecks = evaluation.RuleChecks ?? new SortedDictionary<string, long>(StringComparer.Ordinal),
            Summaries = evaluation.Summaries ?? EvaluationSummaries.None,
        };
    }

    private static Component Restore(Component c) =>
        c is null ? c! : c with
        {
            Type = c.Type ?? "binary",
            Licenses = c.Licenses ?? [],
            DependsOn = c.DependsOn ?? [],
            Files = c.Files ?? [],
            Evidence = c.Evidence ?? [],
        };

    private static Finding Restore(Finding f) =>
        f is null ? f! : f with { References = f.References ?? [], Requirements = f.Requirements ?? [] };

    private static Vulnerability Restore(Vulnerability v) =>
        v is null ? v! : v with { Cwes = v.Cwes ?? [] };

    /// <summary>An absent list as empty; a present one with each entry restored (null entries kept for the readers' checks).</summary>
    private static IReadOnlyList<T> Each<T>(IReadOnlyList<T>? list, Func<T, T> restore) where T : class =>
        list is null ? [] : [.. list.Select(restore)];
}
