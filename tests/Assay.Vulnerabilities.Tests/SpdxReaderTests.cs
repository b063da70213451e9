using System.Text.Json;
using Assay.Core.Model;
using Assay.Vulnerabilities.Matching;
using Assay.Vulnerabilities.Sbom;

namespace Assay.Vulnerabilities.Tests;

public sealed class SpdxReaderTests(SampleDatabase sample) : IClassFixture<SampleDatabase>
{
    private static IReadOnlyList<Component> Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return SpdxComponentReader.Read(doc.RootElement, "test.spdx.json");
    }

    [Fact]
    public void Read_SpdxDocument_PackagesWithPurlCpeAndType()
    {
        var components = Read(File.ReadAllText(Fixture.Path("sbom/spdx.json")));
        Assert.Equal(["libssl3", "openssl", "router-fw"], components.Select(c => c.Name));
        var openssl = components.Single(c => c.Name == "openssl");
        Assert.Equal(("1.0.1f", "SPDXRef-openssl", "cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*", "OpenSSL Software Foundation"), (openssl.Version, openssl.Location, openssl.Cpe, openssl.Supplier));
        Assert.Equal("deb", components.Single(c => c.Name == "libssl3").Type);
    }

    [Fact]
    public void Read_SpdxDocument_MatchesLikeAnyComponent()
    {
        var components = Read(File.ReadAllText(Fixture.Path("sbom/spdx.json")));
        var found = new VulnerabilityMatcher(sample.Db).Match(components);
        Assert.Contains(found, v => v.Id == "CVE-2014-0160" && v.Location == "SPDXRef-openssl");
    }

    [Theory]
    [InlineData("""{"spdxVersion":"SPDX-2.3","packages":{}}""", 0)]
    [InlineData("""{"spdxVersion":"SPDX-2.3","packages":[1,"x",null,{"name":7},{"name":"a","externalRefs":"no"},{"name":"b","externalRefs":[{"referenceType":"purl"}]}]}""", 2)]
    public void Read_MalformedPackages_SkippedNotThrown(string json, int expected) => Assert.Equal(expected, Read(json).Count);

    [Fact]
    public void IsSpdx_VersionNotValidUtf8_FalseNotThrown()
    {
        // Found by the vulns:sbom fuzz target: "SPDX-2.\xec" made GetString() throw.
        var bytes = "{\"spdxVersion\": \"SPDX-2.#\", \"bomFormat\": \"Cyclone#DX\"}"u8.ToArray();
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] == (byte)'#')
                bytes[i] = 0xec;  // a lone UTF-8 lead byte
        using var doc = JsonDocument.Parse(bytes);
        Assert.False(SpdxComponentReader.IsSpdx(doc.RootElement));
        Assert.False(CycloneDxComponentReader.IsCycloneDx(doc.RootElement));
    }

    [Fact]
    public void Read_NotSpdx_ClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Read("""{"spdxVersion":"SPDX-3.0"}"""));
        Assert.Contains("not an SPDX 2.x JSON document", e.Message, StringComparison.Ordinal);
    }
}
