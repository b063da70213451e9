using System.Text.Json;
using Assay.Network.Output;
using Assay.Network.Planning;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class NetworkReportsTests
{
    private const string Csv3 = Header + "\n" +
        "c1,s1,north,core,core,AMF,Huawei,1\n" +
        "r1,s2,north,standard,ran,gNB,Huawei,1\n" +
        "r2,s3,south,standard,ran,gNB,Nokia,1\n";

    [Fact]
    public void CheckJson_ViolationsCarryRuleAndElementIds()
    {
        var inv = Csv(Csv3);
        var r = Check(inv, Pack("  - {id: CORE, kind: exclude, scope: {domains: [core]}}\n"), "2024-01-01", "Huawei");
        using var ms = new MemoryStream();
        NetworkReports.WriteJson(r, ms);
        using var doc = JsonDocument.Parse(ms.ToArray());
        var v = doc.RootElement.GetProperty("violations")[0];
        Assert.Equal("CORE", v.GetProperty("rule").GetString());
        Assert.Equal("c1", v.GetProperty("elements")[0].GetString());
        Assert.False(doc.RootElement.GetProperty("compliant").GetBoolean());
        Assert.Equal("2024-01-01", doc.RootElement.GetProperty("at").GetString());
    }

    [Fact]
    public void CheckCsv_OneRowPerViolatingElement()
    {
        var inv = Csv(Csv3);
        var r = Check(inv, Pack("  - {id: ALL, kind: exclude}\n"), "2024-01-01", "Huawei");
        var w = new StringWriter();
        NetworkReports.WriteCheckCsv(r, w);
        var lines = w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rule,kind,region,element_id,message", lines[0]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void PlanHtml_HasAnSvgChartPerDomainAndNoScript()
    {
        var inv = Csv(Csv3);
        var plan = ReplacementPlanner.Plan(inv, Pack("  - {id: D, kind: deadline, from: 2026-12-31}\n"), Restrict(inv, "Huawei"),
            CostTable.Uniform(10), 1, new DateOnly(2026, 1, 1));
        var w = new StringWriter();
        NetworkReports.WritePlanHtml([plan], w);
        var html = w.ToString();
        Assert.Contains("<svg", html);
        Assert.Contains("<polyline", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        // one line per domain present (core, ran), starting at the share before the plan: core 100%, ran 50%
        Assert.Equal(2, html.Split("<polyline").Length - 1);
        Assert.Equal(1.0, plan.InitialShare["core"]);
        Assert.Equal(0.5, plan.InitialShare["ran"]);
    }

    [Fact]
    public void CheckHtml_EscapesInventoryText()
    {
        var inv = Csv(Header + "\n<b>x</b>,s1,north,core,core,AMF,Huawei,1\n");
        var r = Check(inv, Pack("  - {id: CORE, kind: exclude}\n"), "2024-01-01", "Huawei");
        var w = new StringWriter();
        NetworkReports.WriteCheckHtml(r, w);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", w.ToString());
        Assert.DoesNotContain("<b>x</b>", w.ToString());
    }
}

public sealed class CsvFieldTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    public void Csv_QuotesAndDefusesFormulas(string field, string expected) => Assert.Equal(expected, Assay.Network.Output.NetworkReports.Csv(field));
}
