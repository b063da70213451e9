using System.Globalization;
using System.Text.Json;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>
/// SPDX 2.3 JSON SBOM (https://spdx.github.io/spdx-spec/v2.3/), validated against the official
/// <c>spdx-schema.json</c> of spdx-spec support/2.3.1 in the tests.
/// <para>
/// Elements: the delivered image is a package (<c>FIRMWARE</c>, SHA-256) that the document
/// DESCRIBES; each regular file of the unpacked tree is a file (name = the virtual path, which
/// spells the container chain; SHA-256); each component is a package with purl
/// (<c>PACKAGE-MANAGER</c>) and CPE 2.3 (<c>SECURITY</c>) external references.
/// Relationships carry the containment: image CONTAINS file; a file CONTAINS the component
/// found in its bytes (STATIC_LINK when the component is linked into another program); a
/// package-database component CONTAINS the files it owns; image CONTAINS every component.
/// </para>
/// <para>
/// Known vulnerabilities are SPDX 2.3 security external references of the affected package
/// (Annex F, category <c>SECURITY</c>, type <c>advisory</c>): the locator is the advisory's page
/// (NVD for CVEs, OSV otherwise), the comment says the id, severity, CVSS, CISA KEV listing, EPSS
/// and VEX state; they follow the package's purl and CPE, ordered by exploitation
/// (<see cref="VulnerabilityOrder"/>). Package dependencies (dpkg/opkg/apk) are
/// <c>DEPENDS_ON</c> relationships between the packages of one database.
/// </para>
/// <para>Limitations: SPDX 2.3 asks for a SHA-1 of each file; the evaluation keeps SHA-256 only,
/// so only that is given. Declared licenses are not SPDX-checked and go to
/// <c>licenseComments</c>; <c>licenseDeclared</c> is NOASSERTION.</para>
/// </summary>
public sealed class SpdxReportWriter : IReportWriter
{
    public string Id => "spdx";
    public string Description => "SPDX 2.3 JSON SBOM: packages with purl/CPE, files with SHA-256, containment relationships";
    public string FileExtension => ".spdx.json";

    private const string DocumentId = "SPDXRef-DOCUMENT";
    private const string ImageId = "SPDXRef-Image";
    private const string NoAssertion = "NOASSERTION";

