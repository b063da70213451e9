using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Assay.History.Diff;
using Assay.History.Reports;
using Json.Schema;

namespace Assay.History.Tests;

/// <summary>The diff's report formats: the JSON contract, SARIF with baselineState against the official schema, the HTML page and the terminal summary.</summary>
public sealed class DiffReportTests
{
    private static readonly string A = Release.Sha("a"), B = Release.Sha("b");

    internal static ReleaseDiffResult Sample() => ReleaseDiff.Compare(
        new Release("1.2.0").File("/etc/passwd", A).File("/etc/gone", A).Component("openssl", "1.0.2k", "/usr/sbin/httpd").Elf("/usr/sbin/httpd", A, canary: true)
            .Finding("ASSAY-SSH-ROOT-LOGIN", "/etc/ssh/sshd_config", Severity.High, 3, "PermitRootLogin yes")
            .Finding("ASSAY-SNMP-V1V2C", "/etc/snmpd.conf", Severity.Medium, 1, "rocommunity public")
            .Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.Medium, 4, "wpa=1")
            .Vulnerability("CVE-2016-2105", "openssl", "1.0.2k", Severity.High, "/usr/sbin/httpd").Requirement("4.3.2.1", "pass").Build(),
        new Release("1.3.0", 0x24000).File("/etc/passwd", B).File("/etc/<script>alert(1)</script>", A).Component("openssl", "1.1.1w", "/usr/sbin/httpd").Elf("/usr/sbin/httpd", B, canary: false)
            .Finding("ASSAY-SVC-UNAUTH-SHELL", "/etc/inittab", Severity.Critical, 2, "::respawn:/bin/sh")
            .Finding("ASSAY-SNMP-V1V2C", "/etc/snmpd.conf", Severity.Medium, 5, "rocommunity public")
            .Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.High, 4, "wpa=1")
            .Vulnerability("CVE-2023-0286", "openssl", "1.1.1w", Severity.High, "/usr/sbin/httpd").Requirement("4.3.2.1", "fail").Build());

    private static string Write(IDiffReportWriter writer, ReleaseDiffResult diff)
    {
        using var stream = new MemoryStream();
        writer.Write(diff, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Json_Sample_HasTheContractShape()
    {
        var doc = JsonNode.Parse(Write(new DiffJsonWriter(), Sample()))!.AsObject();
        Assert.Equal(ReleaseDiffResult.SchemaId, doc["schema"]!.GetValue<string>());
        string[] Keys(string name) => [.. doc[name]!.AsObject().Select(p => p.Key)];
        Assert.Equal(["added", "removed", "changed"], Keys("components"));
        Assert.Equal(["introduced", "resolved", "open"], Keys("vulnerabilities"));
        Assert.Equal(["new", "fixed", "updated", "unchanged", "bySeverity"], Keys("findings"));
        Assert.Equal(["added", "removed", "changed", "unchanged"], Keys("files"));
        Assert.Equal(["regressions", "improvements"], Keys("hardening"));
        var changed = doc["components"]!["changed"]![0]!;
        Assert.Equal(("openssl", "1.0.2k", "1.1.1w"), (changed["name"]!.GetValue<string>(), changed["from"]!.GetValue<string>(), changed["to"]!.GetValue<string>()));
        var added = doc["findings"]!["new"]![0]!;
        Assert.Equal("ASSAY-SVC-UNAUTH-SHELL", added["ruleId"]!.GetValue<string>());
        Assert.Equal("critical", added["severity"]!.GetValue<string>());
        Assert.Equal("/firmware/EX1000_1.3.0.bin!/0x24000.squashfs!/etc/inittab", added["path"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", added["fingerprint"]!.GetValue<string>());
        Assert.Equal(1, doc["findings"]!["unchanged"]!.GetValue<int>());
        Assert.Null(added["finding"]);
        Assert.Equal("content", doc["files"]!["changed"]!.AsArray().First(c => c!["path"]!.GetValue<string>().EndsWith("/etc/passwd", StringComparison.Ordinal))!["what"]!.GetValue<string>());
        Assert.Equal("CVE-2023-0286", doc["vulnerabilities"]!["introduced"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("canary", doc["hardening"]!["regressions"]![0]!["property"]!.GetValue<string>());
        Assert.Equal("4.3.2.1", doc["ts33117"]!["regressions"]![0]!["section"]!.GetValue<string>());
    }

    [Fact]
    public void Sarif_Sample_ValidatesAndCarriesBaselineStates()
    {
        var json = Write(new DiffSarifWriter(), Sample());
        var root = JsonNode.Parse(File.ReadAllText(Fixture.Path("schemas/sarif-schema-2.1.0.json")))!.AsObject();
        // Draft-04 schema read as draft-07 with the root id dropped (see Assay.Reports.Tests.SarifReportWriterTests).
        root["$schema"] = "http://json-schema.org/draft-07/schema#";
        root.Remove("id");
        var schema = JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        var states = JsonNode.Parse(json)!["runs"]![0]!["results"]!.AsArray()
            .Select(r => (r!["ruleId"]!.GetValue<string>(), r["baselineState"]!.GetValue<string>())).ToList();
        Assert.Equal(
        [
            ("ASSAY-SNMP-V1V2C", "unchanged"),
            ("ASSAY-SSH-ROOT-LOGIN", "absent"),
            ("ASSAY-SVC-UNAUTH-SHELL", "new"),
            ("ASSAY-WIFI-WEAK-SECURITY", "updated"),
        ], states);
    }

    [Fact]
    public void Html_Sample_IsSelfContainedAndEncodesNames()
    {
        var html = Write(new DiffHtmlWriter(), Sample());
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("New findings", StringComparison.Ordinal) < html.IndexOf("Fixed findings", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_Sample_PutsWhatGotWorseFirst()
    {
        var text = Write(new DiffSummaryWriter(), Sample());
        var worse = text.IndexOf("Worse", StringComparison.Ordinal);
        Assert.True(worse >= 0, text);
        Assert.True(worse < text.IndexOf("Vulnerabilities introduced", StringComparison.Ordinal));
        Assert.True(text.IndexOf("New findings", StringComparison.Ordinal) < text.IndexOf("Better", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Better", StringComparison.Ordinal) < text.IndexOf("Fixed findings", StringComparison.Ordinal));
        Assert.Contains("ASSAY-SVC-UNAUTH-SHELL", text, StringComparison.Ordinal);
        Assert.Contains("1.0.2k → 1.1.1w", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_Writers_AreSortedWithUniqueIds()
    {
        var ids = DiffReportWriters.All.Select(w => w.Id).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Same(DiffReportWriters.Find(id), DiffReportWriters.All.Single(w => w.Id == id)));
    }
}
