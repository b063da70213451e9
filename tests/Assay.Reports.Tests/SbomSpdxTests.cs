using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Json.Schema;

namespace Assay.Reports.Tests;

public sealed class SbomSpdxTests
{
    /// <summary>spdx-2.3.schema.json: spdx/spdx-spec schemas/spdx-schema.json (support/2.3.1), JSON Schema 2019-09, self-contained.</summary>
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromFile(Fixture.Path("schemas/spdx-2.3.schema.json"), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    internal static EvaluationResults Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
    }

    internal static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static string Write(Evaluation evaluation) => SbomSample.Write(new SpdxReportWriter(), evaluation);

    private static List<(string From, string Type, string To)> Relationships(JsonNode doc) =>
        doc["relationships"]!.AsArray().Select(r => (r!["spdxElementId"]!.GetValue<string>(), r["relationshipType"]!.GetValue<string>(), r["relatedSpdxElement"]!.GetValue<string>())).ToList();

    private static string IdOf(JsonNode doc, string array, string nameKey, string name) =>
        doc[array]!.AsArray().Single(e => e![nameKey]!.GetValue<string>() == name)!["SPDXID"]!.GetValue<string>();

    [Fact]
    public void Write_SampleEvaluation_ValidatesAgainstOfficialSchema()
    {
        var results = Validate(Write(SbomSample.Create()));
        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Write_EmptyEvaluation_ValidatesAgainstOfficialSchema()
    {
        var results = Validate(Write(SbomSample.Create() with { Files = [], Components = [] }));
        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Validator_DocumentBrokenInTwoPlaces_IsRejected()
    {
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!.AsObject();
        doc.Remove("SPDXID");
        doc["relationships"]![0]!["relationshipType"] = "IS_FRIENDS_WITH";
        var results = Validate(doc.ToJsonString());
        Assert.False(results.IsValid);
        Assert.Contains("/relationships/0/relationshipType", Errors(results), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Relationships_CarryTheContainment()
    {
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!;
        var rel = Relationships(doc);
        var node = IdOf(doc, "files", "fileName", SbomSample.Node);
        var crypto = IdOf(doc, "files", "fileName", SbomSample.Crypto);
        var status = IdOf(doc, "files", "fileName", SbomSample.Status);
        var openssl = IdOf(doc, "packages", "name", "openssl");
        var ssl = IdOf(doc, "packages", "name", "libssl3");
        Assert.Contains(("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"), rel);
        Assert.Contains(("SPDXRef-Image", "CONTAINS", node), rel);
        Assert.Contains((node, "STATIC_LINK", openssl), rel);
        Assert.Contains((status, "DESCRIBES", ssl), rel);
        Assert.Contains((ssl, "CONTAINS", crypto), rel);
        Assert.Contains(("SPDXRef-Image", "CONTAINS", openssl), rel);
        Assert.Equal(4, doc["files"]!.AsArray().Count);
    }

    [Fact]
    public void Write_Packages_HavePurlCpeAndChecksums()
    {
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!;
        var ssl = doc["packages"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "libssl3")!;
        var refs = ssl["externalRefs"]!.AsArray().Select(r => (r!["referenceType"]!.GetValue<string>(), r["referenceLocator"]!.GetValue<string>())).ToList();
        Assert.Contains(("purl", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"), refs);
        Assert.Contains(("cpe23Type", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"), refs);
        Assert.Contains("no longer supported", ssl["comment"]!.GetValue<string>(), StringComparison.Ordinal);
        var image = doc["packages"]!.AsArray().Single(p => p!["SPDXID"]!.GetValue<string>() == "SPDXRef-Image")!;
        Assert.Equal(new string('a', 64), image["checksums"]![0]!["checksumValue"]!.GetValue<string>());
        var file = doc["files"]!.AsArray().Single(f => f!["fileName"]!.GetValue<string>() == SbomSample.Node)!;
        Assert.Equal(("SHA256", new string('b', 64)), (file["checksums"]![0]!["algorithm"]!.GetValue<string>(), file["checksums"]![0]!["checksumValue"]!.GetValue<string>()));
    }

    [Fact]
    public void Write_SameEvaluation_SameBytesInAnyCulture()
    {
        var first = Write(SbomSample.Create());
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(first, Write(SbomSample.Create()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Registry_Spdx_IsRegistered()
    {
        Assert.IsType<SpdxReportWriter>(ReportWriters.Find("spdx"));
    }
}
