using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>
/// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format, errata 01) of the evaluation's
/// findings: one run, the rules that fired (with help and their TS 33.117 and CWE references),
/// one result per finding located by its virtual path as a relative artifact URI, and scan errors
/// as tool execution notifications. The TS 33.117 requirement table, when the evaluation has one,
/// goes into the run's property bag.
/// <para>
/// Known vulnerabilities are results too, so a CI gate that fails on CVEs and the SARIF it uploads
/// agree: one rule per advisory id (CVE, OSV), one result per (advisory, component, location),
/// located at the component's file, ordered by exploitation (CISA KEV, then EPSS, then severity;
/// see <see cref="VulnerabilityOrder"/>). The rule's <c>security-severity</c> is the CVSS base
/// score (v3.1, else v4.0, else the severity's midpoint); KEV listing, EPSS and CVSS vectors go
/// into the result's property bag; a VEX state of not_affected or fixed becomes an accepted
/// external suppression with its justification.
/// </para>
/// </summary>
/// <remarks>
/// Virtual paths become relative URI references (RFC 3986 §4.2): the container separator <c>!/</c>
/// stays (<c>!</c> is a sub-delimiter), every other character outside the unreserved and
/// sub-delimiter sets is percent-encoded as UTF-8, and a first segment holding <c>:</c> is prefixed
/// with <c>./</c> so it cannot read as a scheme. They resolve against the <c>IMAGE</c> base id, the
/// folder of the scanned input.
/// </remarks>
public sealed class SarifReportWriter : IReportWriter
{
    public const string SchemaUri = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    private const string BaseId = "IMAGE";

    /// <summary>
    /// The <c>partialFingerprints</c> key (SARIF §3.27.17: a versioned name) of
    /// <see cref="Finding.Fingerprint"/>. v1 hashed the line and the full virtual path and changed
    /// whenever a line moved or a container was renamed; v2 is the stable fingerprint.
    /// </summary>
    public const string PartialFingerprintKey = "assayFinding/v2";

    public string Id => "sarif";
    public string Description => "SARIF 2.1.0 findings (code scanning, IDEs), with TS 33.117 references";
    public string FileExtension => ".sarif";

