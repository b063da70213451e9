using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Pipeline;

namespace Assay.Core.Model;

/// <summary>
/// JSON metadata of the evaluation model written at build time (System.Text.Json source
/// generation). Without it every process builds the metadata by reflection: the serializer emits
/// accessor methods (215 dynamic methods, compiled with full optimization, on a scan of a root
/// filesystem) and makes its generic converters for each property type by <c>MakeGenericType</c>;
/// ReadyToRun can precompile neither. The generated code's own generic instantiations are
/// precompiled when the framework is in the same version bubble, as in <c>./assay</c>'s composite
/// publish (bench/scan/README.md, "Start-up").
/// </summary>
/// <remarks>
/// Naming and null handling here are only the generation defaults: the options that use this
/// context (<see cref="ModelJson.Resolver"/>) decide them at run time.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Evaluation))]
public sealed partial class ModelJsonContext : JsonSerializerContext;

/// <summary>The stored form of a cached subtree (<see cref="SubtreeEntry"/>), generated like <see cref="ModelJsonContext"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SubtreeEntry))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;

/// <summary>The JSON conventions the model shares: how its enums are written and where its metadata comes from.</summary>
public static class ModelJson
{
    /// <summary>
    /// The generated metadata first, reflection for any other type (documents of other projects
    /// serialized with the same options).
    /// </summary>
    public static IJsonTypeInfoResolver Resolver { get; } = JsonTypeInfoResolver.Combine(ModelJsonContext.Default, CacheJsonContext.Default, new DefaultJsonTypeInfoResolver());

    /// <summary>Enums as snake_case strings (<c>FileAccess.ReadWrite</c> → <c>"read_write"</c>, <c>Severity.High</c> → <c>"high"</c>).</summary>
    public static JsonConverter EnumConverter { get; } = new SnakeCaseEnumConverter();

    /// <summary>
    /// <see cref="JsonStringEnumConverter"/> with the snake_case policy, except that Core's own
    /// enums (those of the evaluation) get their converter from this table: the base factory makes each one by reflection
    /// (<c>MakeGenericType</c>), which ReadyToRun cannot precompile. An enum missing here still
    /// works, through the base factory.
    /// </summary>
    private sealed class SnakeCaseEnumConverter : JsonConverterFactory
    {
        private readonly JsonStringEnumConverter any = new(JsonNamingPolicy.SnakeCaseLower);

        private static readonly FrozenDictionary<Type, JsonConverterFactory> Known = new Dictionary<Type, JsonConverterFactory>
        {
            [typeof(Severity)] = new JsonStringEnumConverter<Severity>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(ErrorCategory)] = new JsonStringEnumConverter<ErrorCategory>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(NodeKind)] = new JsonStringEnumConverter<NodeKind>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(CompletenessStatus)] = new JsonStringEnumConverter<CompletenessStatus>(JsonNamingPolicy.SnakeCaseLower),
        }.ToFrozenDictionary();

        public override bool CanConvert(Type typeToConvert) => any.CanConvert(typeToConvert);

        public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (Known.TryGetValue(typeToConvert, out var factory) ? factory : any).CreateConverter(typeToConvert, options);
    }
}
