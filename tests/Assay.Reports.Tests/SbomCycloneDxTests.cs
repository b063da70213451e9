using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Json.Schema;

namespace Assay.Reports.Tests;

public sealed class SbomCycloneDxTests
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    /// <summary>
    /// bom-1.6.schema.json refers to its companions by relative name (<c>spdx.schema.json</c>,
    /// <c>jsf-0.82.schema.json#/definitions/signature</c>), resolved against its
    /// <c>$id</c> http://cyclonedx.org/schema/; the companions carry exactly those ids, so they are
    /// built into the same registry first. All three files are copied unchanged from
    /// CycloneDX/specification into Fixtures/schemas.
    /// </summary>
    private static JsonSchema LoadSchema()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        foreach (var companion in new[] { "spdx.schema.json", "jsf-0.82.schema.json" })
        {
            var schema = JsonSchema.FromFile(Fixture.Path("schemas/" + companion), options);
            Assert.Equal(new Uri("http://cyclonedx.org/schema/" + companion), schema.BaseUri);
            try
            {
                options.SchemaRegistry.Register(schema);
            }
            catch (ArgumentException)
            {
                // building already registered it under its $id
            }
        }
        return JsonSchema.FromFile(Fixture.Path("schemas/cyclonedx-bom-1.6.schema.json"), options);
    }

    internal static EvaluationResults Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
    }

    internal static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static string Write(Evaluation evaluation) => SbomSample.Write(new CycloneDxReportWriter(), evaluation);

    [Fact]
    public void Write_SampleEvaluation_ValidatesAgainstOfficialSchema()
    {
        var results = Validate(Write(SbomSample.Create()));
        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Write_EmptyEvaluation_ValidatesAgainstOfficialSchema()
    {
        var empty = SbomSample.Create() with { Files = [], Components = [] };
        var results = Validate(Write(empty));
        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Validator_DocumentBrokenInTwoPlaces_IsRejected()
    {
        // proves the schema is really applied: a wrong enum value and a malformed hash
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!.AsObject();
        doc["bomFormat"] = "SPDX";
        doc["components"]![0]!["hashes"]![0]!["content"] = "not-hex";
        var results = Validate(doc.ToJsonString());
        Assert.False(results.IsValid);
        var errors = Errors(results);
        Assert.Contains("/bomFormat", errors, StringComparison.Ordinal);
        Assert.Contains("/components/0/hashes/0/content", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Components_AreNestedInTheFileThatCarriesThem()
    {
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!;
        Assert.Equal("1.6", doc["specVersion"]!.GetValue<string>());
        Assert.Equal("firmware", doc["metadata"]!["component"]!["type"]!.GetValue<string>());
        Assert.Equal(new string('a', 64), doc["metadata"]!["component"]!["hashes"]![0]!["content"]!.GetValue<string>());
        var files = doc["components"]!.AsArray();
        // four hashed regular files, in path order; the directory and the symlink have no content
        var fileNames = files.Where(f => f!["type"]!.GetValue<string>() == "file").Select(f => f!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { SbomSample.Kernel, SbomSample.Node, SbomSample.Crypto, SbomSample.Status }.Order(StringComparer.Ordinal), fileNames);
        var node = files.Single(f => f!["name"]!.GetValue<string>() == SbomSample.Node)!;
        Assert.Equal("SHA-256", node["hashes"]![0]!["alg"]!.GetValue<string>());
        var openssl = node["components"]!.AsArray().Single()!;
        Assert.Equal(("openssl", "3.0.7+quic", "pkg:generic/openssl@3.0.7%2Bquic"), (openssl["name"]!.GetValue<string>(), openssl["version"]!.GetValue<string>(), openssl["purl"]!.GetValue<string>()));
        var occurrences = openssl["evidence"]!["occurrences"]!.AsArray();
        Assert.Equal([100L, 9000L], occurrences.Select(o => o!["offset"]!.GetValue<long>()));
        Assert.Equal("binary-analysis", openssl["evidence"]!["identity"]![0]!["methods"]![0]!["technique"]!.GetValue<string>());
        var kernel = files.Single(f => f!["name"]!.GetValue<string>() == SbomSample.Kernel)!["components"]![0]!;
        Assert.Equal("operating-system", kernel["type"]!.GetValue<string>());
        // the component located at the input itself is not inside any file of the tree
        Assert.Contains(files, f => f!["name"]!.GetValue<string>() == "vendor-fw");
    }

    [Fact]
    public void Write_PackageComponent_ListsOwnedFilesAndSupport()
    {
        var doc = JsonNode.Parse(Write(SbomSample.Create()))!;
        var status = doc["components"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == SbomSample.Status)!;
        var ssl = status["components"]![0]!;
        var props = ssl["properties"]!.AsArray().Select(p => (p!["name"]!.GetValue<string>(), p["value"]!.GetValue<string>())).ToList();
        Assert.Contains(("assay:file", SbomSample.Crypto), props);
        Assert.Contains(("assay:supported", "false"), props);
        Assert.Contains(("assay:end-of-support", "2026-09-07"), props);
        Assert.Equal("cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*", ssl["cpe"]!.GetValue<string>());
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
    public void Registry_CycloneDx_IsRegistered()
    {
        Assert.IsType<CycloneDxReportWriter>(ReportWriters.Find("cyclonedx"));
    }
}
