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
        var name = value.FileNameStar.HasValue ? value.FileNameStar.Value : HeaderUtilities.RemoveQuotes(value.FileName).Value;
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
