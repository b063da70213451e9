using System.Text.Json;
using Assay.Core.Model;
using Assay.Core.Identifiers;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Reads NVD JSON 1.1 feed items (<c>CVE_Items[i]</c> of the retired nvdcve-1.1 feeds,
/// schema https://csrc.nist.gov/schema/nvd/feed/1.1/nvd_cve_feed_json_1.1.schema):
/// <c>cve.CVE_data_meta.ID</c>, <c>publishedDate</c>, <c>lastModifiedDate</c>,
/// <c>impact.baseMetricV3/V2</c>, <c>cve.problemtype</c>, <c>cve.description</c> and
/// <c>configurations.nodes[]</c> with <c>cpe_match[].cpe23Uri</c> and <c>children</c>.
/// Each top-level node is one configuration: with children it is their AND/OR, without
/// children it is a single OR node, as in the 2.0 format. The items are stored as source
/// <c>nvd</c>, so a 2.0 record with a newer <c>lastModified</c> replaces them.
/// Limitations: no CVSS v4 (the 1.1 feeds predate it); children nested below the first level are flattened.
/// </summary>
internal static class Nvd11Importer
{
    public static bool IsItem(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && JsonFields.Object(e, "cve") is { } cve && JsonFields.Object(cve, "CVE_data_meta") is not null;

    public static FeedRecord Parse(JsonElement item)
    {
        var cve = JsonFields.Object(item, "cve")!.Value;
        var meta = JsonFields.Object(cve, "CVE_data_meta")!.Value;
        var id = JsonFields.RequiredString(meta, "ID", JsonFields.MaxIdLength);
        if (!id.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
            throw new FeedFormatException($"CVE_data_meta.ID '{id}' is not a CVE id (CVE-YYYY-NNNN)");
        var lastModified = JsonFields.OptionalTime(item, "lastModifiedDate") ?? throw new FeedFormatException("required field 'lastModifiedDate' is missing");

        string? description = null;
        if (JsonFields.Object(cve, "description") is { } d)
            foreach (var text in JsonFields.Array(d, "description_data"))
                if (JsonFields.OptionalString(text, "lang", 16) == "en")
                {
                    description = JsonFields.TruncatedString(text, "value", JsonFields.MaxDescriptionLength);
                    break;
                }
        var rejected = description?.StartsWith("** REJECT **", StringComparison.Ordinal) == true;

        var cwes = new SortedSet<string>(StringComparer.Ordinal);
        if (JsonFields.Object(cve, "problemtype") is { } pt)
            foreach (var data in JsonFields.Array(pt, "problemtype_data"))
                foreach (var desc in JsonFields.Array(data, "description"))
                    if (JsonFields.OptionalString(desc, "value", 64) is { } cwe && cwe.StartsWith("CWE-", StringComparison.Ordinal))
                        cwes.Add(cwe);

        double? score = null;
        string? vector = null;
        var severity = Severity.None;
        if (JsonFields.Object(item, "impact") is { } impact)
        {
            if (JsonFields.Object(impact, "baseMetricV3") is { } v3 && JsonFields.Object(v3, "cvssV3") is { } cvss3)
            {
                score = JsonFields.OptionalNumber(cvss3, "baseScore");
                vector = JsonFields.OptionalString(cvss3, "vectorString", 512);
                severity = JsonFields.OptionalString(cvss3, "baseSeverity", 32) is { } s ? NvdImporter.ParseSeverity(s) : NvdImporter.SeverityFromScore(score);
            }
            else if (JsonFields.Object(impact, "baseMetricV2") is { } v2 && JsonFields.OptionalString(v2, "severity", 32) is { } s2)
            {
                severity = NvdImporter.ParseSeverity(s2);
            }
        }

        return new FeedRecord
        {
            Id = id.ToUpperInvariant(),
            Source = NvdImporter.SourceName,
            Published = JsonFields.OptionalTime(item, "publishedDate"),
            LastModified = lastModified,
            Withdrawn = rejected,
            Severity = severity,
            CvssV31Score = score,
            CvssV31Vector = vector,
            Cwes = [.. cwes],
            Description = description,
            CpeMatches = ParseNodes(item),
        };
    }

    private static List<CpeMatchRow> ParseNodes(JsonElement item)
    {
        var rows = new List<CpeMatchRow>();
        if (JsonFields.Object(item, "configurations") is not { } configurations)
            return rows;
        var configIndex = 0;
        foreach (var top in JsonFields.Array(configurations, "nodes"))
        {
            var children = JsonFields.Array(top, "children").ToList();
            if (children.Count == 0)
            {
                AddNode(rows, top, configIndex, 0, configAnd: false);
            }
            else
            {
                var and = string.Equals(JsonFields.OptionalString(top, "operator", 8), "AND", StringComparison.OrdinalIgnoreCase);
                for (var n = 0; n < children.Count; n++)
                    AddNode(rows, children[n], configIndex, n, and);
            }
            configIndex++;
        }
        return rows;
    }

    private static void AddNode(List<CpeMatchRow> rows, JsonElement node, int config, int index, bool configAnd)
    {
        var negate = JsonFields.OptionalBool(node, "negate", false);
        var matches = JsonFields.Array(node, "cpe_match").Concat(JsonFields.Array(node, "children").SelectMany(c => JsonFields.Array(c, "cpe_match")));
        foreach (var match in matches)
        {
            if (rows.Count >= NvdImporter.MaxCpeMatches)
                throw new FeedFormatException($"more than {NvdImporter.MaxCpeMatches} cpe_match entries; the record is not plausible");
            var uri = JsonFields.RequiredString(match, "cpe23Uri", Cpe23.MaxLength);
            var cpe = Cpe23.TryParse(uri) ?? throw new FeedFormatException($"configurations node {config} cpe23Uri '{uri}' is not a CPE 2.3 name");
            rows.Add(new CpeMatchRow(config, index, configAnd, negate, JsonFields.OptionalBool(match, "vulnerable", false),
                cpe.Part, cpe.Vendor, cpe.Product, cpe.Version, cpe.Update, uri,
                JsonFields.OptionalString(match, "versionStartIncluding", JsonFields.MaxVersionLength),
                JsonFields.OptionalString(match, "versionStartExcluding", JsonFields.MaxVersionLength),
                JsonFields.OptionalString(match, "versionEndIncluding", JsonFields.MaxVersionLength),
                JsonFields.OptionalString(match, "versionEndExcluding", JsonFields.MaxVersionLength)));
        }
    }
}
