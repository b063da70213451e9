using System.Text.Json;
using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// The analyzers' tables in <see cref="Evaluation.Summaries"/>, read through their JSON shape (the
/// documented one), so an evaluation written by an older Assay diffs the same as a fresh one.
/// </summary>
internal static class SummaryTables
{
    /// <summary>One ELF of the <c>hardening</c> table: the properties a diff compares.</summary>
    internal sealed record HardeningRow(string Path, string Type, bool? Pie, bool Nx, bool Wx, string Relro, bool? Canary, string Fortify,
        string? ControlFlow, bool TextRel, IReadOnlyList<string> Rpath, string? BuildId);

    /// <summary>One binary of the <c>unsafe-functions</c> table.</summary>
    internal sealed record UnsafeRow(string Path, IReadOnlyList<string> Functions);

    /// <summary>One requirement of the <c>ts33117</c> table.</summary>
    internal sealed record RequirementRow(string Section, string Title, string Status);

    public static IReadOnlyList<HardeningRow> Hardening(Evaluation e)
    {
        if (Table(e, "hardening") is not { } t || !t.TryGetProperty("binaries", out var rows) || rows.ValueKind != JsonValueKind.Array)
            return [];
        var list = new List<HardeningRow>();
        foreach (var r in rows.EnumerateArray())
        {
            if (Str(r, "path") is not { } path)
                continue;
            list.Add(new HardeningRow(path, Str(r, "type") ?? "", Bool(r, "pie"), Bool(r, "nx") ?? true, Bool(r, "wx") ?? false,
                Str(r, "relro") ?? "none", Bool(r, "canary"), Str(r, "fortify") ?? "unknown", Str(r, "controlFlow"), Bool(r, "textRel") ?? false,
                [.. Strings(r, "rpath"), .. Strings(r, "runpath")], Str(r, "buildId")));
        }
        return list;
    }

    /// <summary>Every binary with unsafe calls; null when the evaluation does not list them all (no table, or one written before the full list, which had only the ten worst).</summary>
    public static IReadOnlyList<UnsafeRow>? Unsafe(Evaluation e)
    {
        if (Table(e, "unsafe-functions") is not { } t || !t.TryGetProperty("binaries", out var rows) || rows.ValueKind != JsonValueKind.Array)
            return null;
        return [.. rows.EnumerateArray().Where(r => Str(r, "path") is not null).Select(r => new UnsafeRow(Str(r, "path")!, Strings(r, "functions")))];
    }

    public static IReadOnlyList<RequirementRow> Requirements(Evaluation e)
    {
        if (Table(e, "ts33117") is not { } t || !t.TryGetProperty("requirements", out var rows) || rows.ValueKind != JsonValueKind.Array)
            return [];
        return [.. rows.EnumerateArray().Where(r => Str(r, "section") is not null)
            .Select(r => new RequirementRow(Str(r, "section")!, Str(r, "title") ?? "", Str(r, "status") ?? ""))];
    }

    /// <summary>Virtual path → GNU build-id, for the ELF files that have one.</summary>
    public static IReadOnlyDictionary<string, string> BuildIds(Evaluation e)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in Hardening(e))
        {
            if (row.BuildId is { Length: > 0 } id)
                ids.TryAdd(row.Path, id);
        }
        return ids;
    }

    private static JsonElement? Table(Evaluation e, string id)
    {
        var sections = JsonSerializer.SerializeToElement(e.Summaries, HistoryJson.Compact.TypeInfo<EvaluationSummaries>());
        if (sections.ValueKind != JsonValueKind.Object || !sections.TryGetProperty(id, out var element))
            return null;
        return element.ValueKind == JsonValueKind.Object ? element : null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static IReadOnlyList<string> Strings(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];
}
