using System.Text.Json;
using Assay.Core.Model;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Reads OSV records (https://ossf.github.io/osv-schema/, schema 1.x): <c>id</c>, <c>modified</c>,
/// <c>published</c>, <c>withdrawn</c>, <c>aliases</c>, <c>summary</c>/<c>details</c>,
/// <c>severity[]</c> (CVSS_V3 vectors are scored here, CVSS_V4 kept as vector),
/// <c>affected[].package</c>, <c>affected[].ranges[]</c> (SEMVER and ECOSYSTEM events
/// <c>introduced</c>/<c>fixed</c>/<c>last_affected</c>) and <c>affected[].versions</c>.
/// Limitations: GIT ranges are skipped (commit hashes cannot be compared with a version);
/// <c>limit</c> events are ignored; events are paired in the order given, as the schema asks
/// producers to write them.
/// </summary>
internal static class OsvImporter
{
    public const string SourceName = "osv";

    /// <summary>Upper bound on affected ranges and listed versions in one record.</summary>
    public const int MaxRows = 100_000;

    /// <summary>True when the object looks like an OSV record (OSV has <c>modified</c>, NVD 2.0 has <c>lastModified</c>).</summary>
    public static bool IsRecord(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out _) && e.TryGetProperty("modified", out _);

    public static FeedRecord Parse(JsonElement osv)
    {
        var id = JsonFields.RequiredString(osv, "id", JsonFields.MaxIdLength);
        var modified = JsonFields.OptionalTime(osv, "modified") ?? throw new FeedFormatException("required field 'modified' is missing");
        var aliases = JsonFields.Array(osv, "aliases").Select(a => a.ValueKind == JsonValueKind.String ? a.GetString()! : throw new FeedFormatException("aliases holds a non-string"))
            .Where(a => a.Length <= JsonFields.MaxIdLength).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        double? v3Score = null, v4Score = null;
        string? v3Vector = null, v4Vector = null;
        foreach (var s in JsonFields.Array(osv, "severity"))
        {
            var type = JsonFields.OptionalString(s, "type", 32);
            var score = JsonFields.OptionalString(s, "score", 512);
            if (score is null) continue;
            if (type == "CVSS_V3" && v3Vector is null)
            {
                v3Vector = score;
                v3Score = CvssV3.BaseScore(score);
            }
            else if (type == "CVSS_V4" && v4Vector is null)
            {
                v4Vector = score;
            }
        }
        var databaseSpecific = JsonFields.Object(osv, "database_specific");
        var severity = v3Score is not null ? NvdImporter.SeverityFromScore(v3Score)
            : databaseSpecific is { } ds && JsonFields.OptionalString(ds, "severity", 32) is { } text ? SafeSeverity(text)
            : Severity.None;
        var cwes = databaseSpecific is { } d2
            ? JsonFields.Array(d2, "cwe_ids").Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).Where(c => c.StartsWith("CWE-", StringComparison.Ordinal) && c.Length < 32).Distinct().Order(StringComparer.Ordinal).ToList()
            : [];

        var description = JsonFields.TruncatedString(osv, "summary", JsonFields.MaxDescriptionLength)
            ?? JsonFields.TruncatedString(osv, "details", JsonFields.MaxDescriptionLength);

        return new FeedRecord
        {
            Id = id,
            Source = SourceName,
            Published = JsonFields.OptionalTime(osv, "published"),
            LastModified = modified,
            Withdrawn = JsonFields.OptionalTime(osv, "withdrawn") is not null,
            Severity = severity,
            CvssV31Score = v3Score,
            CvssV31Vector = v3Vector,
            CvssV40Score = v4Score,
            CvssV40Vector = v4Vector,
            Cwes = cwes,
            Aliases = aliases,
            Description = description,
            OsvRanges = ParseAffected(osv),
        };
    }

    private static Severity SafeSeverity(string text)
    {
        try { return NvdImporter.ParseSeverity(text); }
        catch (FeedFormatException) { return Severity.None; }
    }

    private static List<OsvRangeRow> ParseAffected(JsonElement osv)
    {
        var rows = new List<OsvRangeRow>();
        var index = 0;
        foreach (var affected in JsonFields.Array(osv, "affected"))
        {
            var package = JsonFields.Object(affected, "package") ?? throw new FeedFormatException($"affected[{index}] has no package");
            var ecosystem = JsonFields.RequiredString(package, "ecosystem", 128);
            var name = JsonFields.RequiredString(package, "name", 512);
            foreach (var range in JsonFields.Array(affected, "ranges"))
            {
                var kind = JsonFields.RequiredString(range, "type", 32);
                if (kind is not ("SEMVER" or "ECOSYSTEM"))
                    continue;
                string? introduced = null;
                var open = false;
                foreach (var ev in JsonFields.Array(range, "events"))
                {
                    if (JsonFields.OptionalString(ev, "introduced", JsonFields.MaxVersionLength) is { } intro)
                    {
                        if (open) Add(new OsvRangeRow(ecosystem, name, kind, introduced, null, null, []));
                        introduced = intro == "0" ? null : intro;
                        open = true;
                    }
                    else if (JsonFields.OptionalString(ev, "fixed", JsonFields.MaxVersionLength) is { } fixedAt)
                    {
                        if (open) Add(new OsvRangeRow(ecosystem, name, kind, introduced, fixedAt, null, []));
                        open = false;
                    }
                    else if (JsonFields.OptionalString(ev, "last_affected", JsonFields.MaxVersionLength) is { } last)
                    {
                        if (open) Add(new OsvRangeRow(ecosystem, name, kind, introduced, null, last, []));
                        open = false;
                    }
                }
                if (open)
                    Add(new OsvRangeRow(ecosystem, name, kind, introduced, null, null, []));
            }
            var versions = JsonFields.Array(affected, "versions")
                .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new FeedFormatException($"affected[{index}].versions holds a non-string"))
                .Where(v => v.Length <= JsonFields.MaxVersionLength).ToList();
            if (versions.Count > MaxRows)
                throw new FeedFormatException($"affected[{index}].versions lists {versions.Count} versions, more than {MaxRows}");
            if (versions.Count > 0)
                Add(new OsvRangeRow(ecosystem, name, "VERSIONS", null, null, null, versions));
            index++;
        }
        return rows;

        void Add(OsvRangeRow row)
        {
            if (rows.Count >= MaxRows)
                throw new FeedFormatException($"more than {MaxRows} affected ranges; the record is not plausible");
            rows.Add(row);
        }
    }
}
