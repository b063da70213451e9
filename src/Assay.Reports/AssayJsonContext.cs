using System.Text.Json;
using System.Text.Json.Serialization;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>
/// Compile-time JSON metadata for the evaluation document, so writing it does not build the
/// contract by reflection at run time (that was 11–13% of the start-up of a scan, issue 12).
/// Metadata only: the runtime <see cref="AssayJson"/> options (enum names, encoder, indentation)
/// still drive the output, so the document is the one the reflection resolver wrote. Types not
/// listed here fall back to reflection (<see cref="AssayJson"/> chains both).
/// </summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(Evaluation))]
internal sealed partial class AssayJsonContext : JsonSerializerContext;
