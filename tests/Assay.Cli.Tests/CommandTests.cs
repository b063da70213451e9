using System.Diagnostics;
using System.Text.Json;

namespace Assay.Cli.Tests;

/// <summary>
/// End to end: the built <c>assay</c> command in a process, for <c>network</c>, <c>db</c>, <c>vulns</c>
/// and <c>formats</c>, against the documented output and exit codes (README.md, docs/network.md,
/// src/Assay.Vulnerabilities/README.md). Inputs are the repository's samples and fixtures and the
/// hand-written files in Fixtures/commands (see its README).
/// </summary>
public sealed class CommandTests
{
    private static readonly string Repo = FindRepo();

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Assay.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (Assay.slnx) not found above the test folder");
    }

    private static string NetworkSample(string name) => Path.Combine(Repo, "samples", "network", name);

    private static string Fixture(string name) => Path.Combine(Repo, "tests", "Assay.Cli.Tests", "Fixtures", "commands", name);

    private static string NvdSample => Path.Combine(Repo, "tests", "Assay.Vulnerabilities.Tests", "Fixtures", "nvd", "sample.jsonl");

    // A fixed date and plan start: without them the result depends on the day the test runs.
    private const string At = "2026-11-25";
    private const string Start = "2026-12-01";

    private static readonly string[] BuiltinPacks = ["uk-2020", "uk-dvd", "eu-sm03", "de-2024", "se-2020"];

    // ---------------- network policies ----------------

    [Fact]
    public void NetworkPolicies_NoOptions_ListsTheFiveBuiltinPacks()
    {
        var (code, stdout, _) = Run(["network", "policies"]);
        Assert.Equal(ExitCodes.Ok, code);
        var ids = FirstColumn(stdout);
        Assert.All(BuiltinPacks, id => Assert.Contains(id, ids));
    }

    [Theory]
    [InlineData("uk-2020")]
    [InlineData("uk-dvd")]
    [InlineData("eu-sm03")]
    [InlineData("de-2024")]
    [InlineData("se-2020")]
    public void NetworkPoliciesShow_BuiltinId_PrintsThePackYaml(string id)
    {
        var (code, stdout, _) = Run(["network", "policies", "--show", id]);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($"id: {id}", stdout, StringComparison.Ordinal);
        Assert.Contains("rules:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPoliciesShow_UnknownId_IsUsageAndListsTheValidIds()
    {
        var (code, _, stderr) = Run(["network", "policies", "--show", "uk-2099"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("uk-2099", stderr, StringComparison.Ordinal);
        Assert.All(BuiltinPacks, id => Assert.Contains(id, stderr, StringComparison.Ordinal));
    }

    // ---------------- network check ----------------

    [Fact]
    public void NetworkCheck_SampleWithHighRiskVendor_ExitsOneWithViolationsOfThatVendorOnly()
    {
        var inventory = NetworkSample("inventory.csv");
        var (code, stdout, _) = Run(["network", "check", inventory, "--policy", "uk-2020", "--high-risk", "Huawei", "--at", At, "-f", "json"]);
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);

        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("uk-2020", root.GetProperty("policy").GetString());
        Assert.Equal(At, root.GetProperty("at").GetString());
        Assert.False(root.GetProperty("compliant").GetBoolean());
        Assert.Equal(new[] { "Huawei" }, root.GetProperty("restrictedVendors").EnumerateArray().Select(v => v.GetString()!));

        var violations = root.GetProperty("violations").EnumerateArray().ToList();
        Assert.NotEmpty(violations);
        var vendorOf = ReadCsv(inventory).ToDictionary(r => r["element_id"], r => r["vendor"], StringComparer.Ordinal);
        foreach (var v in violations)
        {
            Assert.False(string.IsNullOrEmpty(v.GetProperty("rule").GetString()));
            var elements = v.GetProperty("elements").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.NotEmpty(elements);
            // Every element named by a violation is in the inventory and made by the restricted vendor.
            Assert.All(elements, e => Assert.Equal("Huawei", vendorOf[e]));
        }

        // UK-2020-HRV-01 excludes high-risk vendors from the core: the sample's Huawei core elements
        // are exactly LON-C1-UPF and LON-C1-MME (samples/network/inventory.csv, domain 'core').
        var core = violations.Single(v => v.GetProperty("rule").GetString() == "UK-2020-HRV-01");
        var expectedCore = ReadCsv(inventory).Where(r => r["domain"] == "core" && r["vendor"] == "Huawei").Select(r => r["element_id"]).Order(StringComparer.Ordinal);
        Assert.Equal(expectedCore, core.GetProperty("elements").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NetworkCheck_SampleWithAVendorThatIsNotThere_IsCompliantAndSaysSo()
    {
        // 'Acme' restricts nobody in the sample: compliant, and the assumptions point at the spelling.
        var (code, stdout, _) = Run(["network", "check", NetworkSample("inventory.csv"), "--policy", "uk-2020", "--high-risk", "Acme", "--at", At, "-f", "json"]);
        Assert.Equal(ExitCodes.Ok, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("compliant").GetBoolean());
        Assert.Contains(doc.RootElement.GetProperty("assumptions").EnumerateArray(), a => a.GetString()!.Contains("Acme", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("uk-2020")]
    [InlineData("uk-dvd")]
    [InlineData("eu-sm03")]
    [InlineData("de-2024")]
    [InlineData("se-2020")]
    public void NetworkCheck_InventoryWithoutRestrictedVendors_ExitsZeroWithNoViolations(string pack)
    {
        var (code, stdout, stderr) = Run(["network", "check", Fixture("compliant.csv"), "--policy", pack, "--high-risk", "Huawei,ZTE", "--at", At, "-f", "json"]);
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("compliant").GetBoolean());
        Assert.Empty(doc.RootElement.GetProperty("violations").EnumerateArray());
        Assert.Equal(7, doc.RootElement.GetProperty("elements").GetInt32());
    }

    [Fact]
    public void NetworkCheck_CsvWithABadRow_IsInputUnreadableAndNamesTheLine()
    {
        var (code, stdout, stderr) = Run(["network", "check", Fixture("bad-row.csv"), "--policy", "uk-2020", "--at", At]);
        Assert.Equal(ExitCodes.InputUnreadable, code);
        // Line 4 holds weight 'lots'; lines 2, 3 and 5 are valid (Fixtures/commands/README.md).
        Assert.Contains("bad-row.csv:4:", stderr, StringComparison.Ordinal);
        Assert.Contains("weight", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bad-row.csv:3:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bad-row.csv:5:", stderr, StringComparison.Ordinal);
        // Nothing is loaded from a file with errors: no report on standard output.
        Assert.Equal("", stdout.Trim());
    }

    [Fact]
    public void NetworkCheck_UnknownPolicy_IsUsageAndListsTheValidIds()
    {
        // docs/network.md: exit 2 for an unknown pack, "the message lists the valid choices".
        var (code, stdout, stderr) = Run(["network", "check", NetworkSample("inventory.csv"), "--policy", "uk-2099", "--at", At, "-f", "json"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("uk-2099", stderr, StringComparison.Ordinal);
        Assert.All(BuiltinPacks, id => Assert.Contains(id, stderr, StringComparison.Ordinal));
        Assert.Equal("", stdout.Trim());
    }

    [Theory]
    [InlineData(new[] { "--at", "2026-13-01" }, ExitCodes.Usage)]
    [InlineData(new[] { "-f", "pdf" }, ExitCodes.Usage)]
    [InlineData(new[] { "--vendors", "/nonexistent/vendors.csv" }, ExitCodes.InputUnreadable)]
    public void NetworkCheck_BadOption_HasTheDocumentedExitCode(string[] extra, int expected)
    {
        var (code, _, stderr) = Run(["network", "check", NetworkSample("inventory.csv"), "--policy", "uk-2020", .. extra]);
        Assert.Equal(expected, code);
        Assert.NotEqual("", stderr.Trim());
    }

    [Fact]
    public void NetworkCheck_MissingInventory_IsInputUnreadable()
    {
        var (code, _, stderr) = Run(["network", "check", "/nonexistent/inventory.csv", "--policy", "uk-2020"]);
        Assert.Equal(ExitCodes.InputUnreadable, code);
        Assert.Contains("/nonexistent/inventory.csv", stderr, StringComparison.Ordinal);
    }

    // ---------------- network plan ----------------

    private static string[] PlanArgs(string capacity, params string[] extra) =>
        ["network", "plan", NetworkSample("inventory.csv"), "--policy", "uk-dvd", "--vendors", NetworkSample("vendors.csv"),
         "--costs", NetworkSample("costs.csv"), "--capacity", capacity, "--start", Start, .. extra];

    [Fact]
    public void NetworkPlanCompare_ScenarioMissingADeadline_ExitsOneAndNamesScenarioAndDeadline()
    {
        // At 1 unit per month the 52 units due by UK-DVD-07 cannot be done in 13 months (see below).
        var (code, _, stderr) = Run(PlanArgs("1", "-f", "json", "--compare", NetworkSample("full-removal.yaml")));
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        Assert.Contains("scenario 'uk-dvd' misses", stderr, StringComparison.Ordinal);
        Assert.Contains("UK-DVD-07 due 2027-12-31", stderr, StringComparison.Ordinal);
        Assert.Contains("units/month", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkRisk_OneLinkedEvaluationMissing_RanksTheOthersAndExitsFive()
    {
        var dir = TempDir("assay-risk");
        try
        {
            var evaluation = Path.Combine(dir, "ex1000.json");
            var (scanCode, _, scanErr) = Run(["scan", Path.Combine(Repo, "samples", "delivery-EX1000_1.2.0.zip"), "-f", "json", "-o", evaluation, "--no-progress", "--no-vulns"]);
            Assert.True(scanCode == ExitCodes.Ok, scanErr);
            var inventory = ReadCsv(NetworkSample("inventory.csv"));
            var products = inventory.Select(r => (r["vendor"], r["model"], r["software_version"])).Distinct().Take(2).ToList();
            var links = Path.Combine(dir, "links.csv");
            File.WriteAllText(links, "vendor,model,software_version,evaluation\n" +
                $"{products[0].Item1},{products[0].Item2},{products[0].Item3},ex1000.json\n" +
                $"{products[1].Item1},{products[1].Item2},{products[1].Item3},missing.json\n");
            var (code, stdout, stderr) = Run(["network", "risk", NetworkSample("inventory.csv"), "--evidence", links, "-f", "json"]);
            Assert.Equal(ExitCodes.Incomplete, code);
            Assert.Contains("missing.json", stderr, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal(1, doc.RootElement.GetProperty("evaluations").GetArrayLength());
            Assert.True(doc.RootElement.GetProperty("assessed").GetInt32() > 0);
            Assert.Equal(products[1].Item1, doc.RootElement.GetProperty("linkProblems")[0].GetProperty("vendor").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Why 4 is the least capacity that meets every deadline ahead (docs/network.md, C* = max W(d)/M(d)):
    // the last uk-dvd deadline, UK-DVD-07 on 2027-12-31, has all 52 work units of the sample's Huawei
    // elements due (costs.csv efforts: 2 core x 20, OLT 2, aggregation router 4, 5 RAN x 1, microwave 1)
    // within the 13 months 2026-12 .. 2027-12: 52 / 13 = 4.
    private const double RequiredCapacity = 4;

    [Fact]
    public void NetworkPlan_EnoughCapacity_ExitsZeroWithAScheduleMeetingEveryDeadlineAhead()
    {
        var (code, stdout, stderr) = Run(PlanArgs("4", "-f", "json"));
        Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("feasible").GetBoolean());
        Assert.Equal(RequiredCapacity, root.GetProperty("requiredCapacity").GetDouble());
        Assert.Equal("2026-12", root.GetProperty("start").GetString());

        var deadlines = root.GetProperty("deadlines").EnumerateArray().ToList();
        Assert.NotEmpty(deadlines);
        // Every deadline is either met or was already past at the start (overdue).
        Assert.All(deadlines, d => Assert.True(d.GetProperty("met").GetBoolean() || d.GetProperty("overdue").GetBoolean(), d.GetProperty("message").GetString()));
        Assert.Contains(deadlines, d => d.GetProperty("rule").GetString() == "UK-DVD-07" && d.GetProperty("met").GetBoolean());

        // The schedule: months in order from the start, replacing every planned element once.
        var months = root.GetProperty("months").EnumerateArray().ToList();
        Assert.NotEmpty(months);
        Assert.Equal("2026-12", months[0].GetProperty("month").GetString());
        var names = months.Select(m => m.GetProperty("month").GetString()!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var replacements = root.GetProperty("replacements").EnumerateArray().ToList();
        Assert.Equal(root.GetProperty("elementsReplaced").GetInt32(), replacements.Count);
        Assert.Equal(replacements.Count, months.Sum(m => m.GetProperty("replaced").GetInt32()));
        Assert.All(replacements, r => Assert.Equal("Huawei", r.GetProperty("vendor").GetString()));
        Assert.Equal(replacements.Count, replacements.Select(r => r.GetProperty("element").GetString()).Distinct().Count());
    }

    [Fact]
    public void NetworkPlan_TooLittleCapacity_ExitsOneAndNamesTheDeadlineThatCannotBeMet()
    {
        var (code, stdout, _) = Run(PlanArgs("2", "-f", "json"));
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.False(root.GetProperty("feasible").GetBoolean());
        Assert.Equal(RequiredCapacity, root.GetProperty("requiredCapacity").GetDouble());
        var missed = root.GetProperty("deadlines").EnumerateArray().Single(d => d.GetProperty("rule").GetString() == "UK-DVD-07");
        Assert.False(missed.GetProperty("met").GetBoolean());
        Assert.False(missed.GetProperty("overdue").GetBoolean());
        var message = missed.GetProperty("message").GetString()!;
        Assert.Contains("CANNOT be met with capacity 2/month", message, StringComparison.Ordinal);
        Assert.Contains("capacity 4/month would meet it", message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPlan_TinyCapacity_TableSaysWhichDeadlineIsMissed()
    {
        var (code, stdout, _) = Run(PlanArgs("1"));
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        var missed = stdout.Split('\n').Where(l => l.TrimStart().StartsWith("MISSED", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(missed);
        Assert.Contains("UK-DVD-07 2027-12-31: CANNOT be met with capacity 1/month", line, StringComparison.Ordinal);
        Assert.Contains("capacity 4/month would meet it", line, StringComparison.Ordinal);
        Assert.Contains("NOT every deadline can be met", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPlan_FractionalCapacity_MessageStatesTheCapacityGiven()
    {
        var (code, stdout, _) = Run(PlanArgs("0.1"));
        Assert.Equal(ExitCodes.FindingsOverThreshold, code);
        Assert.Contains("CANNOT be met with capacity 0.1/month", stdout, StringComparison.Ordinal);
        Assert.Contains("capacity 0.1 work units/month", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void NetworkPlan_NonPositiveCapacity_IsUsage(string capacity)
    {
        var (code, _, stderr) = Run(PlanArgs(capacity));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--capacity", stderr, StringComparison.Ordinal);
    }

    // ---------------- network generate ----------------

    [Fact]
    public void NetworkGenerate_Sites_WritesAnInventoryThatCheckReads()
    {
        var dir = TempDir("assay-gen");
        try
        {
            var file = Path.Combine(dir, "network.csv");
            var (code, _, stderr) = Run(["network", "generate", "--sites", "20", "--seed", "7", "-o", file]);
            Assert.True(code == ExitCodes.Ok, $"exit {code}: {stderr}");
            var rows = ReadCsv(file);
            Assert.NotEmpty(rows);
            Assert.Equal(20, rows.Select(r => r["site_id"]).Distinct().Count());

            var (checkCode, stdout, checkErr) = Run(["network", "check", file, "--policy", "uk-2020", "--high-risk", "Huawei,ZTE", "--at", At, "-f", "json"]);
            Assert.True(checkCode is ExitCodes.Ok or ExitCodes.FindingsOverThreshold, $"exit {checkCode}: {checkErr}");
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal(rows.Count, doc.RootElement.GetProperty("elements").GetInt32());
            Assert.Equal(20, doc.RootElement.GetProperty("sites").GetInt32());
            // The exit code follows the verdict in the report.
            Assert.Equal(doc.RootElement.GetProperty("compliant").GetBoolean() ? ExitCodes.Ok : ExitCodes.FindingsOverThreshold, checkCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NetworkGenerate_SameSeed_SameFile()
    {
        var a = Run(["network", "generate", "--sites", "10", "--seed", "3"]);
        var b = Run(["network", "generate", "--sites", "10", "--seed", "3"]);
        Assert.Equal(ExitCodes.Ok, a.Code);
        Assert.StartsWith("element_id,", a.Out, StringComparison.Ordinal);
        Assert.Equal(a.Out, b.Out);
    }

    [Fact]
    public void NetworkGenerate_TooFewSites_IsUsage()
    {
        var (code, _, stderr) = Run(["network", "generate", "--sites", "2"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--sites", stderr, StringComparison.Ordinal);
    }

    // ---------------- db and vulns ----------------

    [Fact]
    public void DbImportStatusVulns_NvdSample_CountsMatchesAndGates()
    {
        var dir = TempDir("assay-vulns");
        try
        {
            var db = Path.Combine(dir, "v.db");
            // sample.jsonl is JSON Lines: one CVE record per non-empty line.
            var records = File.ReadLines(NvdSample).Count(l => l.Trim().Length > 0);

            var (importCode, importOut, importErr) = Run(["db", "import", NvdSample, "--db", db]);
            Assert.True(importCode == ExitCodes.Ok, $"exit {importCode}: {importErr}");
            Assert.Contains($"{records} added", importOut, StringComparison.Ordinal);
            Assert.Contains("0 malformed", importOut, StringComparison.Ordinal);

            var (statusCode, statusOut, _) = Run(["db", "status", "--db", db]);
            Assert.Equal(ExitCodes.Ok, statusCode);
            Assert.Matches($@"(?m)^vulnerabilities\s+{records}\b", statusOut);
            Assert.Matches($@"(?m)^nvd\s+{records}\b", statusOut);

            var (code, stdout, _) = Run(["vulns", "--component", "openssl@1.0.1f", "--db", db]);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Contains("CVE-2014-0160", stdout, StringComparison.Ordinal);

            // Heartbleed is high (CVSS 7.5) in the fixture: --fail-on high gates, --fail-on critical does not.
            Assert.Equal(ExitCodes.FindingsOverThreshold, Run(["vulns", "--component", "openssl@1.0.1f", "--db", db, "--fail-on", "high"]).Code);
            Assert.Equal(ExitCodes.Ok, Run(["vulns", "--component", "openssl@1.0.1f", "--db", db, "--fail-on", "critical"]).Code);

            var (jsonCode, json, _) = Run(["vulns", "--component", "openssl@1.0.1f", "--db", db, "-f", "json"]);
            Assert.Equal(ExitCodes.Ok, jsonCode);
            using (var doc = JsonDocument.Parse(json))
            {
                var heartbleed = doc.RootElement.GetProperty("vulnerabilities").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "CVE-2014-0160");
                Assert.Equal("high", heartbleed.GetProperty("severity").GetString());
            }

            // 1.0.1g is the Heartbleed fix; the fixture's entry lists 1.0.1 .. 1.0.1f only.
            var (fixedCode, fixedOut, _) = Run(["vulns", "--component", "openssl@1.0.1g", "--db", db]);
            Assert.Equal(ExitCodes.Ok, fixedCode);
            Assert.DoesNotContain("CVE-2014-0160", fixedOut, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "vulns", "--component", "openssl@1.0.1f", "--db", "/nonexistent/v.db" }, ExitCodes.InputUnreadable)]
    [InlineData(new[] { "db", "status", "--db", "/nonexistent/v.db" }, ExitCodes.InputUnreadable)]
    [InlineData(new[] { "db", "import", "/nonexistent/feed.jsonl", "--db", "/nonexistent/v.db" }, ExitCodes.InputUnreadable)]
    [InlineData(new[] { "vulns", "--component", "openssl", "--db", "/nonexistent/v.db" }, ExitCodes.Usage)]
    [InlineData(new[] { "vulns", "--db", "/nonexistent/v.db" }, ExitCodes.Usage)]
    [InlineData(new[] { "vulns", "--component", "openssl@1.0.1f", "--fail-on", "severe" }, ExitCodes.Usage)]
    public void Vulns_BadInvocation_HasTheDocumentedExitCodeAndAMessage(string[] args, int expected)
    {
        var (code, _, stderr) = Run(args);
        Assert.Equal(expected, code);
        Assert.NotEqual("", stderr.Trim());
    }

    [Fact]
    public void Vulns_MissingDatabase_SaysHowToCreateIt()
    {
        var (_, _, stderr) = Run(["vulns", "--component", "openssl@1.0.1f", "--db", "/nonexistent/v.db"]);
        Assert.Contains("assay db import", stderr, StringComparison.Ordinal);
    }

    // ---------------- formats ----------------

    [Fact]
    public void Formats_NoOptions_ListsTheCoreHandlerIds()
    {
        var (code, stdout, _) = Run(["formats"]);
        Assert.Equal(ExitCodes.Ok, code);
        var ids = FirstColumn(stdout);
        Assert.All(new[] { "gzip", "tar", "zip", "squashfs", "ext", "ubi", "ubifs", "jffs2", "uimage" }, id => Assert.Contains(id, ids));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Formats_Verbose_ShowsMagicOfSquashFs()
    {
        var (code, stdout, _) = Run(["formats", "-v"]);
        Assert.Equal(ExitCodes.Ok, code);
        // "hsqs", the little-endian SquashFS 4.0 magic.
        Assert.Contains("68737173", stdout, StringComparison.Ordinal);
    }

    // ---------------- helpers ----------------

    private static List<string> FirstColumn(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).Select(l => l.Split(' ', 2)[0].Trim())];

    /// <summary>A simple CSV (no quoted fields, as in the samples and the generator's output) as rows keyed by header.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(l =>
        {
            var fields = l.Split(',');
            Assert.Equal(header.Length, fields.Length);
            return header.Zip(fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        })];
    }

    private static string TempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static (int Code, string Out, string Err) Run(string[] args) => AssayProcess.Run(args);
}
