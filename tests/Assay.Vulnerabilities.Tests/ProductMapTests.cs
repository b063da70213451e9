using Assay.Vulnerabilities.Matching;
using Assay.Vulnerabilities.Versions;

namespace Assay.Vulnerabilities.Tests;

public sealed class ProductMapTests
{
    [Theory]
    [InlineData("openssl", "openssl:openssl", "openssl")]
    [InlineData("linux-kernel", "linux:linux_kernel", "linux-kernel")]
    [InlineData("libcurl", "haxx:libcurl", "generic")]
    [InlineData("dropbear", "dropbear_ssh_project:dropbear_ssh", "dropbear")]
    [InlineData("busybox", "busybox:busybox", "generic")]
    [InlineData("nginx", "f5:nginx", "generic")]
    public void FindByName_KnownComponent_MapsToNvdProductAndScheme(string name, string key, string scheme)
    {
        var mapping = ProductMap.Default.FindByName(name);
        Assert.NotNull(mapping);
        Assert.Contains(key, mapping.CpeKeys);
        Assert.Equal(scheme, mapping.Scheme.Id);
    }

    [Fact]
    public void Default_EveryProduct_HasCpesAndConfidenceInRange()
    {
        Assert.True(ProductMap.Default.Products.Count >= 50);
        Assert.All(ProductMap.Default.Products, p =>
        {
            Assert.NotEmpty(p.CpeKeys);
            Assert.InRange(p.Confidence, 0.0, 1.0);
        });
    }

    [Fact]
    public void Parse_DuplicateName_IsRejected()
    {
        var yaml = "products:\n  a: { cpes: [x:a], aliases: [b] }\n  b: { cpes: [x:b] }\n";
        var e = Assert.Throws<InvalidDataException>(() => ProductMap.Parse(yaml));
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public void Parse_UnknownScheme_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => ProductMap.Parse("products:\n  a: { cpes: [x:a], scheme: nope }\n"));
    }

    [Theory]
    [InlineData("products:\n  a: { cpes: [x:a], url: y }\n", "'a' has an unknown key 'url'")]
    [InlineData("products:\n  a: { cpes: x:a }\n", "expected a list")]
    [InlineData("products:\n  a: { cpes: [x:a], confidence: high }\n", "is not a number")]
    [InlineData("products:\n  a: { cpes: [x:a] }\n  a: { cpes: [x:b] }\n", "not valid YAML")]
    [InlineData("", "empty document")]
    public void Parse_MalformedDocument_IsRejectedNamingTheProblem(string yaml, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => ProductMap.Parse(yaml));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EntryWithDefaults_IsGenericWithFullConfidence()
    {
        var p = ProductMap.Parse("products:\n  a: { cpes: [X:A] }\n").FindByName("a")!;
        Assert.Equal(["x:a"], p.CpeKeys);
        Assert.Equal((1.0, 0), (p.Confidence, p.Aliases.Count));
        Assert.Same(GenericVersionScheme.Instance, p.Scheme);
    }
}
