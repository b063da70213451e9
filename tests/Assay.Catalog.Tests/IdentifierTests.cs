using Assay.Catalog.Identifiers;
using Assay.Catalog.Support;

namespace Assay.Catalog.Tests;

public sealed class IdentifierTests
{
    [Theory]
    // purl-spec test-suite-data: deb with epoch and qualifiers, npm scope, golang namespace
    [InlineData("deb", "debian", "busybox-static", "1:1.35.0-4+deb12u1+b1", "pkg:deb/debian/busybox-static@1%3A1.35.0-4%2Bdeb12u1%2Bb1?arch=armhf&distro=debian-12")]
    [InlineData("npm", "@img", "sharp", "1.0.4", "pkg:npm/%40img/sharp@1.0.4")]
    [InlineData("generic", null, "openssl", "1.1.1g", "pkg:generic/openssl@1.1.1g")]
    public void PackageUrl_Create_EncodesAsTheSpecSays(string type, string? ns, string name, string version, string expected)
    {
        var qualifiers = type == "deb" ? new KeyValuePair<string, string>[] { new("distro", "debian-12"), new("arch", "armhf") } : null;
        Assert.Equal(expected, PackageUrl.Create(type, ns, name, version, qualifiers));
    }

    [Theory]
    [InlineData("openssl", "openssl", "3.0.7+quic", "cpe:2.3:a:openssl:openssl:3.0.7\\+quic:*:*:*:*:*:*:*")]
    [InlineData("haxx", "curl", "7.88.1", "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*")]
    [InlineData("w1.fi", "hostapd", "2.10", "cpe:2.3:a:w1.fi:hostapd:2.10:*:*:*:*:*:*:*")]
    public void Cpe_Application_QuotesSpecialCharacters(string vendor, string product, string version, string expected) =>
        Assert.Equal(expected, Cpe.Application(vendor, product, version));

    [Theory]
    [InlineData("1:1.2.13.dfsg-1", "1.2.13.dfsg", "1.2.13")]
    [InlineData("3.0.20-1~deb12u2", "3.0.20", "3.0.20")]
    [InlineData("2.4+20151223.gitfa8646d.1-2+b2", "2.4+20151223.gitfa8646d.1", "2.4+20151223.gitfa8646d.1")]
    [InlineData("1.2.4", "1.2.4", "1.2.4")]
    public void DebianVersion_UpstreamAndRelease(string version, string upstream, string release)
    {
        Assert.Equal(upstream, DebianVersion.Upstream(version));
        Assert.Equal(release, DebianVersion.Release(version));
    }

    [Theory]
    [InlineData("0.9.8", "1.0.2k")]
    [InlineData("1.0.2k", "1.1.1d")]
    [InlineData("1.1.1d", "1.1.1t")]
    [InlineData("1.1.1t", "3.0.2")]
    [InlineData("1.2.9", "1.2.11")]
    [InlineData("2.10", "2.9.1")]
    public void VersionOrder_Compare_OlderFirst(string older, string newer)
    {
        if (older == "2.10")
            Assert.True(VersionOrder.Instance.Compare(older, newer) > 0);
        else
            Assert.True(VersionOrder.Instance.Compare(older, newer) < 0);
    }

    [Theory]
    [InlineData("openssl", "1.1.1d", "2026-11-01", "1.1.1", false)]
    [InlineData("openssl", "3.0.20", "2026-01-01", "3.0", true)]
    [InlineData("openssl", "3.0.20", "2026-11-01", "3.0", false)]
    [InlineData("linux-kernel", "6.1.176", "2026-11-01", "6.1", true)]
    [InlineData("linux-kernel", "6.12.3", "2026-11-01", "6.12", true)]
    [InlineData("node.js", "10.19.0", "2026-11-01", "10", false)]
    public void EndOfSupport_Lookup_PicksLongestBranch(string key, string version, string date, string branch, bool supported)
    {
        var status = EndOfSupport.Default.Lookup(key, version, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(status);
        Assert.Equal((branch, supported), (status!.Branch, status.Supported));
        Assert.False(string.IsNullOrEmpty(status.Source));
    }

    [Fact]
    public void EndOfSupport_EveryKeyTheSignatureDataNames_IsInTheTable()
    {
        var keys = EndOfSupport.Default.Keys.ToHashSet();
        foreach (var c in Binaries.SignatureDatabase.Default.Components.Where(c => c.EolKey is not null))
            Assert.True(keys.Contains(c.EolKey!), $"{c.Name} names end-of-support key '{c.EolKey}', which the table does not have");
    }

    [Fact]
    public void EndOfSupport_UnknownBranch_IsNull()
    {
        Assert.Null(EndOfSupport.Default.Lookup("openssl", "9.9.9", new DateOnly(2026, 1, 1)));
        Assert.Null(EndOfSupport.Default.Lookup("no-such-product", "1.0", new DateOnly(2026, 1, 1)));
    }
}
