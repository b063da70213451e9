using System.Security.Cryptography;
using System.Text.Json;
using Assay.Reports;

namespace Assay.Engine;

/// <summary>
/// A stage's output as stored between jobs: compact JSON with the conventions of every Assay
/// document (<see cref="AssayJson"/>), named by its SHA-256 so a server keeps it as a
/// content-addressed blob. Reading gives back what was written (tests hold every stage's output to it).
/// </summary>
public static class StageDocument
{
    public static byte[] Write<T>(T output) => JsonSerializer.SerializeToUtf8Bytes(output, AssayJson.Compact);

    /// <summary>Reads a stored output; throws <see cref="InvalidDataException"/> when the bytes are not one.</summary>
    public static T Read<T>(byte[] document)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            return JsonSerializer.Deserialize<T>(document, AssayJson.Reading) ?? throw new InvalidDataException($"the stored {typeof(T).Name} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored document is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>The name of a stored document: the lower-case hex SHA-256 of its bytes.</summary>
    public static string Address(byte[] document) => Convert.ToHexStringLower(SHA256.HashData(document));
}
