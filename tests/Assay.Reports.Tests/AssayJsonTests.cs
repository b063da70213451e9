using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Model;

namespace Assay.Reports.Tests;

/// <summary>
/// The evaluation is written with build-time (source-generated) metadata and read by reflection
/// (<see cref="AssayJson"/>). Written bytes must not depend on which metadata wrote them: reports,
/// golden files and the result cache all hold them.
/// </summary>
public sealed class AssayJsonTests
{
    private static Evaluation Rich() => VulnerableSample.Create() with
    {
        Chunks = [new ChunkRecord { Path = SbomSample.Image, Offset = 64, Length = 4032, Format = "unknown", Entropy = 0.97 }],
        Findings =
        [
            new Finding
            {
                RuleId = "ASSAY-ELF-NX", Category = "hardening", Severity = Severity.Medium, Title = "Executable stack <&> \"quoted\" ünïcode",
                Path = SbomSample.Node, Offset = 12,
            },
        ],
        Errors = [new ScanError { Path = SbomSample.Kernel, Handler = "xz", Message = "truncated", Offset = 7, Category = ErrorCategory.Limit }],
        Limits = new SortedDictionary<string, long> { ["maxDepth"] = 16, ["maxBytes"] = 1L << 40 },
        RuleChecks = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["ASSAY-ELF-NX"] = 3 },
    };

    private static JsonSerializerOptions ByReflection(JsonSerializerOptions options) =>
        new(options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    [Fact]
    public void Write_GeneratedMetadata_SameBytesAsReflection()
    {
        var evaluation = Rich();
        foreach (var options in new[] { AssayJson.Options, AssayJson.Compact })
        {
            var generated = JsonSerializer.Serialize(evaluation, options);
            var reflected = JsonSerializer.Serialize(evaluation, ByReflection(options));
            Assert.Equal(reflected, generated);
        }
        Assert.Contains("\"category\": \"limit\"", JsonSerializer.Serialize(evaluation, AssayJson.Options));
    }

    [Fact]
    public void Write_UsesGeneratedMetadata()
    {
        // the point of the context: the evaluation's metadata does not come from reflection
        Assert.Same(ModelJsonContext.Default.GetType(), AssayJson.Options.GetTypeInfo(typeof(Evaluation)).OriginatingResolver?.GetType());
        Assert.IsNotType<ModelJsonContext>(AssayJson.Reading.GetTypeInfo(typeof(Evaluation)).OriginatingResolver);
    }

    [Fact]
    public void ReadBack_WrittenEvaluation_RoundTrips()
    {
        var evaluation = Rich();
        var json = JsonSerializer.Serialize(evaluation, AssayJson.Options);
        var read = JsonSerializer.Deserialize<Evaluation>(json, AssayJson.Reading)!;
        Assert.Equal(json, JsonSerializer.Serialize(read, AssayJson.Options));
    }

    [Fact]
    public void Read_ListsLeftOut_KeepTheirEmptyDefaults()
    {
        const string json = "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"}}";
        var read = JsonSerializer.Deserialize<Evaluation>(json, AssayJson.Reading)!;
        Assert.Empty(read.Files);
        Assert.Empty(read.Chunks);
        Assert.Empty(read.Findings);
        Assert.NotNull(read.Summaries);
    }

    [Theory]
    [InlineData(ErrorCategory.Unsupported, "\"unsupported\"")]
    [InlineData(Severity.Critical, "\"critical\"")]
    [InlineData(NodeKind.Symlink, "\"symlink\"")]
    [InlineData(FileAccess.ReadWrite, "\"read_write\"")] // not one of the model's: the reflection factory's path
    public void EnumConverter_ModelAndOtherEnums_SnakeCase(object value, string expected)
    {
        Assert.Equal(expected, JsonSerializer.Serialize(value, value.GetType(), AssayJson.Compact));
        Assert.Equal(value, JsonSerializer.Deserialize(expected, value.GetType(), AssayJson.Reading));
    }
}
