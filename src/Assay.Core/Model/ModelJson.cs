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
    /// The generated metadata of the model, and nothing by reflection: the command is published
    /// with Native AOT, where reflection-made metadata does not work. A document of another project
    /// combines its own generated context in front of this one.
    /// </summary>
    public static IJsonTypeInfoResolver Resolver { get; } = JsonTypeInfoResolver.Combine(ModelJsonContext.Default, CacheJsonContext.Default);

    /// <summary>The generated metadata of <typeparamref name="T"/> under <paramref name="options"/> (whose resolver must know the type).</summary>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Core's enums as snake_case strings (<c>Severity.High</c> → <c>"high"</c>, <c>ErrorCategory.Limit</c> → <c>"limit"</c>).</summary>
    public static JsonConverter EnumConverter { get; } = new SnakeCaseEnumConverter();

    /// <summary>
    /// Core's own enums (those of the evaluation) as snake_case strings, from a table of
    /// <see cref="JsonStringEnumConverter{TEnum}"/>s. The non-generic <see cref="JsonStringEnumConverter"/>
    /// makes each converter by reflection (<c>MakeGenericType</c>), which neither ReadyToRun nor
    /// Native AOT can compile ahead of time. Another project's enum gets its own generic converter,
    /// added to its options before this one; an enum missing everywhere fails with a message that
    /// says so (tests serialize every document).
    /// </summary>
    private sealed class SnakeCaseEnumConverter : JsonConverterFactory
    {
        private static readonly FrozenDictionary<Type, JsonConverterFactory> Known = new Dictionary<Type, JsonConverterFactory>
        {
            [typeof(Severity)] = new JsonStringEnumConverter<Severity>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(ErrorCategory)] = new JsonStringEnumConverter<ErrorCategory>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(NodeKind)] = new JsonStringEnumConverter<NodeKind>(JsonNamingPolicy.SnakeCaseLower),
            [typeof(CompletenessStatus)] = new JsonStringEnumConverter<CompletenessStatus>(JsonNamingPolicy.SnakeCaseLower),
        }.ToFrozenDictionary();

        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            Known.TryGetValue(typeToConvert, out var factory)
                ? factory.CreateConverter(typeToConvert, options)
                : throw new NotSupportedException($"enum {typeToConvert.FullName} has no JSON converter: add a JsonStringEnumConverter<{typeToConvert.Name}> to the options that write it, before ModelJson.EnumConverter");
    }
}
