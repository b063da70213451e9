using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Reports;

namespace Assay.Engine;

/// <summary>
/// A stage's output as stored between jobs: compact JSON with the conventions of every Assay
/// document (<see cref="AssayJson"/>), named by its SHA-256 so a server keeps it as a
/// content-addressed blob. Reading gives back what was written (tests hold every stage's output to it).
/// </summary>
/// <remarks>
/// The stage outputs are written and read with generated metadata (<see cref="StageJsonContext"/>),
/// so the type of <see cref="Write{T}"/> and <see cref="Read{T}"/> is one of its
/// types. Generated metadata reads a left-out list as null, not empty (<see cref="ModelDefaults"/>):
/// a stored output is one Assay wrote, which names every list.
/// </remarks>
public static class StageDocument
{
    private static readonly JsonSerializerOptions Writing = AssayJson.With(AssayJson.Compact, StageJsonContext.Default);
    private static readonly JsonSerializerOptions Reading = AssayJson.With(AssayJson.Reading, StageJsonContext.Default);

    public static byte[] Write<T>(T output) => JsonSerializer.SerializeToUtf8Bytes(output, ModelJson.TypeInfo<T>(Writing));

    /// <summary>Reads a stored output; throws <see cref="InvalidDataException"/> when the bytes are not one.</summary>
    public static T Read<T>(byte[] document)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return JsonSerializer.Deserialize(document, ModelJson.TypeInfo<T>(Reading)) ?? throw new InvalidDataException($"the stored {typeof(T).Name} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored document is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The name of a stored document: the lower-case hex SHA-256 of its bytes.</summary>
    public static string Address(byte[] document) => Convert.ToHexStringLower(SHA256.HashData(document));
}

/// <summary>The stage outputs a server stores (<see cref="StageDocument"/>); naming and null handling come from the options that use it.</summary>
[JsonSerializable(typeof(IdentifyResult))]
[JsonSerializable(typeof(UnpackResult))]
[JsonSerializable(typeof(InspectResult))]
[JsonSerializable(typeof(InspectedDelivery))]
[JsonSerializable(typeof(Evaluation))]
internal sealed partial class StageJsonContext : JsonSerializerContext;
