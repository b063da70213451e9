using Microsoft.Net.Http.Headers;

namespace Assay.Server.Api;

/// <summary>
/// The delivery's file name from <c>Content-Disposition</c>. It is untrusted: only the last path
/// component is kept, control characters and separators are refused, and the length is bounded;
/// the scan names its root after it and the worker links the blob under it in a private folder.
/// </summary>
internal static class DeliveryName
{
    public const int MaxLength = 200;
    public const string Fallback = "delivery.bin";

    /// <summary>The file name, or null with a reason when the header is malformed.</summary>
    public static string? FromHeader(string? header, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(header))
            return Fallback;
        if (!ContentDispositionHeaderValue.TryParse(header, out var value))
        {
            error = $"Content-Disposition '{header}' is malformed; send 'attachment; filename=\"delivery.zip\"'";
            return null;
        }
        string? name;
        try
        {
            name = value.FileNameStar.HasValue ? value.FileNameStar.Value : HeaderUtilities.RemoveQuotes(value.FileName).Value;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or FormatException)
        {
            // The header type's getters throw on a parameter without a value ("filename*":
            // ArgumentNullException) and on a charset .NET refuses ("filename*=UTF-7''…":
            // NotSupportedException); both found by fuzzing, both were a 500 for a malformed header.
            error = $"Content-Disposition '{header}' has a file name that cannot be read ({e.Message}); send 'attachment; filename=\"delivery.zip\"'";
            return null;
        }
        return Clean(name, out error);
    }

    public static string? Clean(string? raw, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
            return Fallback;
        var name = raw.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        if (name is "" or "." or "..")
            return Fallback;
        if (name.Any(c => char.IsControl(c)) || name.Contains("!/", StringComparison.Ordinal))
        {
            error = $"the file name '{raw}' holds control characters or '!/'; rename the file";
            return null;
        }
        return name.Length > MaxLength ? name[^MaxLength..] : name;
    }
}
