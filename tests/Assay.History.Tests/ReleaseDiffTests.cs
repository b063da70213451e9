using Assay.Core.Model;
using Assay.History.Diff;

namespace Assay.History.Tests;

/// <summary>Every category of the release diff on synthetic releases (1.2.0 → 1.3.0, the SquashFS root carved at another offset).</summary>
public sealed class ReleaseDiffTests
{
    private static readonly string A = Release.Sha("a"), B = Release.Sha("b"), C = Release.Sha("c");

    private static ReleaseDiffResult Diff(Release old, Release @new) => ReleaseDiff.Compare(old.Build(), @new.Build());

    private static Release Old() => new("1.2.0", 0x10000);
    private static Release New() => new("1.3.0", 0x24000);

    [Fact]
    public void Files_RenamedDeliveryAndMovedPartition_StillMatchByInTreePath()
    {
        var d = Diff(Old().File("/etc/passwd", A), New().File("/etc/passwd", A));
        Assert.DoesNotContain(d.Files.Added, f => f.Kind == "file" && f.Container is null);
        Assert.Empty(d.Files.Removed);
        Assert.DoesNotContain(d.Files.Changed, c => c.Path.EndsWith("/etc/passwd", StringComparison.Ordinal));
    }

    [Fact]
    public void Files_AddedRemovedAndChanged_AreEachReported()
    {
        var d = Diff(
            Old().File("/etc/passwd", A).File("/etc/gone", B).File("/bin/tool", C, mode: "0755").File("/etc/owned", A).Symlink("/sbin/x", "/bin/a"),
            New().File("/etc/passwd", B).File("/etc/new", B).File("/bin/tool", C, mode: "4755").File("/etc/owned", A, uid: 1000).Symlink("/sbin/x", "/bin/b"));
        Assert.Equal("/firmware/EX1000_1.3.0.bin!/0x24000.squashfs!/etc/new", Assert.Single(d.Files.Added).Path);
        Assert.Equal("/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/gone", Assert.Single(d.Files.Removed).Path);
        var changed = d.Files.Changed.Where(c => c.Container is null).ToDictionary(c => c.Path[(c.Path.LastIndexOf('!') + 1)..], c => c);
        Assert.Equal("content", changed["/etc/passwd"].What);
        Assert.Equal(("mode", "mode 0755", "mode 4755"), (changed["/bin/tool"].What, changed["/bin/tool"].From, changed["/bin/tool"].To));
        Assert.Equal(("owner", "owner 0:0", "owner 1000:0"), (changed["/etc/owned"].What, changed["/etc/owned"].From, changed["/etc/owned"].To));
        Assert.Equal("target", changed["/sbin/x"].What);
    }

    [Fact]
    public void Files_SameTreeInAnotherContainer_ListsNoContainerRecords()
    {
        // rootfs.tar.gz and rootfs.ext4 of one tree: the delivery and the decompressed tar carry the
        // files and have no place in the tree; only what really differs (ext4's lost+found) is listed.
        static FileRecord F(string path, string sha, string? format = null, string? cls = null) => new()
        {
            Path = path, Kind = NodeKind.File, Size = 10, Sha256 = sha, Mode = "0644", Uid = 0, Gid = 0, Format = format,
            Type = cls is null ? null : new FileTypeInfo { Class = cls, Description = cls },
        };
        static Evaluation E(string name, params FileRecord[] files) => new()
        {
            Tool = new ToolInfo("assay", "0.1.0"),
            Input = new InputInfo("/deliveries/" + name, 10, Release.Sha(name)),
            Files = [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)],
        };
        var tar = E("rootfs.tar.gz",
            F("rootfs.tar.gz", Release.Sha("gz"), "gzip", "compressed"),
            F("rootfs.tar.gz!/rootfs.tar", Release.Sha("tar"), "tar", "archive"),
            F("rootfs.tar.gz!/rootfs.tar!/etc/passwd", A));
        var ext4 = E("rootfs.ext4",
            F("rootfs.ext4", Release.Sha("ext4"), "ext", "filesystem"),
            F("rootfs.ext4!/etc/passwd", A),
            new FileRecord { Path = "rootfs.ext4!/lost+found", Kind = NodeKind.Dir, Mode = "0700", Uid = 0, Gid = 0 });
        var d = ReleaseDiff.Compare(tar, ext4);
        Assert.Equal("/lost+found", Assert.Single(d.Files.Added).Path);
        Assert.Empty(d.Files.Removed);
        Assert.Empty(d.Files.Changed);
        Assert.Equal(1, d.Files.Unchanged);

