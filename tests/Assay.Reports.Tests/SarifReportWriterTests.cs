using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Json.Schema;

namespace Assay.Reports.Tests;

public sealed class SarifReportWriterTests
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    /// <summary>
    /// The official schema (Fixtures/schemas, copied unchanged from oasis-tcs/sarif-spec) is JSON
    /// Schema draft-04, which JsonSchema.Net does not implement. Its only draft-04-specific keyword is
    /// the root "id" (draft-06 renamed it "$id"; no exclusiveMinimum/Maximum is used, and every $ref is
    /// local), so it is read as draft-07 with the root id dropped.
    /// </summary>
    private static JsonSchema LoadSchema()
    {
        var root = JsonNode.Parse(File.ReadAllText(Fixture.Path("schemas/sarif-schema-2.1.0.json")))!.AsObject();
        root["$schema"] = "http://json-schema.org/draft-07/schema#";
        Assert.StartsWith("https://docs.oasis-open.org/sarif/", root["id"]!.GetValue<string>(), StringComparison.Ordinal);
        root.Remove("id");
        return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    internal static EvaluationResults Validate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
    }

    internal static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static Finding Finding(string rule, string path, Severity severity, int? line = null, string? evidence = null) => new()
    {
        RuleId = rule,
        Category = "configuration",
        Severity = severity,
        Title = rule + " title",
        Path = path,
        Line = line,
        Evidence = evidence,
        Remediation = "Fix it.",
        References = ["TS 33.117 §4.3.2.1", "CWE-319"],
        Requirements = ["4.3.2.1"],
    };

    private static Evaluation Sample() => new()
    {
        Tool = new ToolInfo("assay", "0.1.0"),
        Input = new InputInfo("/data/fw image.bin", 100, new string('0', 64)),
        StartedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 1, 0, 1, 0, TimeSpan.Zero),
        Findings =
        [
            Finding("ASSAY-SVC-INSECURE-PROTOCOL", "fw image.bin!/rootfs.sqfs!/etc/inittab", Severity.High, 3, "::respawn:/usr/sbin/telnetd -F -l /bin/sh"),
            Finding("ASSAY-PERM-SETUID", "fw image.bin!/rootfs.sqfs!/bin/busybox", Severity.Medium),
            Finding("ASSAY-SECRET-PRIVATE-KEY", "fw image.bin!/rootfs.sqfs!/etc/ssl/private/dévice key#1%.pem", Severity.Critical, 1) with { SecretFingerprint = "ab" },
            Finding("ASSAY-ELF-NOT-STRIPPED", "C:weird!/bin/x", Severity.Info) with { Offset = 64 },
        ],
        Errors = [new ScanError { Path = "fw image.bin!/rootfs.sqfs!/bin/broken", Handler = "elf-hardening", Message = "elf: no ELF magic at offset 0" }],
        Summaries = new EvaluationSummaries { Ts33117 = new Ts33117Summary { Fail = 1, Requirements = [new Ts33117Row { Section = "4.3.2.1", Title = "t", Testability = "static", Status = "fail", Note = "1 finding(s)" }] } },
    };

    private static string Write(Evaluation evaluation)
    {
        using var stream = new MemoryStream();
        new SarifReportWriter().Write(evaluation, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Write_EvaluationWithFindings_ValidatesAgainstOfficialSchema()
    {
        var results = Validate(Write(Sample()));
        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Write_NoFindings_ValidatesAgainstOfficialSchema()
    {
        var json = Write(new Evaluation { Tool = new ToolInfo("assay", "0.1.0"), Input = new InputInfo("x", 0, "") });
        var results = Validate(json);
        Assert.True(results.IsValid, Errors(results));
        Assert.Empty(JsonNode.Parse(json)!["runs"]![0]!["results"]!.AsArray());
    }

    [Theory]
    [InlineData("version")]
    [InlineData("level")]
    [InlineData("uri")]
    public void Validator_BrokenSarif_Rejected(string broken)
    {
        // Proves the validator is not accepting everything: each edit breaks one schema rule.
        var log = JsonNode.Parse(Write(Sample()))!.AsObject();
        var result = log["runs"]![0]!["results"]![0]!.AsObject();
        switch (broken)
        {
            case "version": log["version"] = "2.0.0"; break;
            case "level": result["level"] = "fatal"; break;
            case "uri": result["locations"]![0]!["physicalLocation"]!["artifactLocation"]!["uri"] = "a b\\c"; break;
        }
        Assert.False(Validate(log.ToJsonString()).IsValid);
    }

    [Fact]
    public void Write_Findings_RulesCarryHelpLevelAndTs33117()
    {
        var log = JsonNode.Parse(Write(Sample()))!;
        var rules = log["runs"]![0]!["tool"]!["driver"]!["rules"]!.AsArray();
        Assert.Equal(["ASSAY-ELF-NOT-STRIPPED", "ASSAY-PERM-SETUID", "ASSAY-SECRET-PRIVATE-KEY", "ASSAY-SVC-INSECURE-PROTOCOL"], rules.Select(r => r!["id"]!.GetValue<string>()));
        var telnet = rules[3]!;
        Assert.Equal("SvcInsecureProtocol", telnet["name"]!.GetValue<string>());
        Assert.Equal("error", telnet["defaultConfiguration"]!["level"]!.GetValue<string>());
        Assert.Contains("§4.3.2.1", telnet["help"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("4.3.2.1", telnet["properties"]!["ts33117"]![0]!.GetValue<string>());
        Assert.Contains("external/cwe/cwe-319", telnet["properties"]!["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        var results = log["runs"]![0]!["results"]!.AsArray();
        Assert.All(results, r => Assert.Equal(r!["ruleId"]!.GetValue<string>(), rules[r["ruleIndex"]!.GetValue<int>()]!["id"]!.GetValue<string>()));
        var table = log["runs"]![0]!["properties"]!["ts33117"]!;
        Assert.Equal(1, table["fail"]!.GetValue<int>());
        Assert.Equal("fail", table["requirements"]![0]!["status"]!.GetValue<string>());
        Assert.Single(log["runs"]![0]!["invocations"]![0]!["toolExecutionNotifications"]!.AsArray());
    }

    [Fact]
    public void Write_Findings_PartialFingerprintIsTheStableFingerprint()
    {
        var sample = Sample();
        var moved = sample with { Findings = [.. sample.Findings.Select(f => f with { Line = f.Line is { } l ? l + 10 : null, Path = f.Path.Replace("fw image.bin", "fw image 2.bin", StringComparison.Ordinal) })] };
        string[] Prints(Evaluation e) =>
            [.. JsonNode.Parse(Write(e))!["runs"]![0]!["results"]!.AsArray().Select(r => r!["partialFingerprints"]![SarifReportWriter.PartialFingerprintKey]!.GetValue<string>())];
        var expected = FindingFingerprints.Assign(sample).Findings.OrderBy(f => f.RuleId, StringComparer.Ordinal).Select(f => f.Fingerprint!).ToArray();
        Assert.Equal(expected, Prints(sample));
        Assert.Equal(Prints(sample), Prints(moved));
        Assert.Equal(4, Prints(sample).Distinct().Count());
    }

    [Theory]
    [InlineData("fw image.bin!/rootfs.sqfs!/etc/ssl/private/dévice key#1%.pem")]
    [InlineData("C:weird!/bin/x")]
    [InlineData("fw.bin!/etc/shadow")]
    public void ToRelativeUri_VirtualPath_IsRelativeReferenceThatRoundTrips(string path)
    {
        var uri = SarifReportWriter.ToRelativeUri(path);
        Assert.True(Uri.TryCreate(uri, UriKind.Relative, out _), uri);
        Assert.DoesNotContain(' ', uri);
        Assert.DoesNotContain('#', uri);
        var resolved = new Uri(new Uri("file:///images/"), uri);
        Assert.Equal("/images/" + path, Uri.UnescapeDataString(resolved.AbsolutePath));
    }

    [Fact]
    public void Write_SameEvaluationAnyCulture_SameBytes()
    {
        var first = Write(Sample());
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(first, Write(Sample()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Registry_Sarif_Registered()
    {
        Assert.IsType<SarifReportWriter>(ReportWriters.Find("sarif"));
    }
}
