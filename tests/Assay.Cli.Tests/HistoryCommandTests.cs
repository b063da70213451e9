using System.Text.Json.Nodes;

namespace Assay.Cli.Tests;

/// <summary>
/// End to end: <c>assay diff</c> (and later <c>assay verify-build</c>) in a process, on the release
/// fixtures of Assay.History.Tests (made by their recipe), against the documented exit codes.
/// </summary>
public sealed class HistoryCommandTests
{
    private static readonly string Repo = Fixture.RepoRoot;

    private static string Releases(string name) => Path.Combine(Repo, "tests", "Assay.History.Tests", "Fixtures", "releases", name);

    [Fact]
    public void Diff_TwoDeliveries_FailsOnANewCriticalFinding()
    {
        var (code, stdout, stderr) = Run(["diff", Releases("EX2000_1.0.0.zip"), Releases("EX2000_1.1.0.zip"), "--no-vulns", "--no-progress", "--fail-on-new", "critical"]);
        Assert.Equal(1, code);
        Assert.Contains("ASSAY-SVC-UNAUTH-SHELL", stdout, StringComparison.Ordinal);
        Assert.Contains("--fail-on-new", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_EvaluationDocuments_GiveTheJsonContract()
    {
        var dir = Directory.CreateTempSubdirectory("assay-diff-cli-");
        try
        {
            var old = Path.Combine(dir.FullName, "old.json");
            var @new = Path.Combine(dir.FullName, "new.json");
            Assert.Equal(0, Run(["scan", Releases("EX2000_1.0.0.zip"), "-f", "json", "-o", old, "--no-vulns", "--no-progress"]).Code);
            Assert.Equal(0, Run(["scan", Releases("EX2000_1.1.0.zip"), "-f", "json", "-o", @new, "--no-vulns", "--no-progress"]).Code);
            var (code, stdout, _) = Run(["diff", old, @new, "-f", "json", "--fail-on-new", "critical"]);
            Assert.Equal(1, code);
            var doc = JsonNode.Parse(stdout)!;
            Assert.Contains(doc["findings"]!["new"]!.AsArray(), f => f!["ruleId"]!.GetValue<string>() == "ASSAY-SVC-UNAUTH-SHELL");
            Assert.Equal(2, doc["components"]!["changed"]!.AsArray().Count);
            // The same release against itself: nothing new, exit 0 whatever the threshold.
            Assert.Equal(0, Run(["diff", old, old, "--fail-on-new", "info"]).Code);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("missing", 3)]
    [InlineData("broken-json", 3)]
    [InlineData("bad-threshold", 2)]
    [InlineData("one-argument", 2)]
    public void Diff_BadInvocation_HasTheDocumentedExitCode(string what, int expected)
    {
        var dir = Directory.CreateTempSubdirectory("assay-diff-cli-");
        try
        {
            var broken = Path.Combine(dir.FullName, "broken.json");
            File.WriteAllText(broken, "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"files\":[");
            string[] args = what switch
            {
                "missing" => ["diff", "/nonexistent/a.zip", Releases("EX2000_1.1.0.zip")],
                "broken-json" => ["diff", broken, broken],
                "bad-threshold" => ["diff", broken, broken, "--fail-on-new", "severe"],
                _ => ["diff", broken],
            };
            var (code, _, stderr) = Run(args);
            Assert.Equal(expected, code);
            Assert.StartsWith("assay: ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (int Code, string Out, string Err) Run(string[] args) => AssayProcess.Run(args);
}
