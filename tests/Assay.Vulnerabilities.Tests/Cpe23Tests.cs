using Assay.Vulnerabilities.Cpe;

namespace Assay.Vulnerabilities.Tests;

public sealed class Cpe23Tests
{
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
