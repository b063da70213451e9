using System.Text.Json;
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
        if (evaluation.Summaries.Ts33117 is not { } summary)
            return [];
        var json = JsonSerializer.SerializeToElement(summary, AssayJson.Options);
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("requirements", out var rows) || rows.ValueKind != JsonValueKind.Array)
            return [];
        var list = new List<RequirementRow>();
        foreach (var row in rows.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object)
                continue;
            var failed = row.TryGetProperty("failedRules", out var fr) && fr.ValueKind == JsonValueKind.Array
                ? [.. fr.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
                : new List<string>();
            list.Add(new RequirementRow(Text(row, "section"), Text(row, "title"), Text(row, "status"), Number(row, "checks"), failed, (int)Number(row, "findings")));
        }
        return list;
    }

    private static string Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static long Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;
}
