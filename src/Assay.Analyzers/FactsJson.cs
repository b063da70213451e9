using System.Text.Json.Serialization;
using Assay.Core.Model;

namespace Assay.Analyzers;

/// <summary>
/// The analyzers' per-file facts as JSON (<see cref="Core.Plugins.InspectionFact.Data"/>), with
/// metadata generated at build time (see <see cref="Core.Model.ModelJsonContext"/> for why). The
/// default conventions (property names as declared) are the stored form: facts are kept in the
/// result cache, so a change here is a change of the cache's entries.
/// </summary>
[JsonSerializable(typeof(HardeningRow))]
[JsonSerializable(typeof(UnsafeFunctionAnalyzer.Row), TypeInfoPropertyName = "UnsafeFunctionRow")]
[JsonSerializable(typeof(SecretsAnalyzer.Expiry))]
internal sealed partial class FactsJson : JsonSerializerContext;
