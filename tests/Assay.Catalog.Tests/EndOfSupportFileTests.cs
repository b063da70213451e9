using System.Text;
using System.Text.Json;
using Assay.Catalog.Support;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Assay.Catalog.Tests;

/// <summary>
/// end-of-support.yaml is read from the node tree (issue 12: the reflection deserializer was slow to
/// start); the models must be the ones YamlDotNet's deserializer gives for the embedded file.
/// </summary>
public sealed class EndOfSupportFileTests
{
    private static string Embedded() => EmbeddedText.Read(typeof(EndOfSupport).Assembly, EndOfSupport.ResourceName);

    [Fact]
    public void ReadFile_EmbeddedFile_GivesTheModelsOfTheReflectionDeserializer()
    {
        var yaml = Embedded();
        var expected = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
            .Deserialize<EndOfSupport.FileModel>(new StringReader(yaml));
        var actual = EndOfSupport.ReadFile(new StringReader(yaml));
        Assert.True(actual.Products!.Count > 10);
        Assert.Contains(actual.Products.SelectMany(p => p.Branches!), b => b.Eos is null);
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
    }

    [Theory]
    [InlineData("products:\n  - key: a\n    url: x\n", "end-of-support table, line 3: entry a has an unknown key 'url'")]
    [InlineData("products:\n  - key: a\n    branches: { branch: '1' }\n", "'branches' must be a list")]
    [InlineData("", "end-of-support table is empty")]
    public void Load_MalformedFile_IsRejectedNamingTheProblem(string yaml, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => EndOfSupport.Load(new MemoryStream(Encoding.UTF8.GetBytes(yaml))));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
