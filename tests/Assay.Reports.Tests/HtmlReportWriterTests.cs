using Assay.Core.Model;

namespace Assay.Reports.Tests;

public sealed class HtmlReportWriterTests
{
    [Fact]
    public void Html_HostileNames_AreEncodedAndNoScriptIsEmitted()
    {
        var e = new Evaluation
        {
            Tool = new ToolInfo("assay", "0.1.0"),
            Input = new InputInfo("/x/<img src=x onerror=alert(1)>.bin", 10, new string('a', 64)),
            Files = [new FileRecord { Path = "a.tar!/<script>alert(1)</script>", Kind = NodeKind.File, Size = 1 }],
            Findings = [new Finding { RuleId = "ASSAY-X", Category = "secret", Severity = Severity.High, Title = "t & <b>", Path = "a.tar!/<script>" }],
        };
        using var stream = new MemoryStream();
        new HtmlReportWriter().Write(e, stream);
        var html = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("t &amp; &lt;b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("class=\"sev high\"", html, StringComparison.Ordinal);
    }
}
