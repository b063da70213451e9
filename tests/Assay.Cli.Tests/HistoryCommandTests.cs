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

    private static string Rebuild(string name) => Path.Combine(Repo, "tests", "Assay.History.Tests", "Fixtures", "rebuild", name);

    [Fact]
    public void VerifyBuild_SameTreeAsSquashFsAndTarGz_ExitsZero()
    {
        var (code, stdout, _) = Run(["verify-build", Rebuild("delivered.sqfs"), Rebuild("same.tar.gz"), "--no-progress"]);
        Assert.Equal(0, code);
        Assert.Contains("reproducible", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyBuild_ResignedStrictThenNormalised_ExitsOneThenZeroWithASignedStatement()
    {
        var (strict, stdout, stderr) = Run(["verify-build", Rebuild("delivered.sqfs"), Rebuild("resigned.tar.gz"), "--no-progress", "-f", "json"]);
        Assert.Equal(1, strict);
        Assert.Equal("not-reproducible", JsonNode.Parse(stdout)!["verdict"]!.GetValue<string>());
        Assert.Contains("not reproducible", stderr, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("assay-verify-cli-");
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var keyFile = Path.Combine(dir.FullName, "lab.pem");
            File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
            var outFile = Path.Combine(dir.FullName, "attestation.json");
            var (code, _, _) = Run(["verify-build", Rebuild("delivered.sqfs"), Rebuild("resigned.tar.gz"), "--normalise", "signatures", "-f", "intoto", "--sign-key", keyFile, "-o", outFile, "--no-progress"]);
            Assert.Equal(0, code);
            var envelope = JsonNode.Parse(File.ReadAllText(outFile))!;
            var payload = Convert.FromBase64String(envelope["payload"]!.GetValue<string>());
            Assert.Equal("reproducible", JsonNode.Parse(payload)!["predicate"]!["verdict"]!.GetValue<string>());
            var pae = System.Text.Encoding.ASCII.GetBytes($"DSSEv1 28 application/vnd.in-toto+json {payload.Length} ").Concat(payload).ToArray();
            Assert.True(key.VerifyData(pae, Convert.FromBase64String(envelope["signatures"]![0]!["sig"]!.GetValue<string>()),
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--normalise", "debug" }, 2)]
    [InlineData(new[] { "--sign-key", "/etc/hostname" }, 2)]
    [InlineData(new[] { "-f", "intoto", "--sign-key", "/nonexistent/key.pem" }, 3)]
    public void VerifyBuild_BadInvocation_HasTheDocumentedExitCode(string[] extra, int expected)
    {
        var (code, _, stderr) = Run(["verify-build", Rebuild("delivered.sqfs"), Rebuild("same.tar.gz"), "--no-progress", .. extra]);
        Assert.Equal(expected, code);
        Assert.StartsWith("assay: ", stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Out, string Err) Run(string[] args) => AssayProcess.Run(args);
}
