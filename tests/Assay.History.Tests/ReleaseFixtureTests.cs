using Assay.Core.Model;
using Assay.Engine;
using Assay.History.Diff;

namespace Assay.History.Tests;

/// <summary>
/// End to end on two real releases (Fixtures/releases/make.sh): both scanned by the engine, then
/// diffed. Every planted change is found, under the in-tree path of the release it is in, and nothing
/// that was not planted shows up: the zip, the firmware image and the partition offset all changed
/// names, and every file's mtime changed.
/// </summary>
public sealed class ReleaseFixtureTests
{
    private static readonly Lazy<ReleaseDiffResult> Diff = new(() => ReleaseDiff.Compare(Scan("EX2000_1.0.0.zip"), Scan("EX2000_1.1.0.zip")));

    private static Evaluation Scan(string name) =>
        ScanEngine.Run(new ScanRequest(Fixture.Path("releases/" + name)) { SkipVulnerabilities = true, Parallelism = 1 });

    private static string Inner(string path) => path[(path.LastIndexOf("!/", StringComparison.Ordinal) + 1)..];

    [Fact]
    public void Files_ExactlyThePlantedChanges()
    {
        var d = Diff.Value;
        var changed = d.Files.Changed.Where(c => c.Path.Contains(".squashfs!/", StringComparison.Ordinal)).ToDictionary(c => Inner(c.Path), c => c.What);
        Assert.Equal(new Dictionary<string, string>
        {
            ["/bin/busybox"] = "content",
            ["/etc/inittab"] = "content",
            ["/etc/shadow"] = "mode",
            ["/etc/ssh/sshd_config"] = "content",
            ["/usr/bin/cli"] = "moved",
            ["/usr/sbin/httpd"] = "content",
        }, changed);
        Assert.Equal("/firmware/EX2000_1.1.0.bin!/0x20000.squashfs!/etc/new-feature.conf", Assert.Single(d.Files.Added).Path);
        Assert.Equal("/firmware/EX2000_1.0.0.bin!/0x10000.squashfs!/etc/obsolete.conf", Assert.Single(d.Files.Removed).Path);
        Assert.EndsWith("!/0x10000.squashfs!/bin/cli", d.Files.Changed.Single(c => c.What == "moved").OldPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Components_BusyBoxAndOpenSslChanged()
    {
        var d = Diff.Value;
        Assert.Equal([("busybox", "1.30.1", "1.36.1"), ("openssl", "1.0.2u", "1.1.1w")], d.Components.Changed.Select(c => (c.Name, c.From, c.To)));
        Assert.Empty(d.Components.Added);
        Assert.Empty(d.Components.Removed);
    }

    [Fact]
    public void Findings_NewFixedAndTheMovedLineUnchanged()
    {
        var d = Diff.Value;
        Assert.Equal(["ASSAY-SVC-UNAUTH-SHELL"], d.Findings.New.Where(f => f.Severity == Severity.Critical).Select(f => f.RuleId));
        Assert.Contains(d.Findings.New, f => f.RuleId == "ASSAY-PERM-SHADOW-READABLE");
        Assert.Contains(d.Findings.New, f => f.RuleId == "ASSAY-ELF-CANARY" && f.Path.EndsWith("/usr/sbin/httpd", StringComparison.Ordinal));
        Assert.Equal("ASSAY-SSH-PASSWORD-AUTH", Assert.Single(d.Findings.Fixed).RuleId);
        // PermitRootLogin moved from line 2 to line 5 and the SNMP community stayed: neither is new or fixed.
        Assert.DoesNotContain(d.Findings.New, f => f.RuleId is "ASSAY-SSH-ROOT-LOGIN" or "ASSAY-SNMP-V1V2C");
        // Findings of the moved /usr/bin/cli stay unchanged.
        Assert.DoesNotContain(d.Findings.New.Concat(d.Findings.Fixed), f => f.Path.EndsWith("/cli", StringComparison.Ordinal));
        Assert.True(d.Findings.Unchanged >= 5, $"{d.Findings.Unchanged} unchanged");
    }

    [Fact]
    public void Hardening_HttpdRegressedOnly()
    {
        var d = Diff.Value;
        Assert.All(d.Hardening.Regressions, r => Assert.EndsWith("/usr/sbin/httpd", r.Path, StringComparison.Ordinal));
        Assert.Equal(["canary", "pie", "relro", "unsafe-calls"], d.Hardening.Regressions.Select(r => r.Property));
        Assert.Equal(["system"], d.Hardening.Regressions.Single(r => r.Property == "unsafe-calls").Functions);
        Assert.Empty(d.Hardening.Improvements);
    }

    [Fact]
    public void Ts33117_StorageAndTransferNowFail() =>
        Assert.Contains(Diff.Value.Ts33117.Regressions, r => r.Section == "4.3.2.7");
}
