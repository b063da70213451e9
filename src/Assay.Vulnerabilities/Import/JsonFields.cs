using System.Globalization;
using System.Text.Json;

namespace Assay.Vulnerabilities.Import;

/// <summary>Bounded, typed access to fields of untrusted JSON records.</summary>
internal static class JsonFields
{
    public const int MaxIdLength = 128;
    public const int MaxVersionLength = 256;
    public const int MaxDescriptionLength = 4096;

    public static string? OptionalString(JsonElement obj, string name, int maxLength)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new FeedFormatException($"field '{name}' is {value.ValueKind}, expected a string");
        var s = value.GetString()!;
        if (s.Length > maxLength)
            throw new FeedFormatException($"field '{name}' is {s.Length} characters long, more than the limit of {maxLength}");
        return s;
    }

    public static string RequiredString(JsonElement obj, string name, int maxLength) =>
        OptionalString(obj, name, maxLength) ?? throw new FeedFormatException($"required field '{name}' is missing");

    /// <summary>Text truncated to <paramref name="maxLength"/> (descriptions are informative, not matched on).</summary>
    public static string? TruncatedString(JsonElement obj, string name, int maxLength)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            return null;
        var s = value.GetString()!;
        return s.Length > maxLength ? s[..maxLength] : s;
    }

    public static DateTimeOffset? OptionalTime(JsonElement obj, string name)
    {
        var s = OptionalString(obj, name, 64);
        if (s is null)
            return null;
        // NVD writes "2024-10-21T15:35:00.123" (UTC, no zone); OSV writes RFC 3339 with Z.
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        throw new FeedFormatException($"field '{name}' value '{s}' is not an ISO 8601 time");
    }

    public static IEnumerable<JsonElement> Array(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return [];
        if (value.ValueKind != JsonValueKind.Array)
            throw new FeedFormatException($"field '{name}' is {value.ValueKind}, expected an array");
        return value.EnumerateArray();
    }

    public static JsonElement? Object(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static bool OptionalBool(JsonElement obj, string name, bool fallback)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
            return fallback;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => fallback,
            _ => throw new FeedFormatException($"field '{name}' is {value.ValueKind}, expected true or false"),
        };
    }

    public static double? OptionalNumber(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new FeedFormatException($"field '{name}' is not a finite number");
        return d;
    }
}
