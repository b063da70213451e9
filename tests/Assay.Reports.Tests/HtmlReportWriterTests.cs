using Assay.Core.Model;

namespace Assay.Reports.Tests;

public sealed class HtmlReportWriterTests
{
    [Fact]
    public void Summary_TerminalEscapesInNames_AreShownNotSent()
    {
        var e = new Evaluation
        {
            Tool = new ToolInfo("assay", "0.1.0"),
            Input = new InputInfo("/x/in.tar", 10, new string('a', 64)),
            Files = [new FileRecord { Path = "in.tar", Kind = NodeKind.File, Format = "tar", Type = new FileTypeInfo { Class = "archive", Description = "tar" } }, new FileRecord { Path = "in.tar!/bin/\u001b]0;OWNED\u0007\u001b[31mRED", Kind = NodeKind.File, Size = 1 }],
            Findings = [new Finding { RuleId = "ASSAY-X", Category = "permissions", Severity = Severity.High, Title = "\u001b[2Jcleared", Path = "in.tar!/bin/\u001b]0;OWNED\u0007" }],
        };
        using var stream = new MemoryStream();
        new SummaryReportWriter().Write(e, stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Contains("\\x1b[2Jcleared", text, StringComparison.Ordinal);
    }

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
