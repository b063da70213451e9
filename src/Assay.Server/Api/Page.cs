using System.Text;

namespace Assay.Server.Api;

/// <summary>A page of a list: token pagination, forward only (the token is opaque to clients).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);

/// <summary>Page tokens: base64url of the last row's sort key; limits bounded.</summary>
internal static class PageTokens
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static int Limit(int? requested) => Math.Clamp(requested ?? DefaultLimit, 1, MaxLimit);

    public static string Encode(params string[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\n', parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The parts of a token; null when it is absent; throws <see cref="FormatException"/> when it is not one of ours.</summary>
    public static string[]? Decode(string? token, int parts)
    {
        if (string.IsNullOrEmpty(token))
            return null;
        var padded = token.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        string[] split;
        try
        {
            split = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('\n');
        }
        catch (FormatException)
        {
            throw new FormatException($"page_token '{token}' is not a token this server issued; start from the first page (no page_token)");
        }
        if (split.Length != parts)
            throw new FormatException($"page_token '{token}' is not a token of this list; start from the first page (no page_token)");
        return split;
    }
}
