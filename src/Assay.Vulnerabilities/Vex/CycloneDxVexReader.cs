using System.Text.Json;

namespace Assay.Vulnerabilities.Vex;

/// <summary>
/// Reads CycloneDX VEX (CycloneDX 1.4 .. 1.6 <c>vulnerabilities[]</c>, https://cyclonedx.org/capabilities/vex/):
/// <c>id</c>, <c>references[].id</c> as aliases, <c>analysis.state</c>/<c>justification</c>/<c>detail</c>,
/// <c>affects[].ref</c> resolved through the document's <c>components[]</c> (<c>bom-ref</c> to purl, cpe,
/// name@version); an unresolved ref (e.g. <c>urn:cdx:…#ref</c> into another BOM) is kept as given.
/// States map to OpenVEX: <c>not_affected</c>/<c>false_positive</c> → not_affected,
/// <c>resolved</c>/<c>resolved_with_pedigree</c> → fixed, <c>exploitable</c> → affected,
/// <c>in_triage</c> → under_investigation.
/// </summary>
internal static class CycloneDxVexReader
{
    public static bool IsCycloneDx(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && OpenVexReader.Str(root, "bomFormat") == "CycloneDX";

    public static IReadOnlyList<VexStatement> Read(JsonElement root, string path)
    {
        var refs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (root.TryGetProperty("components", out var components) && components.ValueKind == JsonValueKind.Array)
            Collect(components, refs, 0);
        var documentTime = root.TryGetProperty("metadata", out var meta) ? OpenVexReader.Time(meta, "timestamp") : null;
        var statements = new List<VexStatement>();
        if (!root.TryGetProperty("vulnerabilities", out var list) || list.ValueKind != JsonValueKind.Array)
            return statements;
        var index = 0;
        foreach (var v in list.EnumerateArray())
        {
            var where = $"{path}: vulnerabilities[{index++}]";
            var id = OpenVexReader.Str(v, "id") ?? throw new InvalidDataException($"{where} has no 'id'");
            if (!v.TryGetProperty("analysis", out var analysis) || OpenVexReader.Str(analysis, "state") is not { } state)
                continue;
            var status = state switch
            {
                "not_affected" or "false_positive" => VexStatus.NotAffected,
                "resolved" or "resolved_with_pedigree" => VexStatus.Fixed,
                "exploitable" => VexStatus.Affected,
                "in_triage" => VexStatus.UnderInvestigation,
                _ => throw new InvalidDataException($"{where} analysis.state '{state}' is not a CycloneDX impact analysis state (resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected)"),
            };
            var aliases = new List<string>();
            if (v.TryGetProperty("references", out var references) && references.ValueKind == JsonValueKind.Array)
                aliases.AddRange(references.EnumerateArray().Select(r => OpenVexReader.Str(r, "id")).OfType<string>());
            var products = new List<string>();
            if (v.TryGetProperty("affects", out var affects) && affects.ValueKind == JsonValueKind.Array)
                foreach (var a in affects.EnumerateArray())
                    if (OpenVexReader.Str(a, "ref") is { } r)
                        products.AddRange(refs.TryGetValue(r, out var ids) ? ids : [r]);
            var justification = OpenVexReader.Str(analysis, "justification") ?? OpenVexReader.Str(analysis, "detail");
            var time = OpenVexReader.Time(analysis, "lastUpdated") ?? OpenVexReader.Time(v, "updated") ?? documentTime;
            statements.Add(new VexStatement(id, aliases, products, status, justification, time));
        }
        return statements;
    }

    private static void Collect(JsonElement components, Dictionary<string, List<string>> refs, int depth)
    {
        if (depth > 32)
            return;
        foreach (var c in components.EnumerateArray())
        {
            var ids = new List<string>();
            foreach (var name in new[] { "purl", "cpe" })
                if (OpenVexReader.Str(c, name) is { } value)
                    ids.Add(value);
            if (OpenVexReader.Str(c, "name") is { } n)
                ids.Add(OpenVexReader.Str(c, "version") is { } ver ? $"{n}@{ver}" : n);
            if (OpenVexReader.Str(c, "bom-ref") is { } bomRef)
                refs[bomRef] = ids;
            if (c.TryGetProperty("components", out var nested) && nested.ValueKind == JsonValueKind.Array)
                Collect(nested, refs, depth + 1);
        }
    }
}
