namespace Assay.Core.Model;

/// <summary>How much of the input a scan understood; a CI gate needs to tell "clean" from "unreadable".</summary>
public enum CompletenessStatus
{
    /// <summary>Every container Assay recognised was unpacked and every file was inspected.</summary>
    Complete,

    /// <summary>Part of the input could not be unpacked or inspected (malformed data, a limit, an unsupported variant, a failure of Assay).</summary>
    Incomplete,

    /// <summary>Nothing in the input was recognised: it is empty, or data in no format Assay knows.</summary>
    NotUnderstood,
}

/// <summary>The verdict on an evaluation's coverage and the reasons for it, as shown in every report.</summary>
public sealed record Completeness(CompletenessStatus Status, IReadOnlyList<string> Reasons)
{
    /// <summary>
    /// Error categories that leave part of the input unread: <c>malformed</c>, <c>limit</c>,
    /// <c>unsupported</c> and <c>internal</c>. <c>unsafe</c> (an entry name that tried to leave its
    /// container, listed under a safe name) and <c>io</c> (a file --extract could not write) are
    /// reported but do not make the evaluation incomplete; <c>--fail-on error</c> gates on them too.
    /// </summary>
    public static readonly IReadOnlySet<ErrorCategory> IncompleteCategories =
        new HashSet<ErrorCategory>([ErrorCategory.Malformed, ErrorCategory.Limit, ErrorCategory.Unsupported, ErrorCategory.Internal]);

    /// <summary>Judges an evaluation from its files, chunks and errors.</summary>
    public static Completeness Assess(Evaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var root = evaluation.Files.FirstOrDefault(f => !f.Path.Contains("!/", StringComparison.Ordinal));
        if (root is not null && root.Format is null && !evaluation.Chunks.Any(c => c.Format is not ("unknown" or "padding")))
        {
            if (evaluation.Input.Size == 0 || root.Type?.Class == "empty")
                return new(CompletenessStatus.NotUnderstood, ["the input is empty (0 bytes)"]);
            if (root.Type?.Class is "data" or "unknown" or null)
            {
                var region = evaluation.Chunks.Where(c => c.Format == "unknown" && c.Entropy is not null).MaxBy(c => c.Length);
                var why = region?.Entropy is >= 7.5
                    ? $" (entropy {region.Entropy:0.00} bits/byte: encrypted, or compressed in a format Assay does not know)"
                    : "";
                return new(CompletenessStatus.NotUnderstood, [$"no known format was found in the {evaluation.Input.Size:N0} bytes of the input{why}"]);
            }
        }
        var broken = evaluation.Errors.Where(e => IncompleteCategories.Contains(e.Category)).ToList();
        if (broken.Count == 0)
            return new(CompletenessStatus.Complete, []);
        var reasons = broken.GroupBy(e => e.Category)
            .OrderBy(g => g.Key.ToName(), StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {Describe(g.Key)} in {g.Select(e => e.Path).Distinct(StringComparer.Ordinal).Count()} place(s)")
            .ToList();
        return new(CompletenessStatus.Incomplete, reasons);
    }

    private static string Describe(ErrorCategory category) => category switch
    {
        ErrorCategory.Malformed => "malformed or truncated part(s)",
        ErrorCategory.Limit => "limit(s) reached",
        ErrorCategory.Unsupported => "unsupported variant(s)",
        ErrorCategory.Internal => "failure(s) of Assay",
        _ => category.ToName(),
    };

    /// <summary>The status as the JSON writes it (<c>complete</c>, <c>incomplete</c>, <c>not_understood</c>), for reports that label by it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Name => Status switch
    {
        CompletenessStatus.Complete => "complete",
        CompletenessStatus.Incomplete => "incomplete",
        _ => "not_understood",
    };
}
