using System.Globalization;
using System.Text.Json;
using Assay.Vulnerabilities.Storage;

namespace Assay.Vulnerabilities.Import;

/// <summary>
/// Reads CISA's Known Exploited Vulnerabilities catalog, JSON form
/// (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json, schema
/// <c>known_exploited_vulnerabilities_schema.json</c> beside it):
/// <code>
/// { "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.08.25",
///   "dateReleased": "2025-08-25T17:04:19.9796Z", "count": 1404,
///   "vulnerabilities": [ { "cveID": "CVE-2014-0160", "vendorProject": "OpenSSL", "product": "OpenSSL",
///       "vulnerabilityName": "...", "dateAdded": "2022-05-04", "shortDescription": "...", "requiredAction": "...",
///       "dueDate": "2022-05-25", "knownRansomwareCampaignUse": "Unknown", "notes": "...", "cwes": [] } ] }
/// </code>
/// The catalog is published whole: an import replaces the stored catalog.
/// Limitations: the CSV form of the catalog is not read (the JSON carries the same fields).
/// </summary>
internal static class KevImporter
{
    public const string SourceName = "kev";

    /// <summary>True when the document root is a KEV catalog (<c>catalogVersion</c> and <c>vulnerabilities</c>).</summary>
    public static bool IsCatalog(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("catalogVersion", out _)
        && root.TryGetProperty("vulnerabilities", out var v) && v.ValueKind == JsonValueKind.Array;

    public static SnapshotHeader Header(JsonElement root) => new(
        SourceName,
        JsonFields.OptionalTime(root, "dateReleased"),
        JsonFields.OptionalString(root, "catalogVersion", 64));

    public static KevRecord Parse(JsonElement e)
    {
        var cve = JsonFields.RequiredString(e, "cveID", JsonFields.MaxIdLength).ToUpperInvariant();
        if (!cve.StartsWith("CVE-", StringComparison.Ordinal))
            throw new FeedFormatException($"cveID '{cve}' is not a CVE id (CVE-YYYY-NNNN)");
        var added = Date(e, "dateAdded") ?? throw new FeedFormatException("required field 'dateAdded' is missing");
        var ransomware = JsonFields.OptionalString(e, "knownRansomwareCampaignUse", 32);
        return new KevRecord(cve, added, Date(e, "dueDate"),
            string.Equals(ransomware, "Known", StringComparison.OrdinalIgnoreCase),
            JsonFields.TruncatedString(e, "vulnerabilityName", 512),
            JsonFields.TruncatedString(e, "requiredAction", 1024));
    }

    private static DateOnly? Date(JsonElement e, string name)
    {
        var s = JsonFields.OptionalString(e, name, 32);
        if (s is null)
            return null;
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        throw new FeedFormatException($"field '{name}' value '{s}' is not a date (YYYY-MM-DD)");
    }
}
