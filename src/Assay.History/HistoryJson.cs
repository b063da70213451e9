using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Assay.Core.Model;
using Assay.History.Build;
using Assay.History.Diff;
using Assay.Reports;

namespace Assay.History;

/// <summary>
/// JSON metadata of the release-history documents written at build time (System.Text.Json source
/// generation): the diff document, the verify-build document, and the in-toto statement built
/// around the latter as a <see cref="JsonObject"/>. Native AOT has no reflection-based
/// serialization, so every document is written through this metadata.
/// </summary>
/// <remarks>
/// Naming and null handling here are only the generation defaults: the options that use this
/// context (<see cref="HistoryJson"/>) decide them at run time. Only metadata is generated: the
/// serialize fast path never runs under options with converters and an encoder, as Assay's are.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ReleaseDiffResult))]
[JsonSerializable(typeof(VerifyResult))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;

/// <summary>
/// Assay's JSON conventions (<see cref="AssayJson"/>: naming, encoder, null handling, indentation,
/// number handling, the enum converter) with generated metadata only: this project's documents,
/// then the evaluation model's (the summary tables read by <see cref="Diff.SummaryTables"/>).
/// </summary>
/// <remarks>
/// The history documents hold no enum of this project; their only enum is Core's
/// <see cref="Severity"/>, which <see cref="ModelJson.EnumConverter"/> writes without reflection.
/// An enum of this project added to a document needs its own
/// <c>JsonStringEnumConverter&lt;TEnum&gt;(JsonNamingPolicy.SnakeCaseLower)</c> passed to
/// <see cref="AssayJson.With"/> below.
/// </remarks>
internal static class HistoryJson
{
    /// <summary>Indented, as <see cref="AssayJson.Options"/>: the diff and verify-build documents.</summary>
    public static JsonSerializerOptions Options { get; } = AssayJson.With(AssayJson.Options, HistoryJsonContext.Default);

    /// <summary>Compact, as <see cref="AssayJson.Compact"/>: the in-toto statement (the bytes a DSSE signature covers).</summary>
    public static JsonSerializerOptions Compact { get; } = AssayJson.With(AssayJson.Compact, HistoryJsonContext.Default);

    /// <summary>The metadata of <typeparamref name="T"/> under <paramref name="options"/>; throws <see cref="NotSupportedException"/> for a type no context above generates.</summary>
    public static JsonTypeInfo<T> TypeInfo<T>(this JsonSerializerOptions options) => ModelJson.TypeInfo<T>(options);
}
