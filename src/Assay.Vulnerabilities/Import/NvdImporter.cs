using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Identifiers;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Reads NVD CVE API 2.0 <c>cve</c> objects (https://nvd.nist.gov/developers/vulnerabilities,
/// schema https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema): <c>id</c>,
/// <c>published</c>, <c>lastModified</c>, <c>vulnStatus</c>, <c>descriptions</c>, <c>metrics</c>
/// (<c>cvssMetricV40/V31/V30/V2</c>), <c>weaknesses</c> and <c>configurations[].nodes[].cpeMatch[]</c>.
/// Unknown fields are ignored. A <c>Rejected</c> record withdraws the CVE.
/// </summary>
internal static class NvdImporter
{
    public const string SourceName = "nvd";

    /// <summary>Upper bound on cpeMatch entries in one record (the largest real records hold a few thousand).</summary>
    public const int MaxCpeMatches = 100_000;

    /// <summary>True when the object looks like an NVD 2.0 <c>cve</c> object.</summary>
    public static bool IsRecord(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out _)
        && (e.TryGetProperty("lastModified", out _)
            || (!e.TryGetProperty("modified", out _) && (e.TryGetProperty("vulnStatus", out _) || e.TryGetProperty("configurations", out _) || e.TryGetProperty("sourceIdentifier", out _))));

    public static FeedRecord Parse(JsonElement cve)
    {
        var id = JsonFields.RequiredString(cve, "id", JsonFields.MaxIdLength);
        if (!id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
            throw new FeedFormatException($"id '{id}' is not a CVE id (CVE-YYYY-NNNN)");
        var lastModified = JsonFields.OptionalTime(cve, "lastModified") ?? throw new FeedFormatException("required field 'lastModified' is missing");
        var status = JsonFields.OptionalString(cve, "vulnStatus", 64);

        string? description = null;
        foreach (var d in JsonFields.Array(cve, "descriptions"))
            if (JsonFields.OptionalString(d, "lang", 16) == "en")
            {
                description = JsonFields.TruncatedString(d, "value", JsonFields.MaxDescriptionLength);
                break;
            }

        var metrics = JsonFields.Object(cve, "metrics");
        var v31 = metrics is { } m ? PickCvss(m, "cvssMetricV31") ?? PickCvss(m, "cvssMetricV30") : null;
        var v40 = metrics is { } m4 ? PickCvss(m4, "cvssMetricV40") : null;
        var v2 = metrics is { } m2 ? PickCvss(m2, "cvssMetricV2") : null;
        var severity = v31?.Severity ?? v40?.Severity ?? v2?.Severity ?? Severity.None;

        var cwes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var w in JsonFields.Array(cve, "weaknesses"))
            foreach (var d in JsonFields.Array(w, "description"))
                if (JsonFields.OptionalString(d, "value", 64) is { } cwe && cwe.StartsWith("CWE-", StringComparison.Ordinal))
                    cwes.Add(cwe);

        return new FeedRecord
        {
            Id = id.ToUpperInvariant(),
            Source = SourceName,
            Published = JsonFields.OptionalTime(cve, "published"),
            LastModified = lastModified,
            Withdrawn = string.Equals(status, "Rejected", StringComparison.OrdinalIgnoreCase),
            Severity = severity,
            CvssV31Score = v31?.Score,
            CvssV31Vector = v31?.Vector,
            CvssV40Score = v40?.Score,
            CvssV40Vector = v40?.Vector,
            Cwes = [.. cwes],
            Description = description,
            CpeMatches = ParseConfigurations(cve),
        };
    }

    private sealed record Cvss(double? Score, string? Vector, Severity Severity);

    /// <summary>The NVD ("Primary") metric of a version when there is one, else the first.</summary>
    private static Cvss? PickCvss(JsonElement metrics, string name)
    {
        JsonElement? chosen = null;
        foreach (var metric in JsonFields.Array(metrics, name))
        {
            chosen ??= metric;
            if (JsonFields.OptionalString(metric, "type", 32) == "Primary")
            {
                chosen = metric;
                break;
            }
        }
        if (chosen is not { } c || JsonFields.Object(c, "cvssData") is not { } data)
            return null;
        var score = JsonFields.OptionalNumber(data, "baseScore");
        var sevText = JsonFields.OptionalString(data, "baseSeverity", 32) ?? JsonFields.OptionalString(c, "baseSeverity", 32);
        var severity = sevText is null ? SeverityFromScore(score) : ParseSeverity(sevText);
        return new Cvss(score, JsonFields.OptionalString(data, "vectorString", 512), severity);
    }

    internal static Severity ParseSeverity(string text) => text.ToUpperInvariant() switch
    {
        "CRITICAL" => Severity.Critical,
        "HIGH" => Severity.High,
        "MEDIUM" or "MODERATE" => Severity.Medium,
        "LOW" => Severity.Low,
        "NONE" => Severity.None,
        _ => throw new FeedFormatException($"severity '{text}' is not one of NONE, LOW, MEDIUM, HIGH, CRITICAL"),
    };

    /// <summary>CVSS v3/v4 qualitative rating scale (CVSS v3.1 specification §5).</summary>
    internal static Severity SeverityFromScore(double? score) => score switch
    {
        null => Severity.None,
        >= 9.0 => Severity.Critical,
        >= 7.0 => Severity.High,
        >= 4.0 => Severity.Medium,
        > 0.0 => Severity.Low,
        _ => Severity.None,
    };

    private static List<CpeMatchRow> ParseConfigurations(JsonElement cve)
    {
        var rows = new List<CpeMatchRow>();
        var configIndex = 0;
        foreach (var config in JsonFields.Array(cve, "configurations"))
        {
            var configAnd = string.Equals(JsonFields.OptionalString(config, "operator", 8), "AND", StringComparison.OrdinalIgnoreCase);
            var nodeIndex = 0;
            foreach (var node in JsonFields.Array(config, "nodes"))
            {
                var negate = JsonFields.OptionalBool(node, "negate", false);
                foreach (var match in JsonFields.Array(node, "cpeMatch"))
                {
                    if (rows.Count >= MaxCpeMatches)
                        throw new FeedFormatException($"more than {MaxCpeMatches} cpeMatch entries; the record is not plausible");
                    var criteria = JsonFields.RequiredString(match, "criteria", Cpe23.MaxLength);
                    var cpe = Cpe23.TryParse(criteria)
                        ?? throw new FeedFormatException($"configurations[{configIndex}].nodes[{nodeIndex}] criteria '{criteria}' is not a CPE 2.3 name");
                    rows.Add(new CpeMatchRow(
                        configIndex, nodeIndex, configAnd, negate,
                        JsonFields.OptionalBool(match, "vulnerable", false),
                        cpe.Part, cpe.Vendor, cpe.Product, cpe.Version, cpe.Update, criteria,
                        JsonFields.OptionalString(match, "versionStartIncluding", JsonFields.MaxVersionLength),
                        JsonFields.OptionalString(match, "versionStartExcluding", JsonFields.MaxVersionLength),
                        JsonFields.OptionalString(match, "versionEndIncluding", JsonFields.MaxVersionLength),
                        JsonFields.OptionalString(match, "versionEndExcluding", JsonFields.MaxVersionLength)));
                }
                nodeIndex++;
            }
            configIndex++;
        }
        return rows;
    }
}
