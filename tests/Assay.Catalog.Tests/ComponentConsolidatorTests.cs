using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Catalog.Tests;

public sealed class ComponentConsolidatorTests
{
    private static Evaluation With(params Component[] components) => new()
    {
        Tool = new ToolInfo("assay", "0"),
        Input = new InputInfo("fw.bin", 1, "00"),
        StartedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Components = components,
    };

    private static Component Binary(string name, string version, string location, string linkage = "static", string source = "binary-signature:x", long offset = 1) => new()
    {
        Name = name,
        Version = version,
        Location = location,
        Linkage = linkage,
        Confidence = 0.9,
        Evidence = [new Evidence { Source = source, Path = location, Offset = offset, Text = $"{name} {version}", Confidence = 0.9 }],
    };

    [Fact]
    public void Consolidate_SameNameVersionLocation_MergesKeepingAllEvidence()
    {
        var a = Binary("systemd", "252.39-1~deb12u2", "fw!/lib/libsystemd.so.0", "shared", "elf-package-note", 388);
        var b = Binary("systemd", "252.39-1~deb12u2", "fw!/lib/libsystemd.so.0", "shared", "binary-signature:systemd-version-line", 9000);
        var result = ComponentConsolidator.Consolidate(With(a, b));
        var c = Assert.Single(result.Components);
        Assert.Equal(["elf-package-note", "binary-signature:systemd-version-line"], c.Evidence.Select(e => e.Source));
        // two independent 0.9 pieces of evidence: 1 - 0.1 * 0.1
        Assert.Equal(0.99, c.Confidence, 6);
    }

    [Fact]
    public void Consolidate_Copies_SummarizesCountVersionsOldestAndLinkage()
    {
        var result = ComponentConsolidator.Consolidate(With(
            Binary("openssl", "3.0.2", "fw!/usr/lib/libcrypto.so.3", "shared"),
            Binary("openssl", "1.1.1d", "fw!/usr/bin/node"),
            Binary("openssl", "0.9.8", "fw!/usr/sbin/old-daemon"),
            Binary("openssl", "1.1.1d", "fw!/opt/app/lib/libvendor.so"),
            new Component { Name = "libssl3", Version = "3.0.2-1", Location = "fw!/var/lib/dpkg/status", Type = "deb", Linkage = "package" }));
        var summary = Assert.IsType<ComponentsSummary>(result.Summaries.Components);
        var openssl = summary.Copies["openssl"];
        Assert.Equal(4, openssl.Copies);
        Assert.Equal(["0.9.8", "1.1.1d", "3.0.2"], openssl.Versions);
        Assert.Equal("0.9.8", openssl.Oldest);
        Assert.Equal(new Dictionary<string, int> { ["shared"] = 1, ["static"] = 3 }, openssl.Linkage);
        Assert.Equal("4 copies of openssl in 3 versions, the oldest 0.9.8", openssl.Text);
        // 0.9.8 (2015) and 1.1.1 (2023) ended before 2026-11-01; 3.0 ended 2026-09-07
        Assert.Equal(4, openssl.Unsupported);
        Assert.False(summary.Copies.ContainsKey("libssl3"));
        Assert.Equal(5, summary.Components);
    }

    [Fact]
    public void Consolidate_EndOfSupport_MarkedForBinariesAndDistributionPackages()
    {
        var result = ComponentConsolidator.Consolidate(With(
            Binary("linux-kernel", "6.1.176", "fw!/0!/Image") with { Type = "kernel" },
            new Component { Name = "libssl3", Version = "3.0.11-1~deb12u2", Location = "fw!/var/lib/dpkg/status", Type = "deb", Linkage = "package", SourcePackage = "openssl" },
            Binary("dnsmasq", "2.90", "fw!/usr/sbin/dnsmasq")));
        var kernel = result.Components.Single(c => c.Name == "linux-kernel").Support;
        Assert.Equal(("6.1", true, new DateOnly(2027, 12, 31)), (kernel!.Branch, kernel.Supported, kernel.EndOfSupport));
        var ssl = result.Components.Single(c => c.Name == "libssl3").Support;
        Assert.Equal(("3.0", false), (ssl!.Branch, ssl.Supported)); // no distribution named: upstream's date
        Assert.Null(result.Components.Single(c => c.Name == "dnsmasq").Support);
    }

