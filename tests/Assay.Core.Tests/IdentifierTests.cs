using Assay.Core.Identifiers;

namespace Assay.Core.Tests;

/// <summary>The identifiers defined once in Core: purl, CPE 2.3, Debian versions.</summary>
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
        Assert.Equal(expected, Cpe23.Application(vendor, product, version));

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
    [InlineData("pkg:deb/debian/busybox-static@1%3A1.35.0-4%2Bdeb12u1%2Bb1?arch=armhf&distro=debian-12", "deb", "debian", "busybox-static", "1:1.35.0-4+deb12u1+b1")]
    [InlineData("pkg:npm/%40img/sharp@1.0.4", "npm", "@img", "sharp", "1.0.4")]
    [InlineData("pkg:golang/github.com/evanw/esbuild@v0.19.12#sub", "golang", "github.com/evanw", "esbuild", "v0.19.12")]
    public void PackageUrl_TryParse_ReadsWhatCreateWrote(string purl, string type, string ns, string name, string version)
    {
        Assert.Equal(new PackageUrl(type, ns, name, version), PackageUrl.TryParse(purl));
        Assert.Equal(purl.Split('?')[0].Split('#')[0], PackageUrl.Create(type, ns, name, version));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("pkg:")]
    [InlineData("pkg:generic")]
    [InlineData("npm/sharp@1.0.4")]
    public void PackageUrl_TryParse_NotAPurl_IsNull(string? text) => Assert.Null(PackageUrl.TryParse(text));

    [Theory]
    [InlineData("1:1.35.0-4+deb12u1", "1", "1.35.0", "4+deb12u1")]
    [InlineData("3.0.20-1~deb12u2", "0", "3.0.20", "1~deb12u2")]
    [InlineData("2.4+20151223.gitfa8646d.1-2+b2", "0", "2.4+20151223.gitfa8646d.1", "2+b2")]
    [InlineData("1.2.4", "0", "1.2.4", "")]
    public void DebianVersion_Split_EpochUpstreamRevision(string version, string epoch, string upstream, string revision) =>
        Assert.Equal((epoch, upstream, revision), DebianVersion.Split(version));

    [Fact]
    public void Cpe_ForComponent_UnprintableAndEmptyValues()
    {
        Assert.Equal("cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:*", Cpe23.Application("ACME", "router os", ""));
        Assert.Equal("cpe:2.3:o:linux:linux_kernel:6.1_x:*:*:*:*:*:*:*", Cpe23.OperatingSystem("linux", "linux_kernel", "6.1\u0001x"));
    }

    [Fact]
    public void Parse_PlainName_ReadsFields()
    {
        var cpe = Cpe23.Parse("cpe:2.3:a:OpenSSL:OpenSSL:1.0.1f:*:*:*:*:*:*:*");
        Assert.Equal(("a", "openssl", "openssl", "1.0.1f", "*"), (cpe.Part, cpe.Vendor, cpe.Product, cpe.Version, cpe.Update));
        Assert.Equal("openssl:openssl", cpe.Key);
    }

    [Fact]
    public void Parse_EscapedColon_StaysInField()
    {
        // NVD escapes ':' inside a field: cpe:2.3:a:vendor:product:1.0\:beta:...
        var cpe = Cpe23.Parse(@"cpe:2.3:a:haxx:curl:7.50.0\:beta:p1:*:*:*:*:*:*");
        Assert.Equal("7.50.0:beta", cpe.Version);
        Assert.Equal("p1", cpe.Update);
    }

    [Fact]
    public void Parse_ShortForm_FillsAny()
    {
        var cpe = Cpe23.Parse("cpe:2.3:o:linux:linux_kernel:6.6.54");
        Assert.Equal("*", cpe.Update);
        Assert.Equal("o", cpe.Part);
    }

    [Theory]
    [InlineData("cpe:/a:openssl:openssl:1.0.1f")]
    [InlineData("cpe:2.3:x:openssl:openssl:1.0.1f:*:*:*:*:*:*:*")]
    [InlineData("openssl 1.0.1f")]
    [InlineData("cpe:2.3:a:openssl")]
    [InlineData("cpe:2.3:a:a:b:c:d:e:f:g:h:i:j:k:l:m")]
    public void TryParse_NotCpe23_ReturnsNull(string text)
    {
        Assert.Null(Cpe23.TryParse(text));
    }

    [Fact]
    public void Parse_Invalid_MessageNamesValueAndForm()
    {
        var e = Assert.Throws<FormatException>(() => Cpe23.Parse("openssl"));
        Assert.Contains("'openssl'", e.Message);
        Assert.Contains("cpe:2.3:part:vendor:product", e.Message);
    }

    [Fact]
    public void Format_SpecialCharacters_AreEscapedAndRoundTrip()
    {
        var text = Cpe23.Format("a", "nodejs", "node.js", "4.1.2+x");
        Assert.Equal(@"cpe:2.3:a:nodejs:node.js:4.1.2\+x:*:*:*:*:*:*:*", text);
        Assert.Equal("4.1.2+x", Cpe23.Parse(text).Version);
    }
}
