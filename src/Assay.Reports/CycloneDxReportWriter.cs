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
/// <para>Limitations: only SHA-256 hashes (the evaluation keeps no other); files without a hash
/// (directories, links, devices) are left out.</para>
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