    public void Write(Evaluation evaluation, Stream output)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        evaluation = FindingFingerprints.Assign(evaluation);
        var findings = evaluation.Findings
            .OrderBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal)
            .ThenBy(f => f.Line ?? 0).ThenBy(f => f.Offset ?? 0).ThenBy(f => f.Evidence, StringComparer.Ordinal).ToList();
        var rules = findings.GroupBy(f => f.RuleId, StringComparer.Ordinal).Select(Rule).ToList();
        var vulnerabilities = VulnerabilityOrder.ByExploitation(evaluation.Vulnerabilities);
        // An advisory id that is also a finding rule id cannot happen (ASSAY-* vs CVE-*/GHSA-*/...), but stay safe.
        var findingRules = rules.Select(r => (string)r["id"]!).ToHashSet(StringComparer.Ordinal);
        rules.AddRange(vulnerabilities.GroupBy(v => v.Id, StringComparer.Ordinal).Where(g => !findingRules.Contains(g.Key)).Select(VulnerabilityRule));
        var ruleIndex = rules.Select((r, i) => (Id: (string)r["id"]!, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        var driver = new JsonObject
        {
            ["name"] = "Assay",
            ["fullName"] = $"{evaluation.Tool.Name} {evaluation.Tool.Version}",
            ["version"] = evaluation.Tool.Version,
            ["informationUri"] = "https://assay.dev/",
            ["rules"] = new JsonArray([.. rules]),
        };
        var run = new JsonObject
        {
            ["tool"] = new JsonObject { ["driver"] = driver },
            ["invocations"] = new JsonArray(Invocation(evaluation)),
            ["originalUriBaseIds"] = new JsonObject
            {
                [BaseId] = new JsonObject { ["description"] = new JsonObject { ["text"] = $"The folder of the scanned input {Path.GetFileName(evaluation.Input.Path)}; paths inside containers follow '!/'." } },
            },
            ["results"] = new JsonArray([
                .. findings.Select(f => Result(f, ruleIndex[f.RuleId])),
                .. vulnerabilities.Select(v => VulnerabilityResult(v, ruleIndex[v.Id]))]),
            ["columnKind"] = "unicodeCodePoints",
        };
        if (evaluation.Summaries.Ts33117 is { } table)
            run["properties"] = new JsonObject { ["ts33117"] = JsonSerializer.SerializeToNode(table, ModelJson.TypeInfo<Ts33117Summary>(AssayJson.Compact)) };
        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(run),
        };
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = AssayJson.Options.Encoder });
        log.WriteTo(writer);
        writer.Flush();
        output.WriteByte((byte)'\n');
    }

    private static JsonObject Rule(IGrouping<string, Finding> group)
    {
        var first = group.First();
        // Titles may name the instance ("Cleartext service telnetd ..."); the rule takes the most frequent one.
        var title = group.GroupBy(f => f.Title, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var requirements = group.SelectMany(f => f.Requirements).Distinct().Order(StringComparer.Ordinal).ToList();
        var references = group.SelectMany(f => f.References).Distinct().Order(StringComparer.Ordinal).ToList();
        var worst = group.Max(f => f.Severity);
        var help = new StringBuilder(first.Remediation ?? title);
        if (requirements.Count > 0)
            help.Append(" (TS 33.117 ").Append(string.Join(", ", requirements.Select(r => "§" + r))).Append(')');
        var tags = new JsonArray("security", first.Category);
        foreach (var cwe in references.Where(r => r.StartsWith("CWE-", StringComparison.Ordinal)))
            tags.Add((JsonNode)("external/cwe/" + cwe.ToLowerInvariant()));
        return new JsonObject
        {
            ["id"] = group.Key,
            ["name"] = Name(group.Key),
            ["shortDescription"] = new JsonObject { ["text"] = title },
            ["fullDescription"] = new JsonObject { ["text"] = title + (first.Remediation is null ? "" : ". Remediation: " + first.Remediation) },
            ["help"] = new JsonObject { ["text"] = help.ToString() },
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(worst) },
            ["properties"] = new JsonObject
            {
                ["tags"] = tags,
                ["category"] = first.Category,
                ["security-severity"] = SecuritySeverity(worst),
                ["ts33117"] = new JsonArray([.. requirements.Select(r => (JsonNode)JsonValue.Create(r)!)]),
                ["references"] = new JsonArray([.. references.Select(r => (JsonNode)JsonValue.Create(r)!)]),
            },
        };
    }

    private static JsonObject Result(Finding f, int ruleIndex)
    {
        var region = new JsonObject();
        if (f.Line is >= 1)
            region["startLine"] = f.Line.Value;
        if (f.Offset is >= 0)
            region["byteOffset"] = f.Offset.Value;
        var physical = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = ToRelativeUri(f.Path), ["uriBaseId"] = BaseId } };
        if (region.Count > 0)
            physical["region"] = region;
        var properties = new JsonObject
        {
            ["severity"] = f.Severity.ToString().ToLowerInvariant(),
            ["category"] = f.Category,
        };
        if (f.SecretFingerprint is not null)
            properties["secretFingerprint"] = f.SecretFingerprint;
        if (f.Requirements.Count > 0)
            properties["ts33117"] = new JsonArray([.. f.Requirements.Select(r => (JsonNode)JsonValue.Create(r)!)]);
        return new JsonObject
        {
            ["ruleId"] = f.RuleId,
            ["ruleIndex"] = ruleIndex,
            ["level"] = Level(f.Severity),
            ["message"] = new JsonObject { ["text"] = f.Evidence is null ? f.Title : $"{f.Title}: {f.Evidence}" },
            ["locations"] = new JsonArray(new JsonObject { ["physicalLocation"] = physical }),
            ["partialFingerprints"] = new JsonObject { [PartialFingerprintKey] = f.Fingerprint },
            ["properties"] = properties,
        };
    }

    private static JsonObject VulnerabilityRule(IGrouping<string, Vulnerability> group)
    {
        var first = group.First();
        var worst = group.Max(v => v.Severity);
        var score = group.Select(v => v.CvssV31Score ?? v.CvssV40Score).FirstOrDefault(s => s is not null);
        var tags = new JsonArray("security", "vulnerability");
        foreach (var cwe in group.SelectMany(v => v.Cwes).Distinct().Order(StringComparer.Ordinal))
            tags.Add((JsonNode)("external/cwe/" + cwe.ToLowerInvariant()));
        if (first.Kev is not null)
            tags.Add((JsonNode)"known-exploited");
        var title = first.Kev?.Name ?? $"{first.Id} in {first.Component}";
        var description = first.Description ?? title;
        var help = new StringBuilder(description);
        if (first.Kev is { } kev)
            help.Append(CultureInfo.InvariantCulture, $" Listed in CISA's Known Exploited Vulnerabilities catalog on {kev.DateAdded:yyyy-MM-dd}").Append(kev.RequiredAction is { Length: > 0 } action ? $"; required action: {action}" : ".");
        var rule = new JsonObject
        {
            ["id"] = group.Key,
            ["name"] = Name("X-" + group.Key),
            ["shortDescription"] = new JsonObject { ["text"] = title },
            ["fullDescription"] = new JsonObject { ["text"] = description },
            ["help"] = new JsonObject { ["text"] = help.ToString() },
            ["defaultConfiguration"] = new JsonObject { ["level"] = Level(worst) },
            ["properties"] = new JsonObject
            {
                ["tags"] = tags,
                ["category"] = "vulnerability",
                ["security-severity"] = score is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : SecuritySeverity(worst),
            },
        };
        if (AdvisoryUri(group.Key) is { } uri)
            rule["helpUri"] = uri;
        return rule;
    }

    /// <summary>The public page of an advisory id: NVD for CVEs, OSV for the rest.</summary>
    private static string? AdvisoryUri(string id) =>
        id.StartsWith("CVE-", StringComparison.Ordinal) ? "https://nvd.nist.gov/vuln/detail/" + Uri.EscapeDataString(id)
        : id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':') ? "https://osv.dev/vulnerability/" + Uri.EscapeDataString(id)
        : null;

    private static JsonObject VulnerabilityResult(Vulnerability v, int ruleIndex)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder().Append(inv, $"{v.Component} {v.Version} is affected by {v.Id} ({v.Severity.ToString().ToLowerInvariant()}");
        if ((v.CvssV31Score ?? v.CvssV40Score) is { } cvss)
            text.Append(inv, $", CVSS {cvss:0.0}");
        text.Append(')');
        if (v.Kev is { } kev)
            text.Append(inv, $"; known exploited (CISA KEV, added {kev.DateAdded:yyyy-MM-dd}{(kev.DueDate is { } due ? $", due {due:yyyy-MM-dd}" : "")}{(kev.KnownRansomwareUse ? ", used by ransomware" : "")})");
        if (v.Epss is not null)
            text.Append("; EPSS ").Append(VulnerabilityOrder.EpssLabel(v));
        if (v.MayBeBackported)
            text.Append("; a distribution package: the fix may have been back-ported");
        var properties = new JsonObject
        {
            ["severity"] = v.Severity.ToString().ToLowerInvariant(),
            ["category"] = "vulnerability",
            ["component"] = v.Component,
            ["version"] = v.Version,
            ["confidence"] = v.Confidence,
        };
        if (v.CvssV31Score is { } s31) properties["cvssV31Score"] = s31;
        if (v.CvssV31Vector is { } v31) properties["cvssV31Vector"] = v31;
        if (v.CvssV40Score is { } s40) properties["cvssV40Score"] = s40;
        if (v.CvssV40Vector is { } v40) properties["cvssV40Vector"] = v40;
        if (v.MatchedBy is { } why) properties["matchedBy"] = why;
        if (v.Kev is { } k)
        {
            var kevProperties = new JsonObject { ["dateAdded"] = k.DateAdded.ToString("yyyy-MM-dd", inv), ["knownRansomwareUse"] = k.KnownRansomwareUse };
            if (k.DueDate is { } due)
                kevProperties["dueDate"] = due.ToString("yyyy-MM-dd", inv);
            properties["kev"] = kevProperties;
        }
        if (v.Epss is { } e)
        {
            var epssProperties = new JsonObject { ["score"] = e.Score, ["percentile"] = e.Percentile };
            if (e.Date is { } d)
                epssProperties["date"] = d.ToString("yyyy-MM-dd", inv);
            properties["epss"] = epssProperties;
        }
        var result = new JsonObject
        {
            ["ruleId"] = v.Id,
            ["ruleIndex"] = ruleIndex,
            ["kind"] = "fail",
            ["level"] = Level(v.Severity),
            ["message"] = new JsonObject { ["text"] = text.ToString() },
            ["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = ToRelativeUri(v.Location ?? ""), ["uriBaseId"] = BaseId } },
            }),
            ["partialFingerprints"] = new JsonObject
            {
                ["assayVulnerability/v1"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{v.Id}\n{v.Component}\n{v.Version}\n{v.Location}")))[..32],
            },
            ["properties"] = properties,
        };
        if (v.VexState is "not_affected" or "fixed")
            result["suppressions"] = new JsonArray(new JsonObject
            {
                ["kind"] = "external",
                ["status"] = "accepted",
                ["justification"] = $"VEX: {v.VexState}" + (v.VexJustification is { Length: > 0 } j ? $" ({j})" : ""),
            });
        return result;
    }

    private static JsonObject Invocation(Evaluation evaluation)
    {
        var invocation = new JsonObject { ["executionSuccessful"] = true };
        if (evaluation.StartedAt != default)
            invocation["startTimeUtc"] = evaluation.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        if (evaluation.FinishedAt != default)
            invocation["endTimeUtc"] = evaluation.FinishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var notifications = evaluation.Errors
            .OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Handler, StringComparer.Ordinal).ThenBy(e => e.Message, StringComparer.Ordinal)
            .Select(e => (JsonNode)new JsonObject
            {
                ["level"] = e.Category == ErrorCategory.Internal ? "error" : "warning",
                ["message"] = new JsonObject { ["text"] = $"{e.Handler}: {e.Message}" },
                ["locations"] = new JsonArray(new JsonObject
                {
                    ["physicalLocation"] = new JsonObject { ["artifactLocation"] = new JsonObject { ["uri"] = ToRelativeUri(e.Path), ["uriBaseId"] = BaseId } },
                }),
                ["descriptor"] = new JsonObject { ["id"] = e.Handler },
                ["properties"] = new JsonObject { ["category"] = e.Category.ToName() },
            }).ToList();
        if (notifications.Count > 0)
            invocation["toolExecutionNotifications"] = new JsonArray([.. notifications]);
        return invocation;
    }

    /// <summary>A virtual path as an RFC 3986 relative reference (see the class remarks).</summary>
    public static string ToRelativeUri(string virtualPath)
    {
        var sb = new StringBuilder(virtualPath.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(virtualPath.TrimStart('/')))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/".Contains(c, StringComparison.Ordinal)))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        var uri = sb.ToString();
        var firstSegment = uri.Split('/')[0];
        return firstSegment.Contains(':', StringComparison.Ordinal) ? "./" + uri : uri;
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>GitHub code scanning's numeric severity (a string 0.0-10.0): critical ≥ 9, high ≥ 7, medium ≥ 4.</summary>
    private static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "0.0",
    };

    /// <summary><c>ASSAY-ELF-RELRO-NONE</c> → <c>ElfRelroNone</c>.</summary>
    private static string Name(string id) =>
        string.Concat(id.Split('-').Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));

}
