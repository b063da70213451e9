using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>
/// CycloneDX 1.6 JSON SBOM (https://cyclonedx.org/docs/1.6/json/), validated against the
/// official <c>bom-1.6.schema.json</c> in the tests.
/// <para>
/// Layout: <c>metadata.component</c> is the delivered image (type firmware, its SHA-256);
/// <c>components</c> holds one <c>file</c> component per regular file of the unpacked tree (name
/// = the virtual path, which spells the container chain, with its SHA-256); each third-party
/// component found in a file is nested in that file's <c>components</c> (CycloneDX expresses
/// containment by nesting), with purl, CPE, licenses, supplier, and
/// <c>evidence.identity</c>/<c>evidence.occurrences</c> (cataloger, offset, matched text). A
/// component from a package database sits under the database file and lists the files it owns in
/// <c>properties</c>. Assay facts without a CycloneDX field are <c>assay:*</c> properties
/// (linkage, package version, end of support).
/// </para>
/// <para>
/// <c>vulnerabilities</c>: one entry per advisory id (and VEX state), with its source (NVD or OSV),
/// ratings (CVSS v3.1 and v4.0 with vector; severity otherwise), CWEs, description, publication
/// date, <c>affects</c> naming every affected component by <c>bom-ref</c> with its version, the VEX
/// analysis (state, justification) when a VEX document said something, and the exploitation data
/// as properties (<c>assay:kev:*</c> for the CISA KEV listing, <c>assay:epss:*</c> for EPSS; CycloneDX
/// 1.6 has no field for either). Entries are ordered by exploitation (<see cref="VulnerabilityOrder"/>).
/// <c>dependencies</c>: the package graph of each package database (dpkg/opkg <c>Depends</c>,
/// apk <c>D:</c>), an edge for every declared dependency that is a package of the same database.
/// </para>
/// <para>Limitations: only SHA-256 hashes (the evaluation keeps no other); files without a hash
/// (directories, links, devices) are left out; rpm requirements (capabilities, not package names)
/// and ELF DT_NEEDED links are not in the dependency graph.</para>
/// </summary>
public sealed class CycloneDxReportWriter : IReportWriter
{
    public const string SpecVersion = "1.6";

    public string Id => "cyclonedx";
    public string Description => "CycloneDX 1.6 JSON SBOM: components with purl/CPE, evidence, file hashes, containment";
    public string FileExtension => ".cdx.json";

