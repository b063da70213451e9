using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Assay.History.Diff;
using Assay.Reports;

namespace Assay.History.Reports;

/// <summary>
/// SARIF 2.1.0 of a release diff: every finding of both releases as a result with its
/// <c>baselineState</c> (SARIF §3.27.24): <c>new</c>, <c>unchanged</c>, <c>updated</c> (same
/// fingerprint, other severity) or <c>absent</c> (fixed: the old release's finding). Code-scanning
/// tools show the diff natively. Locations are in-tree paths, stable across releases, relative to
/// the <c>DELIVERY</c> base; <c>partialFingerprints</c> carry the finding fingerprint as the scan's
/// SARIF does.
/// </summary>
public sealed class DiffSarifWriter : IDiffReportWriter
{
    private const string BaseId = "DELIVERY";

    public string Id => "sarif";
    public string Description => "SARIF 2.1.0 with baselineState (new, unchanged, updated, absent) for code-scanning tools";
    public string FileExtension => ".sarif";

    public void Write(ReleaseDiffResult diff, Stream output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var results = new List<(Finding Finding, string Path, string State)>();
        results.AddRange(diff.Findings.New.Select(f => (f.Finding, f.Path, "new")));
        results.AddRange(diff.Findings.Updated.Select(f => (f.Finding, f.Path, "updated")));
        results.AddRange(diff.Findings.Fixed.Select(f => (f.Finding, f.Path, "absent")));
        results.AddRange(diff.Findings.UnchangedFindings.Select(f => (f.Finding, f.Path, "unchanged")));
        var ordered = results.OrderBy(r => r.Finding.RuleId, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal)
            .ThenBy(r => r.Finding.Line ?? 0).ThenBy(r => r.Finding.Fingerprint, StringComparer.Ordinal).ToList();

        var rules = ordered.GroupBy(r => r.Finding.RuleId, StringComparer.Ordinal).Select(g => Rule(g.Key, [.. g.Select(r => r.Finding)])).ToList();
        var ruleIndex = rules.Select((r, i) => ((string)r["id"]!, i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);
        var run = new JsonObject
        {
            ["tool"] = new JsonObject
            {
                ["driver"] = new JsonObject
                {
                    ["name"] = "Assay",
                    ["fullName"] = $"Assay {diff.New.ToolVersion} release diff",
                    ["version"] = diff.New.ToolVersion,
                    ["informationUri"] = "https://assay.dev/",
                    ["rules"] = new JsonArray([.. rules]),
                },
            },
            ["originalUriBaseIds"] = new JsonObject
            {
                [BaseId] = new JsonObject { ["description"] = new JsonObject { ["text"] = $"The unpacked delivery ({Path.GetFileName(diff.New.Path)}, compared with {Path.GetFileName(diff.Old.Path)}); container boundaries written '!/'." } },
            },
            ["results"] = new JsonArray([.. ordered.Select(r => Result(r.Finding, r.Path, r.State, ruleIndex[r.Finding.RuleId]))]),
            ["columnKind"] = "unicodeCodePoints",
            ["properties"] = new JsonObject
            {
                ["old"] = new JsonObject { ["path"] = diff.Old.Path, ["sha256"] = diff.Old.Sha256 },
                ["new"] = new JsonObject { ["path"] = diff.New.Path, ["sha256"] = diff.New.Sha256 },
            },
        };
        var log = new JsonObject
        {
            ["$schema"] = SarifReportWriter.SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(run),
        };
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = AssayJson.Options.Encoder });
        log.WriteTo(writer);
        writer.Flush();
        output.WriteByte((byte)'\n');
    }

    private static JsonObject Rule(string id, IReadOnlyList<Finding> findings)
    {
        var first = findings[0];
        var worst = findings.Max(f => f.Severity);
        var references = findings.SelectMany(f => f.References ?? []).Where(r => r is not null).Distinct().Order(StringComparer.Ordinal).ToList();
        var tags = new JsonArray("security", first.Category);
        foreach (var cwe in references.Where(r => r.StartsWith("CWE-", StringComparison.Ordinal)))
            tags.Add((JsonNode)JsonValue.Create("external/cwe/" + cwe.ToLowerInvariant())!);
        return new JsonObject
        {
            ["id"] = id,
            ["shortDescription"] = new JsonObject { ["text"] = first.Title },
            ["help"] = new JsonObject { ["text"] = first.Remediation ?? first.Title },
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(worst) },
            ["properties"] = new JsonObject
            {
                ["tags"] = tags,
                ["references"] = new JsonArray([.. references.Select(r => (JsonNode)JsonValue.Create(r)!)]),
            },
        };
    }

    private static JsonObject Result(Finding f, string inTreePath, string state, int ruleIndex)
    {
        var physical = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = SarifReportWriter.ToRelativeUri(inTreePath), ["uriBaseId"] = BaseId } };
        if (f.Line is >= 1)
            physical["region"] = new JsonObject { ["startLine"] = f.Line.Value };
        return new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["ruleIndex"] = ruleIndex,
            ["level"] = Level(f.Severity),
            ["message"] = new JsonObject { ["text"] = f.Evidence is null ? f.Title : $"{f.Title}: {f.Evidence}" },
            ["locations"] = new JsonArray(new JsonObject { ["physicalLocation"] = physical }),
            ["partialFingerprints"] = new JsonObject { [SarifReportWriter.PartialFingerprintKey] = f.Fingerprint },
            ["baselineState"] = state,
            ["properties"] = new JsonObject { ["severity"] = f.Severity.ToString().ToLowerInvariant(), ["category"] = f.Category },
        };
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };
}