        // A compressed file inside the tree whose stream holds nothing further stays a file of its own.
        var tree = new DeliveryTree(tar.Files);
        Assert.True(tree.IsTransparent("rootfs.tar.gz"));
        Assert.True(tree.IsTransparent("rootfs.tar.gz!/rootfs.tar"));
        Assert.False(tree.IsTransparent("rootfs.tar.gz!/rootfs.tar!/etc/passwd"));
        Assert.False(new DeliveryTree([F("app.bin", A)]).IsTransparent("app.bin"));
    }

    [Fact]
    public void Files_MtimeAlone_IsNotAChange()
    {
        var d = Diff(Old().File("/etc/passwd", A, mtime: 1), New().File("/etc/passwd", A, mtime: 2));
        Assert.DoesNotContain(d.Files.Changed, c => c.Container is null);
    }

    [Fact]
    public void Files_MovedBinary_KeepsIdentityByNameAndContentOrBuildId()
    {
        var d = Diff(
            Old().Elf("/usr/bin/same", A).Elf("/usr/bin/rebuilt", B, buildId: "1234").Elf("/usr/bin/other", C),
            New().Elf("/opt/bin/same", A).Elf("/opt/bin/rebuilt", C, buildId: "1234").Elf("/opt/bin/renamed", C));
        var moved = d.Files.Changed.Where(c => c.What.StartsWith("moved", StringComparison.Ordinal)).ToDictionary(c => c.Path[(c.Path.LastIndexOf('!') + 1)..]);
        Assert.Equal("moved", moved["/opt/bin/same"].What);
        Assert.EndsWith("/usr/bin/same", moved["/opt/bin/same"].OldPath, StringComparison.Ordinal);
        Assert.Equal("moved, content", moved["/opt/bin/rebuilt"].What);
        // Same content but another name is not the same binary.
        Assert.EndsWith("/usr/bin/other", Assert.Single(d.Files.Removed).Path, StringComparison.Ordinal);
        Assert.EndsWith("/opt/bin/renamed", Assert.Single(d.Files.Added).Path, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_ContainerRenamedBeyondVersionNumbers_MatchesByItsChildren()
    {
        var old = Old().File("/etc/a", A).File("/etc/b", A).File("/etc/c", A).Build();
        var renamed = new Release("1.3.0").File("/etc/a", A).File("/etc/b", B).File("/etc/c", A).Build();
        // The new release calls the firmware image something else entirely.
        renamed = renamed with { Files = [.. renamed.Files.Select(f => f with { Path = f.Path.Replace("firmware/EX1000_1.3.0.bin", "images/main-image.fw", StringComparison.Ordinal) })] };
        var d = ReleaseDiff.Compare(old, renamed);
        var change = Assert.Single(d.Files.Changed, c => c.Container is null);
        Assert.Equal("/images/main-image.fw!/0x10000.squashfs!/etc/b", change.Path);
        Assert.Empty(d.Files.Removed);
    }

    [Fact]
    public void Components_ChangedAddedRemovedWithCopies()
    {
        var d = Diff(
            Old().Component("openssl", "1.0.2k", "/usr/sbin/httpd").Component("openssl", "1.0.2k", "/usr/lib/libssl.so").Component("zlib", "1.2.11", "/lib/libz.so").Component("busybox", "1.30.1", "/bin/busybox"),
            New().Component("openssl", "1.1.1w", "/usr/sbin/httpd").Component("openssl", "1.1.1w", "/usr/lib/libssl.so").Component("dropbear", "2022.83", "/usr/sbin/dropbear").Component("busybox", "1.30.1", "/bin/busybox"));
        var changed = Assert.Single(d.Components.Changed);
        Assert.Equal(("openssl", "1.0.2k", "1.1.1w", 2), (changed.Name, changed.From, changed.To, changed.Copies));
        Assert.Equal(("dropbear", "2022.83"), (Assert.Single(d.Components.Added).Name, d.Components.Added[0].Version));
        Assert.Equal(("zlib", "1.2.11"), (Assert.Single(d.Components.Removed).Name, d.Components.Removed[0].Version));
    }

    [Fact]
    public void Components_UpgradeThatAlsoMoved_IsAChange()
    {
        var d = Diff(Old().Component("openssl", "1.1.1w", "/usr/lib/libssl.so.1.1"), New().Component("openssl", "3.0.13", "/usr/lib/libssl.so.3"));
        Assert.Equal(("1.1.1w", "3.0.13"), (Assert.Single(d.Components.Changed).From, d.Components.Changed[0].To));
        Assert.Empty(d.Components.Added);
        Assert.Empty(d.Components.Removed);
    }

    [Fact]
    public void Vulnerabilities_IntroducedResolvedOpenPerComponent()
    {
        var d = Diff(
            Old().Vulnerability("CVE-1", "openssl", "1.0.2k", Severity.High, "/usr/sbin/httpd").Vulnerability("CVE-2", "openssl", "1.0.2k", Severity.Medium, "/usr/sbin/httpd"),
            New().Vulnerability("CVE-2", "openssl", "1.1.1w", Severity.Medium, "/usr/sbin/httpd").Vulnerability("CVE-3", "openssl", "1.1.1w", Severity.Critical, "/usr/sbin/httpd")
                .Vulnerability("CVE-3", "openssl", "1.1.1w", Severity.Critical, "/usr/lib/libssl.so"));
        var introduced = Assert.Single(d.Vulnerabilities.Introduced);
        Assert.Equal(("CVE-3", "openssl", 2), (introduced.Id, introduced.Component, introduced.Copies));
        Assert.Equal("CVE-1", Assert.Single(d.Vulnerabilities.Resolved).Id);
        Assert.Equal(["1.1.1w"], Assert.Single(d.Vulnerabilities.Open).Versions);
    }

    [Fact]
    public void Findings_LineMovedOrContainerRenamed_AreUnchanged()
    {
        var d = Diff(
            Old().Finding("ASSAY-SNMP-V1V2C", "/etc/snmpd.conf", Severity.Medium, 1, "rocommunity public").Finding("ASSAY-ELF-CANARY", "/usr/sbin/httpd", Severity.Medium, evidence: "x"),
            New().Finding("ASSAY-SNMP-V1V2C", "/etc/snmpd.conf", Severity.Medium, 7, "rocommunity public").Finding("ASSAY-ELF-CANARY", "/usr/sbin/httpd", Severity.Medium, evidence: "y"));
        Assert.Empty(d.Findings.New);
        Assert.Empty(d.Findings.Fixed);
        Assert.Equal(2, d.Findings.Unchanged);
    }

    [Fact]
    public void Findings_NewFixedUpdated_WithCountsBySeverity()
    {
        var d = Diff(
            Old().Finding("ASSAY-SSH-ROOT-LOGIN", "/etc/ssh/sshd_config", Severity.High, 3, "PermitRootLogin yes")
                .Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.Medium, 4, "wpa=1"),
            New().Finding("ASSAY-SVC-UNAUTH-SHELL", "/etc/inittab", Severity.Critical, 2, "::respawn:/bin/sh")
                .Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.High, 4, "wpa=1"));
        var added = Assert.Single(d.Findings.New);
        Assert.Equal(("ASSAY-SVC-UNAUTH-SHELL", Severity.Critical), (added.RuleId, added.Severity));
        Assert.Equal("/firmware/EX1000_1.3.0.bin!/0x24000.squashfs!/etc/inittab", added.Path);
        Assert.Matches("^[0-9a-f]{32}$", added.Fingerprint);
        Assert.Equal("ASSAY-SSH-ROOT-LOGIN", Assert.Single(d.Findings.Fixed).RuleId);
        var updated = Assert.Single(d.Findings.Updated);
        Assert.Equal((Severity.Medium, Severity.High), (updated.Was, updated.Severity));
        Assert.Equal(new SeverityCounts(1, 0), d.Findings.BySeverity["critical"]);
        Assert.Equal(new SeverityCounts(0, 1), d.Findings.BySeverity["high"]);
        Assert.Equal(0, d.Findings.Unchanged);
    }

    [Fact]
    public void Findings_OnAMovedBinary_FollowTheBinary()
    {
        var d = Diff(
            Old().Elf("/usr/bin/tool", A).Finding("ASSAY-ELF-PIE", "/usr/bin/tool", Severity.Medium, evidence: "e_type ET_EXEC"),
            New().Elf("/opt/bin/tool", A).Finding("ASSAY-ELF-PIE", "/opt/bin/tool", Severity.Medium, evidence: "e_type ET_EXEC"));
        Assert.Empty(d.Findings.New);
        Assert.Empty(d.Findings.Fixed);
        Assert.Equal(1, d.Findings.Unchanged);
    }

    [Fact]
    public void Hardening_RegressionsAndImprovementsPerProperty()
    {
        var d = Diff(
            Old().Elf("/usr/sbin/httpd", A, pie: true, relro: "full", canary: true, cf: "ibt+shstk", unsafeCalls: ["strcpy"])
                .Elf("/bin/cli", B, pie: false, relro: "partial", fortify: "unfortified", unsafeCalls: ["gets", "strcpy"]),
            New().Elf("/usr/sbin/httpd", C, pie: false, relro: "partial", canary: false, cf: "ibt", unsafeCalls: ["strcpy", "system"])
                .Elf("/bin/cli", C, pie: true, relro: "full", fortify: "fortified"));
        var worse = d.Hardening.Regressions.Select(r => (r.Property, r.From, r.To)).ToList();
        Assert.Equal([("canary", "yes", "no"), ("cet", "ibt+shstk", "ibt"), ("pie", "yes", "no"), ("relro", "full", "partial"), ("unsafe-calls", "1", "2")], worse);
        Assert.Equal(["system"], d.Hardening.Regressions.Single(r => r.Property == "unsafe-calls").Functions);
        var better = d.Hardening.Improvements.Select(r => (r.Property, r.From, r.To)).ToList();
        Assert.Equal([("fortify", "unfortified", "fortified"), ("pie", "no", "yes"), ("relro", "partial", "full"), ("unsafe-calls", "2", "0")], better);
        Assert.All(d.Hardening.Improvements, i => Assert.EndsWith("/bin/cli", i.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Hardening_NewBinary_IsNoRegression()
    {
        var d = Diff(Old(), New().Elf("/usr/bin/new", A, pie: false, relro: "none", canary: false));
        Assert.Empty(d.Hardening.Regressions);
    }

    [Fact]
    public void Ts33117_PassToFailAndBack()
    {
        var d = Diff(Old().Requirement("4.3.2.1", "pass").Requirement("4.2.3.2.3", "fail").Requirement("4.4.2", "not-testable"),
            New().Requirement("4.3.2.1", "fail").Requirement("4.2.3.2.3", "pass").Requirement("4.4.2", "not-testable"));
        Assert.Equal(("4.3.2.1", "pass", "fail"), (Assert.Single(d.Ts33117.Regressions).Section, d.Ts33117.Regressions[0].From, d.Ts33117.Regressions[0].To));
        Assert.Equal("4.2.3.2.3", Assert.Single(d.Ts33117.Improvements).Section);
    }

    [Theory]
    [InlineData(Severity.Critical, 1)]
    [InlineData(Severity.High, 2)]
    // A finding raised from medium to high was already at medium: it is not new at that threshold.
    [InlineData(Severity.Medium, 2)]
    public void CountNewAtOrAbove_CountsNewFindingsRaisedSeveritiesAndUnsuppressedVulnerabilities(Severity threshold, int expected)
    {
        var d = Diff(
            Old().Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.Medium, 4, "wpa=1"),
            New().Finding("ASSAY-SVC-UNAUTH-SHELL", "/etc/inittab", Severity.Critical, 2, "::respawn:/bin/sh")
                .Finding("ASSAY-WIFI-WEAK-SECURITY", "/etc/hostapd.conf", Severity.High, 4, "wpa=1")
                .Vulnerability("CVE-9", "zlib", "1.2.11", Severity.Medium, "/lib/libz.so")
                .Vulnerability("CVE-8", "zlib", "1.2.11", Severity.Critical, "/lib/libz.so", vex: "not_affected"));
        Assert.Equal(expected, ReleaseDiff.CountNewAtOrAbove(d, threshold));
    }

    [Fact]
    public void Compare_SameEvaluation_HasNoChanges()
    {
        var r = Old().File("/etc/passwd", A).Elf("/bin/cli", B).Component("busybox", "1.36.1", "/bin/busybox")
            .Finding("ASSAY-ELF-PIE", "/bin/cli", Severity.Medium).Vulnerability("CVE-1", "busybox", "1.36.1", Severity.High, "/bin/busybox").Build();
        var d = ReleaseDiff.Compare(r, r);
        Assert.Empty(d.Files.Added);
        Assert.Empty(d.Files.Removed);
        Assert.Empty(d.Files.Changed);
        Assert.Empty(d.Components.Changed);
        Assert.Empty(d.Findings.New);
        Assert.Equal(1, d.Findings.Unchanged);
        Assert.Single(d.Vulnerabilities.Open);
    }
}
