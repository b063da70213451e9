using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Model;

namespace Assay.Reports.Tests;

/// <summary>
/// The evaluation is written and read with build-time (source-generated) metadata only
/// (<see cref="AssayJson"/>): the command is published with Native AOT. Written bytes must not
/// depend on which metadata wrote them (reports, golden files and the result cache hold them), and
/// a read document must come back as reflection-made metadata read it.
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
        foreach (var options in new[] { AssayJson.Options, AssayJson.Compact, AssayJson.Reading })
            Assert.Same(ModelJsonContext.Default.GetType(), options.GetTypeInfo(typeof(Evaluation)).OriginatingResolver?.GetType());
        // and nothing by reflection: a type no context names is refused, not reflected over
        Assert.Throws<NotSupportedException>(() => AssayJson.Options.GetTypeInfo(typeof(Dictionary<string, object>)));
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
        var read = JsonReportWriter.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Empty(read.Files);
        Assert.Empty(read.Chunks);
        Assert.Empty(read.Findings);
        Assert.Empty(read.RuleChecks);
        Assert.NotNull(read.Summaries);
        var reflected = JsonSerializer.Deserialize<Evaluation>(json, ByReflection(AssayJson.Reading))!;
        Assert.Equal(JsonSerializer.Serialize(reflected, AssayJson.Options), JsonSerializer.Serialize(read, AssayJson.Options));
    }

    [Fact]
    public void Read_RecordListsLeftOut_KeepTheirDefaults()
    {
        const string json = "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"}," +
            "\"components\":[{\"name\":\"busybox\",\"version\":\"1.36.1\",\"location\":\"/bin/busybox\",\"confidence\":1}]," +
            "\"findings\":[{\"ruleId\":\"ASSAY-ELF-NX\",\"category\":\"hardening\",\"severity\":\"medium\",\"title\":\"t\",\"path\":\"/bin/busybox\"}]}";
        var read = JsonReportWriter.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        var reflected = JsonSerializer.Deserialize<Evaluation>(json, ByReflection(AssayJson.Reading))!;
        Assert.Equal("binary", read.Components[0].Type);
        Assert.Empty(read.Components[0].Evidence);
        Assert.Empty(read.Findings[0].References);
        Assert.Equal(JsonSerializer.Serialize(reflected, AssayJson.Options), JsonSerializer.Serialize(read, AssayJson.Options));
    }

    [Theory]
    [InlineData(ErrorCategory.Unsupported, "\"unsupported\"")]
    [InlineData(Severity.Critical, "\"critical\"")]
    [InlineData(NodeKind.Symlink, "\"symlink\"")]
    public void EnumConverter_ModelEnums_SnakeCase(object value, string expected)
    {
        Assert.Equal(expected, JsonSerializer.Serialize(value, value.GetType(), AssayJson.Compact));
        Assert.Equal(value, JsonSerializer.Deserialize(expected, value.GetType(), AssayJson.Reading));
    }

    [Fact]
    public void EnumConverter_OtherEnum_RefusedUnlessItsConverterComesFirst()
    {
        // no reflection-made converter behind the model's table: another project's enum needs its own
        var refused = Assert.Throws<NotSupportedException>(() => new JsonSerializerOptions(AssayJson.Compact) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() }.GetConverter(typeof(FileAccess)));
        Assert.Contains("JsonStringEnumConverter<FileAccess>", refused.Message, StringComparison.Ordinal);
        var with = AssayJson.With(AssayJson.Compact, new DefaultJsonTypeInfoResolver(), new System.Text.Json.Serialization.JsonStringEnumConverter<FileAccess>(JsonNamingPolicy.SnakeCaseLower));
        Assert.Equal("\"read_write\"", JsonSerializer.Serialize(FileAccess.ReadWrite, with));
    }
}