    public void Write(Evaluation evaluation, Stream output)
    {
        var files = evaluation.Files.Where(f => f.Kind == NodeKind.File && f.Sha256 is not null).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var fileIds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
            fileIds[files[i].Path] = $"SPDXRef-File-{i + 1}";
        var components = evaluation.Components;
        var componentIds = components.Select((c, i) => $"SPDXRef-Package-{i + 1}").ToList();
        var name = Path.GetFileName(evaluation.Input.Path) is { Length: > 0 } n ? n : "input";

        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("spdxVersion", "SPDX-2.3");
        w.WriteString("dataLicense", "CC0-1.0");
        w.WriteString("SPDXID", DocumentId);
        w.WriteString("name", $"assay evaluation of {name}");
        w.WriteString("documentNamespace", $"https://assay.dev/spdx/{Uri.EscapeDataString(name)}-{CycloneDxReportWriter.DeterministicUuid(evaluation.Input.Sha256 + "|" + evaluation.StartedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))}");
        w.WriteStartObject("creationInfo");
        w.WriteString("created", CycloneDxReportWriter.Timestamp(evaluation.FinishedAt == default ? evaluation.StartedAt : evaluation.FinishedAt));
        w.WriteStartArray("creators");
        w.WriteStringValue($"Tool: {evaluation.Tool.Name}-{evaluation.Tool.Version}");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("packages");
        w.WriteStartObject();
        w.WriteString("SPDXID", ImageId);
        w.WriteString("name", name);
        w.WriteString("downloadLocation", NoAssertion);
        w.WriteBoolean("filesAnalyzed", false);
        WriteChecksum(w, evaluation.Input.Sha256);
        w.WriteString("primaryPackagePurpose", "FIRMWARE");
        w.WriteString("supplier", NoAssertion);
        w.WriteEndObject();
        var advisories = VulnerabilityOrder.ByExploitation(evaluation.Vulnerabilities)
            .ToLookup(v => (v.Component, v.Version, v.Location ?? ""));
        for (var i = 0; i < components.Count; i++)
            WritePackage(w, components[i], componentIds[i], advisories[(components[i].Name, components[i].Version, components[i].Location)]);
        w.WriteEndArray();

        w.WriteStartArray("files");
        foreach (var f in files)
        {
            w.WriteStartObject();
            w.WriteString("SPDXID", fileIds[f.Path]);
            w.WriteString("fileName", f.Path);
            WriteChecksum(w, f.Sha256!);
            if (f.Type is { } t)
                w.WriteString("comment", t.Description);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("relationships");
        Relationship(w, DocumentId, "DESCRIBES", ImageId);
        foreach (var f in files)
            Relationship(w, ImageId, "CONTAINS", fileIds[f.Path]);
        for (var i = 0; i < components.Count; i++)
        {
            var c = components[i];
            Relationship(w, ImageId, "CONTAINS", componentIds[i]);
            if (fileIds.TryGetValue(c.Location, out var fileId))
            {
                if (c.Linkage == "package")
                    Relationship(w, fileId, "DESCRIBES", componentIds[i]);
                else if (c.Linkage is "static" or "vendored")
                    Relationship(w, fileId, "STATIC_LINK", componentIds[i]);
                else
                    Relationship(w, fileId, "CONTAINS", componentIds[i]);
            }
            foreach (var owned in c.Files)
            {
                if (fileIds.TryGetValue(owned, out var ownedId))
                    Relationship(w, componentIds[i], "CONTAINS", ownedId);
            }
        }
        // The package graph of each package database.
        var packageIds = new Dictionary<(string Location, string Name), string>();
        for (var i = 0; i < components.Count; i++)
            if (components[i].Linkage == "package")
                packageIds.TryAdd((components[i].Location, components[i].Name), componentIds[i]);
        for (var i = 0; i < components.Count; i++)
            foreach (var target in components[i].DependsOn)
                if (packageIds.TryGetValue((components[i].Location, target), out var targetId) && targetId != componentIds[i])
                    Relationship(w, componentIds[i], "DEPENDS_ON", targetId);
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WritePackage(Utf8JsonWriter w, Component c, string id, IEnumerable<Vulnerability> vulnerabilities)
    {
        var advisories = vulnerabilities.DistinctBy(v => v.Id).ToList();
        w.WriteStartObject();
        w.WriteString("SPDXID", id);
        w.WriteString("name", c.Name);
        w.WriteString("versionInfo", c.Version);
        w.WriteString("downloadLocation", NoAssertion);
        w.WriteBoolean("filesAnalyzed", false);
        w.WriteString("supplier", c.Supplier is { Length: > 0 } s ? "Organization: " + s.ReplaceLineEndings(" ") : NoAssertion);
        w.WriteString("licenseConcluded", NoAssertion);
        w.WriteString("licenseDeclared", NoAssertion);
        if (c.Licenses.Count > 0)
            w.WriteString("licenseComments", "declared by the package metadata: " + string.Join("; ", c.Licenses));
        w.WriteString("copyrightText", NoAssertion);
        w.WriteString("primaryPackagePurpose", c.Type == "kernel" ? "OPERATING_SYSTEM" : "LIBRARY");
        if (c.SourcePackage is not null)
            w.WriteString("sourceInfo", $"built from source package {c.SourcePackage}");
        var comment = $"found by {string.Join(", ", c.Evidence.Select(e => e.Source).Distinct())} in {c.Location}; confidence {c.Confidence.ToString("0.##", CultureInfo.InvariantCulture)}";
        if (c.Linkage is not null)
            comment += $"; linkage {c.Linkage}";
        if (c.Support is { } support)
            comment += $"; release branch {support.Branch} {(support.Supported ? "supported" : "no longer supported")}" + (support.EndOfSupport is { } end ? $" (end of support {end:yyyy-MM-dd})" : "");
        w.WriteString("comment", comment);
        if (c.Purl is not null || c.Cpe is not null || advisories.Count > 0)
        {
            w.WriteStartArray("externalRefs");
            if (c.Purl is not null)
                ExternalRef(w, "PACKAGE-MANAGER", "purl", c.Purl);
            if (c.Cpe is not null)
                ExternalRef(w, "SECURITY", "cpe23Type", c.Cpe);
            foreach (var v in advisories)
                ExternalRef(w, "SECURITY", "advisory", AdvisoryUrl(v.Id), AdvisoryComment(v));
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void ExternalRef(Utf8JsonWriter w, string category, string type, string locator, string? comment = null)
    {
        w.WriteStartObject();
        w.WriteString("referenceCategory", category);
        w.WriteString("referenceType", type);
        w.WriteString("referenceLocator", locator);
        if (comment is not null)
            w.WriteString("comment", comment);
        w.WriteEndObject();
    }

    /// <summary>The advisory's public page (no spaces, as a locator must be).</summary>
    private static string AdvisoryUrl(string id) =>
        (id.StartsWith("CVE-", StringComparison.Ordinal) ? "https://nvd.nist.gov/vuln/detail/" : "https://osv.dev/vulnerability/") + Uri.EscapeDataString(id);

    private static string AdvisoryComment(Vulnerability v)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string> { v.Id, $"severity {v.Severity.ToString().ToLowerInvariant()}" };
        if (v.CvssV31Score is { } s31)
            parts.Add(string.Create(inv, $"CVSS {s31:0.0}") + (v.CvssV31Vector is { } v31 ? $" {v31}" : ""));
        if (v.CvssV40Score is { } s40)
            parts.Add(string.Create(inv, $"CVSS {s40:0.0}") + (v.CvssV40Vector is { } v40 ? $" {v40}" : ""));
        if (v.Kev is { } kev)
            parts.Add($"known exploited (CISA KEV, added {kev.DateAdded.ToString("yyyy-MM-dd", inv)}" + (kev.DueDate is { } due ? $", due {due.ToString("yyyy-MM-dd", inv)}" : "") + (kev.KnownRansomwareUse ? ", ransomware" : "") + ")");
        if (v.Epss is not null)
            parts.Add("EPSS " + VulnerabilityOrder.EpssLabel(v));
        if (v.VexState is { } state)
            parts.Add($"VEX {state}" + (v.VexJustification is { Length: > 0 } j ? $" ({j})" : ""));
        if (v.MayBeBackported)
            parts.Add("distribution package: the fix may be back-ported");
        return string.Join("; ", parts);
    }

    private static void WriteChecksum(Utf8JsonWriter w, string sha256)
    {
        w.WriteStartArray("checksums");
        w.WriteStartObject();
        w.WriteString("algorithm", "SHA256");
        w.WriteString("checksumValue", sha256.ToLowerInvariant());
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void Relationship(Utf8JsonWriter w, string from, string type, string to)
    {
        w.WriteStartObject();
        w.WriteString("spdxElementId", from);
        w.WriteString("relationshipType", type);
        w.WriteString("relatedSpdxElement", to);
        w.WriteEndObject();
    }
}
