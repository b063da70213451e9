using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>The JSON conventions of every Assay document: camelCase, lower-case enums, nulls left out, indented.</summary>
/// <remarks>
/// <see cref="Options"/> and <see cref="Compact"/> write with the evaluation model's generated
/// metadata (<see cref="ModelJson.Resolver"/>). Reading goes through <see cref="Reading"/>, which
/// builds its metadata by reflection: generated metadata sets every init-only property the document
/// leaves out to null, where reflection keeps the property's initializer (an evaluation without
/// <c>chunks</c> reads as one with none), and the readers' checks rely on the latter.
/// </remarks>
public static class AssayJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true, ModelJson.Resolver);
    public static JsonSerializerOptions Compact { get; } = Create(indented: false, ModelJson.Resolver);

    /// <summary>The same conventions for reading any Assay document (compact or indented alike).</summary>
    public static JsonSerializerOptions Reading { get; } = Create(indented: false, new DefaultJsonTypeInfoResolver());

    private static JsonSerializerOptions Create(bool indented, IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = resolver,
        };
        options.Converters.Add(ModelJson.EnumConverter);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