    [Fact]
    public void Consolidate_DistributionPackage_JudgedByItsReleaseNotUpstream()
    {
        // OpenSSL 3.0 ends upstream on 2026-09-07; Debian 12 maintains its openssl until its LTS ends (2028-06-30).
        var result = ComponentConsolidator.Consolidate(With(
            new Component { Name = "libssl3", Version = "3.0.20-1~deb12u2", Location = "fw!/var/lib/dpkg/status", Type = "deb", Linkage = "package", SourcePackage = "openssl",
                Purl = "pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=armhf&distro=debian-12" },
            new Component { Name = "musl", Version = "1.2.4-r2", Location = "fw!/lib/apk/db/installed", Type = "apk", Linkage = "package",
                Purl = "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18" }));
        var ssl = result.Components.Single(c => c.Name == "libssl3").Support;
        Assert.Equal(("debian 12", new DateOnly(2028, 6, 30)), (ssl!.Branch, ssl.EndOfSupport));
        Assert.Contains("endoflife.date/debian", ssl.Source, StringComparison.Ordinal);
        var musl = result.Components.Single(c => c.Name == "musl").Support;
        Assert.Equal(("alpine 3.18", new DateOnly(2025, 5, 9)), (musl!.Branch, musl.EndOfSupport));
    }

    [Theory]
    [InlineData("pkg:deb/debian/libssl3@3.0.11?arch=amd64&distro=debian-12", "debian", "12")]
    [InlineData("pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18", "alpine", "3.18")]
    [InlineData("pkg:deb/debian/x@1?arch=amd64", null, null)]
    [InlineData("pkg:deb/debian/x@1?distro=debian", null, null)]
    [InlineData(null, null, null)]
    public void DistroOf_ReadsThePurlQualifier(string? purl, string? name, string? release)
    {
        var d = ComponentConsolidator.DistroOf(purl);
        Assert.Equal((name, release), (d?.Name, d?.Release));
    }

    [Fact]
    public void EndOfSupport_Table_CoversAtLeastThirtyProductsEachWithASource()
    {
        var table = Assay.Catalog.Support.EndOfSupport.Default;
        Assert.True(table.Keys.Count() >= 30, $"{table.Keys.Count()} products");
        Assert.Contains("debian", table.Distributions);
        Assert.Contains("alpine", table.Distributions);
    }

    [Fact]
    public void Consolidate_UImageNameAndKernelBannerInside_BecomeOneComponent()
    {
        var label = Binary("linux-kernel", "6.1.0", "fw.uImage", source: "binary-signature:linux-uimage-name", offset: 32) with { Type = "kernel", Confidence = 0.7 };
        var banner = Binary("linux-kernel", "6.1.176", "fw.uImage!/0!/zImage!/Image", source: "binary-signature:linux-banner-debian", offset: 12550340) with { Type = "kernel" };
        var result = ComponentConsolidator.Consolidate(With(label, banner));
        var c = Assert.Single(result.Components);
        Assert.Equal(("6.1.176", "fw.uImage!/0!/zImage!/Image"), (c.Version, c.Location));
        Assert.Equal(2, c.Evidence.Count);
    }

    [Fact]
    public void Consolidate_Order_IsByNameVersionLocation()
    {
        var result = ComponentConsolidator.Consolidate(With(
            Binary("zlib", "1.2.11", "b"), Binary("openssl", "3.0.2", "b"), Binary("openssl", "1.1.1d", "z"), Binary("openssl", "1.1.1d", "a")));
        Assert.Equal([("openssl", "1.1.1d", "a"), ("openssl", "1.1.1d", "z"), ("openssl", "3.0.2", "b"), ("zlib", "1.2.11", "b")],
            result.Components.Select(c => (c.Name, c.Version, c.Location)));
    }

    [Fact]
    public void Consolidate_KeepsOtherSummaries()
    {
        var table = new Ts33117Summary { Fail = 3 };
        var evaluation = With(Binary("zlib", "1.2.11", "b")) with { Summaries = new EvaluationSummaries { Ts33117 = table } };
        var result = ComponentConsolidator.Consolidate(evaluation);
        Assert.Same(table, result.Summaries.Ts33117);
        Assert.NotNull(result.Summaries.Components);
    }
}
