using System.Text.Json;
using System.Text.Json.Serialization;
using Assay.Network.Compliance;
using Assay.Network.Planning;
using Assay.Network.Risk;
using Assay.Reports;

namespace Assay.Network.Output;

/// <summary>
/// JSON metadata of the documents of <c>assay network</c> (<c>-f json</c>) written at build time
/// (System.Text.Json source generation): check, plan, plans compared, risk. Native AOT has no
/// reflection-based serialization, so every document is written through this metadata.
/// </summary>
/// <remarks>
/// Naming and null handling here are only the generation defaults: the options that use this
/// context (<see cref="NetworkJson"/>) decide them at run time. Only metadata is generated: the
/// serialize fast path never runs under options with converters and an encoder, as Assay's are.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(CheckResult))]
[JsonSerializable(typeof(PlanResult))]
[JsonSerializable(typeof(PlanComparison))]
[JsonSerializable(typeof(RiskResult))]
internal sealed partial class NetworkJsonContext : JsonSerializerContext;

/// <summary>
/// Assay's JSON conventions (<see cref="AssayJson.Options"/>: naming, encoder, null handling,
/// indentation, number handling, the enum converter) with this project's generated metadata (and the
/// evaluation model's behind it, which no network document uses).
/// </summary>
/// <remarks>
/// The network documents hold no enum (domains, kinds and measures are written as the strings the
/// policy packs use) and no evaluation type. An enum added to a document needs its own
/// <c>JsonStringEnumConverter&lt;TEnum&gt;(JsonNamingPolicy.SnakeCaseLower)</c> passed to
/// <see cref="AssayJson.With"/> here.
/// </remarks>
internal static class NetworkJson
{
    public static JsonSerializerOptions Options { get; } = AssayJson.With(AssayJson.Options, NetworkJsonContext.Default);
}
