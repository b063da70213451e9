using Assay.Analyzers.Rules;
using Assay.Core.Model;

namespace Assay.Analyzers.Tests;

public sealed class RegistryTests
{
    [Fact]
    public void Registry_Ids_UniqueLowerCaseAndSorted()
    {
        var ids = AnalyzerRegistry.CreateAll().Select(a => a.Id).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.All(ids, id => Assert.Equal(id.ToLowerInvariant(), id));
        var types = AnalyzerRegistry.CreateAll().Select(a => a.GetType().Name).ToList();
        Assert.Equal(types.Order(StringComparer.Ordinal), types);
    }

    [Fact]
    public void Registry_CreateAll_NewInstancesPerScan()
    {
        Assert.NotSame(AnalyzerRegistry.CreateAll()[0], AnalyzerRegistry.CreateAll()[0]);
    }

    [Fact]
    public void Catalog_EveryRule_HasTitleHelpRemediationAndKnownClauses()
    {
        var clauses = Ts33117Table.Requirements.Select(r => r.Section).ToHashSet();
        Assert.NotEmpty(RuleCatalog.All);
        foreach (var rule in RuleCatalog.All)
        {
            Assert.StartsWith("ASSAY-", rule.Id, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(rule.Title), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Help), rule.Id);
            Assert.False(string.IsNullOrWhiteSpace(rule.Remediation), rule.Id);
            Assert.All(rule.Requirements, s => Assert.Contains(s, clauses));
        }
    }

    [Fact]
    public void Catalog_UnknownRule_Throws()
    {
        Assert.Throws<KeyNotFoundException>(() => RuleCatalog.Get("ASSAY-NOPE"));
    }

    public static TheoryData<string> ConfigPaths =>
    [
        "/etc/inittab", "/etc/inetd.conf", "/etc/init.d/rcS", "/etc/ssh/sshd_config", "/etc/default/dropbear", "/etc/lighttpd/lighttpd.conf",
        "/etc/nginx/nginx.conf", "/etc/apache2/apache2.conf", "/etc/config/uhttpd", "/etc/hostapd/hostapd.conf", "/etc/config/wireless",
        "/etc/snmp/snmpd.conf", "/etc/sysctl.conf", "/boot/config-6.1", "/etc/shadow", "/etc/passwd", "/etc/ssl/private/key.pem",
        "/etc/dropbear/dropbear_rsa_host_key", "/usr/bin/prog",
    ];

    [Theory]
    [MemberData(nameof(ConfigPaths))]
    public void AllAnalyzers_RandomContent_NeverThrow(string inner)
    {
        var random = new Random(inner.Length * 7919);
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                // printable noise with the characters the parsers split on
                const string alphabet = "abc =:\"'#\n\t{};/-$!*0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
                for (var j = 0; j < bytes.Length; j++)
                    bytes[j] = (byte)alphabet[random.Next(alphabet.Length)];
            }
            foreach (var analyzer in AnalyzerRegistry.CreateAll())
                Harness.Run(analyzer, new ImageFile(inner, bytes, "0644"));
        }
    }

    [Fact]
    public void Ts33117_FindingsCiteClauses_StatusPerRequirement()
    {
        var findings = new List<Finding>
        {
            RuleCatalog.Finding("ASSAY-SVC-INSECURE-PROTOCOL", "fw!/etc/inittab", "telnetd", 3),
            RuleCatalog.Finding("ASSAY-ELF-NOT-STRIPPED", "fw!/bin/x"),
            RuleCatalog.Finding("ASSAY-KERNEL-IP-FORWARD", "fw!/etc/sysctl.conf"),
        };
        // The kernel rules examined one sysctl file; no web server configuration was in the image.
        var checks = new SortedDictionary<string, long> { ["ASSAY-KERNEL-IP-FORWARD"] = 1, ["ASSAY-KERNEL-ASLR"] = 1 };
        var evaluation = new Evaluation { Tool = new ToolInfo("assay", "0"), Input = new InputInfo("fw", 1, "00"), Findings = findings, RuleChecks = checks };
        var summary = Assert.IsType<Ts33117Summary>(Ts33117Table.Apply(evaluation).Summaries.Ts33117);
        var rows = summary.Requirements.ToDictionary(r => r.Section);
        Assert.Equal("fail", rows["4.3.2.1"].Status);
        Assert.Equal(["ASSAY-SVC-INSECURE-PROTOCOL"], rows["4.3.2.1"].FailedRules);
        Assert.Equal("fail", rows["4.2.3.2.4"].Status);
        // Info-severity findings are observations, not failures (a router forwards by design).
        Assert.Equal(("pass", 1), (rows["4.3.3.1.2"].Status, rows["4.3.3.1.2"].Observations));
        Assert.Equal(1, rows["4.3.3.1.2"].Checks);
        // Rules exist for directory listings, but nothing in the image let them look: not a pass.
        Assert.Equal(("not-checked", 0L), (rows["4.3.4.10"].Status, rows["4.3.4.10"].Checks));
        Assert.Equal("not-testable", rows["4.2.3.5.1"].Status);
        Assert.Equal("not-testable", rows["4.3.3.1.3"].Status);
        Assert.Equal(summary.Requirements.Count, summary.Pass + summary.Fail + summary.NotChecked + summary.NotTestable);
    }

    [Fact]
    public void Ts33117_Apply_KeepsOtherSummaries()
    {
        var evaluation = new Evaluation
        {
            Tool = new ToolInfo("assay", "0"),
            Input = new InputInfo("fw", 1, "00"),
            Summaries = new EvaluationSummaries { Hardening = new HardeningSummary { ElfFiles = 1 } },
        };
        var applied = Ts33117Table.Apply(evaluation);
        Assert.Equal(1, applied.Summaries.Hardening?.ElfFiles);
        Assert.Equal(0, Assert.IsType<Ts33117Summary>(applied.Summaries.Ts33117).Fail);
    }
}
