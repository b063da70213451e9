using System.Text;
using System.Text.Json;
using Assay.Catalog.Binaries;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Assay.Catalog.Tests;

/// <summary>
/// The hand-written reader of signatures.yaml against YamlDotNet's reflection deserializer, which it
/// replaced for start-up time (issue 12): both must give the same models for the embedded file, and
/// the reader must reject what the deserializer rejected.
/// </summary>
public sealed class SignatureFileReaderTests
{
    private static string Embedded() => EmbeddedText.Read(typeof(SignatureDatabase).Assembly, SignatureDatabase.ResourceName);

    // Serialized to JSON so that nested lists, maps and the object-typed test.version compare by value.
    private static string Canonical(SignatureDatabase.FileModel file) =>
        JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = true });

    [Fact]
    public void Read_EmbeddedFile_GivesTheModelsOfTheReflectionDeserializer()
    {
        var yaml = Embedded();
        var expected = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
            .Deserialize<SignatureDatabase.FileModel>(new StringReader(yaml));
        var actual = SignatureFileReader.Read(new StringReader(yaml));
        Assert.True(actual.Components!.Count > 50);
        Assert.Equal(Canonical(expected), Canonical(actual));
    }

    [Fact]
    public void Read_NullsAndQuotedNulls_AreReadAsTheDeserializerReadThem()
    {
        const string yaml = "components:\n  - name: a\n    cpe: null\n    eol: ~\n    type:\n    sources: ['null', \"~\"]\n" +
                            "    signatures:\n      - { id: x, before: 3, confirm: false, near: true, groups: { v: a }, test: { version: { a: '1.0' }, hit: \"\\0x\\x7f\" } }\n";
        var expected = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
            .Deserialize<SignatureDatabase.FileModel>(new StringReader(yaml));
        var actual = SignatureFileReader.Read(new StringReader(yaml));
        Assert.Null(actual.Components![0].Cpe);
        Assert.Equal(["null", "~"], actual.Components[0].Sources!);
        Assert.Equal("\0x\x7f", actual.Components[0].Signatures![0].Test!.Hit);
        Assert.IsType<Dictionary<object, object>>(actual.Components[0].Signatures![0].Test!.Version);
        Assert.Equal(Canonical(expected), Canonical(actual));
    }

    [Theory]
    [InlineData("components:\n  - name: a\n    colour: red\n", "unknown key 'colour'")]
    [InlineData("components:\n  - name: a\n    signatures:\n      - { id: x, before: ten }\n", "not a whole number")]
    [InlineData("components:\n  - name: a\n    signatures:\n      - { id: x, confirm: maybe }\n", "not true or false")]
    [InlineData("components:\n  - name: [a]\n", "must be a single value")]
    [InlineData("components: { a: 1 }\n", "must be a list")]
    [InlineData("components:\n  - name: 'a\n", "not valid YAML")]
    [InlineData("", "is empty")]
    public void Read_MalformedFile_IsRejectedNamingTheProblem(string yaml, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => SignatureFileReader.Read(new StringReader(yaml)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
