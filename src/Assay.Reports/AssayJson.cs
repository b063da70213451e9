using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>The JSON conventions of every Assay document: camelCase, lower-case enums, nulls left out, indented.</summary>
/// <remarks>
/// Every option set uses the evaluation model's generated metadata (<see cref="ModelJson.Resolver"/>),
/// never reflection: <c>./assay</c> publishes the command with Native AOT. A document of another
/// project gets the same conventions with its own generated context in front
/// (<see cref="With"/>). Generated metadata reads a left-out init-only member as null, not as its
/// initializer: readers of evaluations call <see cref="ModelDefaults.Restore(Evaluation)"/>.
/// </remarks>
public static class AssayJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: true, ModelJson.Resolver);
    public static JsonSerializerOptions Compact { get; } = Create(indented: false, ModelJson.Resolver);

    /// <summary>For reading any Assay document (compact or indented alike): the compact options, whose metadata reads too.</summary>
    public static JsonSerializerOptions Reading => Compact;

    /// <summary>
    /// The conventions of <paramref name="conventions"/> (one of the option sets above) for the
    /// documents of <paramref name="context"/>, with the evaluation model's metadata behind it, and
    /// <paramref name="enumConverters"/> (generic ones, for the context's own enums) in front of
    /// the model's.
    /// </summary>
    public static JsonSerializerOptions With(JsonSerializerOptions conventions, IJsonTypeInfoResolver context, params ReadOnlySpan<JsonConverter> enumConverters)
    {
        ArgumentNullException.ThrowIfNull(conventions);
        ArgumentNullException.ThrowIfNull(context);
        var options = new JsonSerializerOptions(conventions) { TypeInfoResolver = JsonTypeInfoResolver.Combine(context, ModelJson.Resolver) };
        for (var i = 0; i < enumConverters.Length; i++)
            options.Converters.Insert(i, enumConverters[i]);
        options.MakeReadOnly();
        return options;
    }

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
        options.MakeReadOnly();
        return options;
    }
}
