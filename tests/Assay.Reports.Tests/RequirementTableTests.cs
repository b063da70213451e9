using Assay.Core.Model;

namespace Assay.Reports.Tests;

/// <summary>The TS 33.117 rows the terminal summary and the HTML page show, read from the typed summary section.</summary>
public sealed class RequirementTableTests
{
    [Fact]
    public void Read_TakesEveryRowOfTheTypedSection_InOrder()
    {
        var e = new Evaluation
        {
            Tool = new ToolInfo("assay", "0.1.0"),
            Input = new InputInfo("x", 0, ""),
            Summaries = new EvaluationSummaries
            {
                Ts33117 = new Ts33117Summary
                {
                    Pass = 1,
                    Fail = 1,
                    Requirements =
                    [
                        new Ts33117Row { Section = "4.2.3.4.1.1", Title = "Password structure", Testability = "static", Status = "fail", Note = "2 finding(s)", FailedRules = ["ASSAY-PASSWD-WEAK-HASH"], Findings = 2, Checks = 7 },
                        new Ts33117Row { Section = "4.3.2.1", Title = "Unused functions", Testability = "partial", Status = "pass", Note = "" },
                    ],
                },
            },
        };

        var rows = RequirementTable.Read(e);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new RequirementRow("4.2.3.4.1.1", "Password structure", "fail", 7, rows[0].FailedRules, 2), rows[0]);
        Assert.Equal(["ASSAY-PASSWD-WEAK-HASH"], rows[0].FailedRules);
        Assert.Equal(("4.3.2.1", "pass", 0L, 0), (rows[1].Section, rows[1].Status, rows[1].Checks, rows[1].Findings));
        Assert.Empty(rows[1].FailedRules);
    }

    [Fact]
    public void Read_WithoutTheSection_IsEmpty() =>
        Assert.Empty(RequirementTable.Read(new Evaluation { Tool = new ToolInfo("assay", "0.1.0"), Input = new InputInfo("x", 0, "") }));
}