    public void Write(Evaluation evaluation, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("bomFormat", "CycloneDX");
        w.WriteString("specVersion", SpecVersion);
        w.WriteString("serialNumber", "urn:uuid:" + DeterministicUuid(evaluation.Input.Sha256 + "|" + evaluation.StartedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        w.WriteNumber("version", 1);
        WriteMetadata(w, evaluation);

        var byLocation = evaluation.Components.GroupBy(c => c.Location).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var files = evaluation.Files.Where(f => f.Kind == NodeKind.File && f.Sha256 is not null).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var filePaths = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        w.WriteStartArray("components");
        foreach (var f in files)
        {
            w.WriteStartObject();
            w.WriteString("bom-ref", FileRef(f.Path));
            w.WriteString("type", "file");
            w.WriteString("name", f.Path);
            WriteHashes(w, f.Sha256!);
            var props = new List<(string, string)>();
            if (f.Type is not null)
                props.Add(("assay:file-type", f.Type.Description));
            if (f.Mode is not null)
                props.Add(("assay:mode", f.Mode));
            if (f.Size is { } size)
                props.Add(("assay:size", size.ToString(CultureInfo.InvariantCulture)));
            WriteProperties(w, props);
            if (byLocation.TryGetValue(f.Path, out var inFile))
            {
                w.WriteStartArray("components");
                foreach (var c in inFile)
                    WriteComponent(w, c);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        // components whose location is not a hashed file of the tree (e.g. the input itself)
        foreach (var c in evaluation.Components.Where(c => !filePaths.Contains(c.Location)))
            WriteComponent(w, c);
        w.WriteEndArray();
        WriteDependencies(w, evaluation.Components);
        WriteVulnerabilities(w, evaluation);
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteMetadata(Utf8JsonWriter w, Evaluation evaluation)
    {
        w.WriteStartObject("metadata");
        w.WriteString("timestamp", Timestamp(evaluation.FinishedAt == default ? evaluation.StartedAt : evaluation.FinishedAt));
        w.WriteStartObject("tools");
        w.WriteStartArray("components");
        w.WriteStartObject();
        w.WriteString("type", "application");
        w.WriteString("name", evaluation.Tool.Name);
        w.WriteString("version", evaluation.Tool.Version);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("component");
        w.WriteString("bom-ref", "input");
        w.WriteString("type", "firmware");
        w.WriteString("name", Path.GetFileName(evaluation.Input.Path) is { Length: > 0 } n ? n : evaluation.Input.Path);
        if (evaluation.Input.Sha256.Length == 64)
            WriteHashes(w, evaluation.Input.Sha256);
        WriteProperties(w, [("assay:size", evaluation.Input.Size.ToString(CultureInfo.InvariantCulture))]);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteComponent(Utf8JsonWriter w, Component c)
    {
        w.WriteStartObject();
        w.WriteString("bom-ref", ComponentRef(c));
        w.WriteString("type", c.Type == "kernel" ? "operating-system" : "library");
        if (c.Supplier is { Length: > 0 } supplier)
        {
            w.WriteStartObject("supplier");
            w.WriteString("name", supplier);
            w.WriteEndObject();
        }
        w.WriteString("name", c.Name);
        w.WriteString("version", c.Version);
        if (c.Licenses.Count > 0)
        {
            w.WriteStartArray("licenses");
            foreach (var l in c.Licenses)
            {
                w.WriteStartObject();
                w.WriteStartObject("license");
                w.WriteString("name", l);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (c.Cpe is not null)
            w.WriteString("cpe", c.Cpe);
        if (c.Purl is not null)
            w.WriteString("purl", c.Purl);
        WriteEvidence(w, c);
        var props = new List<(string, string)> { ("assay:type", c.Type), ("assay:location", c.Location) };
        if (c.Linkage is not null)
            props.Add(("assay:linkage", c.Linkage));
        if (c.PackageVersion is not null)
            props.Add(("assay:package-version", c.PackageVersion));
        if (c.SourcePackage is not null)
            props.Add(("assay:source-package", c.SourcePackage));
        if (c.Support is { } s)
        {
            props.Add(("assay:support-branch", s.Branch));
            props.Add(("assay:supported", s.Supported ? "true" : "false"));
            if (s.EndOfSupport is { } end)
                props.Add(("assay:end-of-support", end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        foreach (var f in c.Files)
            props.Add(("assay:file", f));
        WriteProperties(w, props);
        w.WriteEndObject();
    }

    /// <summary>The package graph: per package database, every package with the packages of the same database it depends on.</summary>
    private static void WriteDependencies(Utf8JsonWriter w, IReadOnlyList<Component> components)
    {
        var packages = components.Where(c => c.Linkage == "package").ToList();
        if (packages.Count == 0)
            return;
        var byDatabase = packages.GroupBy(c => c.Location, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(n => n.Key, n => n.First(), StringComparer.Ordinal), StringComparer.Ordinal);
        w.WriteStartArray("dependencies");
        foreach (var c in packages.DistinctBy(ComponentRef).OrderBy(ComponentRef, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("ref", ComponentRef(c));
            w.WriteStartArray("dependsOn");
            var database = byDatabase[c.Location];
            foreach (var target in c.DependsOn.Where(database.ContainsKey).Select(n => ComponentRef(database[n])).Where(r => r != ComponentRef(c)).Distinct().Order(StringComparer.Ordinal))
                w.WriteStringValue(target);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteVulnerabilities(Utf8JsonWriter w, Evaluation evaluation)
    {
        if (evaluation.Vulnerabilities.Count == 0)
            return;
        var inv = CultureInfo.InvariantCulture;
        var components = evaluation.Components.GroupBy(c => (c.Name, c.Version, c.Location)).ToDictionary(g => g.Key, g => g.First());
        w.WriteStartArray("vulnerabilities");
        foreach (var group in VulnerabilityOrder.ByExploitation(evaluation.Vulnerabilities)
            .GroupBy(v => (v.Id, v.VexState, v.VexJustification)))
        {
            var v = group.First();
            w.WriteStartObject();
            w.WriteString("bom-ref", $"vulnerability:{v.Id}" + (v.VexState is null ? "" : $":{v.VexState}"));
            w.WriteString("id", v.Id);
            w.WriteStartObject("source");
            var nvd = v.Id.StartsWith("CVE-", StringComparison.Ordinal);
            w.WriteString("name", nvd ? "NVD" : "OSV");
            w.WriteString("url", nvd ? "https://nvd.nist.gov/vuln/detail/" + Uri.EscapeDataString(v.Id) : "https://osv.dev/vulnerability/" + Uri.EscapeDataString(v.Id));
            w.WriteEndObject();
            w.WriteStartArray("ratings");
            if (v.CvssV31Score is { } s31)
                Rating(w, s31, v.CvssV31Vector, v.CvssV31Vector?.StartsWith("CVSS:3.0", StringComparison.Ordinal) == true ? "CVSSv3" : "CVSSv31", nvd, v.Severity);
            if (v.CvssV40Score is { } s40)
                Rating(w, s40, v.CvssV40Vector, "CVSSv4", nvd, v.Severity);
            if (v.CvssV31Score is null && v.CvssV40Score is null)
            {
                w.WriteStartObject();
                w.WriteString("severity", CdxSeverity(v.Severity));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            var cwes = v.Cwes.Select(c => c.StartsWith("CWE-", StringComparison.Ordinal) && int.TryParse(c.AsSpan(4), NumberStyles.None, inv, out var n) ? n : -1).Where(n => n >= 0).Distinct().Order().ToList();
            if (cwes.Count > 0)
            {
                w.WriteStartArray("cwes");
                foreach (var n in cwes)
                    w.WriteNumberValue(n);
                w.WriteEndArray();
            }
            if (v.Description is { Length: > 0 } description)
                w.WriteString("description", description);
            if (v.Published is { } published)
                w.WriteString("published", Timestamp(published));
            if (v.VexState is { } state)
            {
                w.WriteStartObject("analysis");
                w.WriteString("state", state switch
                {
                    "not_affected" => "not_affected",
                    "fixed" => "resolved",
                    "under_investigation" => "in_triage",
                    _ => "exploitable",
                });
                if (CdxJustification(v.VexJustification) is { } justification)
                    w.WriteString("justification", justification);
                if (v.VexJustification is { Length: > 0 } detail)
                    w.WriteString("detail", detail);
                w.WriteEndObject();
            }
            w.WriteStartArray("affects");
            foreach (var affected in group.DistinctBy(a => (a.Component, a.Version, a.Location)))
            {
                var key = (affected.Component, affected.Version, affected.Location ?? "");
                w.WriteStartObject();
                w.WriteString("ref", components.TryGetValue(key, out var c) ? ComponentRef(c) : $"component:{affected.Component}@{affected.Version}@{affected.Location}");
                w.WriteStartArray("versions");
                w.WriteStartObject();
                w.WriteString("version", affected.Version);
                w.WriteString("status", v.VexState is "not_affected" or "fixed" ? "unaffected" : "affected");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            var props = new List<(string, string)>();
            if (v.Kev is { } kev)
            {
                props.Add(("assay:kev:date-added", kev.DateAdded.ToString("yyyy-MM-dd", inv)));
                if (kev.DueDate is { } due)
                    props.Add(("assay:kev:due-date", due.ToString("yyyy-MM-dd", inv)));
                props.Add(("assay:kev:known-ransomware-use", kev.KnownRansomwareUse ? "true" : "false"));
            }
            if (v.Epss is { } epss)
            {
                props.Add(("assay:epss:score", epss.Score.ToString("0.#####", inv)));
                props.Add(("assay:epss:percentile", epss.Percentile.ToString("0.#####", inv)));
                if (epss.Date is { } d)
                    props.Add(("assay:epss:date", d.ToString("yyyy-MM-dd", inv)));
            }
            if (group.Any(a => a.MayBeBackported))
                props.Add(("assay:may-be-backported", "true"));
            WriteProperties(w, props);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Rating(Utf8JsonWriter w, double score, string? vector, string method, bool nvd, Severity severity)
    {
        w.WriteStartObject();
        w.WriteStartObject("source");
        w.WriteString("name", nvd ? "NVD" : "OSV");
        w.WriteEndObject();
        w.WriteNumber("score", score);
        w.WriteString("severity", CdxSeverity(severity));
        w.WriteString("method", method);
        if (vector is not null)
            w.WriteString("vector", vector);
        w.WriteEndObject();
    }

    private static string CdxSeverity(Severity s) => s switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        Severity.Info => "info",
        _ => "unknown",
    };

    /// <summary>OpenVEX justifications as CycloneDX 1.6 impact analysis justifications (null when there is no counterpart).</summary>
    private static string? CdxJustification(string? openVex) => openVex switch
    {
        "component_not_present" => "requires_dependency",
        "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        "code_not_present" or "code_not_reachable" or "requires_configuration" or "requires_dependency" or "requires_environment"
            or "protected_by_compiler" or "protected_at_runtime" or "protected_at_perimeter" or "protected_by_mitigating_control" => openVex,
        _ => null,
    };

    private static void WriteEvidence(Utf8JsonWriter w, Component c)
    {
        if (c.Evidence.Count == 0)
            return;
        w.WriteStartObject("evidence");
        w.WriteStartArray("identity");
        w.WriteStartObject();
        w.WriteString("field", "version");
        w.WriteNumber("confidence", Math.Clamp(c.Confidence, 0, 1));
        w.WriteString("concludedValue", c.Version);
        w.WriteStartArray("methods");
        foreach (var e in c.Evidence)
        {
            w.WriteStartObject();
            w.WriteString("technique", Technique(e.Source));
            w.WriteNumber("confidence", Math.Clamp(e.Confidence, 0, 1));
            w.WriteString("value", e.Source + (e.Text is null ? "" : ": " + e.Text));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("occurrences");
        foreach (var e in c.Evidence.DistinctBy(e => (e.Path, e.Offset)))
        {
            w.WriteStartObject();
            w.WriteString("location", e.Path);
            if (e.Offset is { } o)
                w.WriteNumber("offset", o);
            if (e.Text is not null)
                w.WriteString("additionalContext", e.Text);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>CycloneDX 1.6 identity techniques: version strings in bytes are binary analysis, databases and manifests are manifest analysis.</summary>
    private static string Technique(string source) =>
        source.StartsWith("binary-signature", StringComparison.Ordinal) ? "binary-analysis"
        : source is "go-buildinfo" or "cargo-auditable" or "elf-package-note" ? "binary-analysis"
        : "manifest-analysis";

    private static void WriteHashes(Utf8JsonWriter w, string sha256)
    {
        w.WriteStartArray("hashes");
        w.WriteStartObject();
        w.WriteString("alg", "SHA-256");
        w.WriteString("content", sha256.ToLowerInvariant());
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteProperties(Utf8JsonWriter w, List<(string Name, string Value)> properties)
    {
        if (properties.Count == 0)
            return;
        w.WriteStartArray("properties");
        foreach (var (name, value) in properties)
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("value", value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    internal static string FileRef(string path) => "file:" + path;

    internal static string ComponentRef(Component c) => $"component:{c.Name}@{c.Version}@{c.Location}";

    internal static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A version-4-shaped UUID from a SHA-256 of the text (same evaluation, same serial number).</summary>
    internal static string DeterministicUuid(string text)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        h[6] = (byte)((h[6] & 0x0f) | 0x40);
        h[8] = (byte)((h[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexStringLower(h.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
