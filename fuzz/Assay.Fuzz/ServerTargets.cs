using System.Text;
using Assay.Server.Api;

namespace Assay.Fuzz;

/// <summary>
/// Targets for what the lab service parses out of a request before anything is stored: the
/// <c>Content-Range</c> of a resumable upload chunk, the delivery's file name from
/// <c>Content-Disposition</c> (it names the scan's root and a link in the worker's folder), and list
/// page tokens. Each must answer or refuse; a name that comes out must be one component, bounded,
/// without control characters or the virtual-path separator, or the target throws (a crash).
/// </summary>
internal static class ServerTargets
{
    public static void Add(Dictionary<string, Action<byte[]>> targets)
    {
        targets["server:content-range"] = ContentRange;
        targets["server:delivery-name"] = DeliveryNameHeader;
        targets["server:page-token"] = PageToken;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static void ContentRange(byte[] bytes)
    {
        if (DeliveryEndpoints.TryRange(Text(bytes), out var from, out var to, out var total) && !(0 <= from && from <= to && to < total))
            throw new InvalidOperationException($"Content-Range accepted an impossible range {from}-{to}/{total}");
    }

    private static void DeliveryNameHeader(byte[] bytes)
    {
        var name = DeliveryName.FromHeader(Text(bytes), out var error);
        if (name is null)
        {
            if (string.IsNullOrEmpty(error))
                throw new InvalidOperationException("a refused file name came without a reason");
            return;
        }
        if (name.Length == 0 || name.Length > DeliveryName.MaxLength || name is "." or ".." || name.Contains('/') || name.Contains('\\')
            || name.Contains("!/", StringComparison.Ordinal) || name.Any(char.IsControl))
            throw new InvalidOperationException($"an unsafe delivery name came out: '{name}'");
    }

    private static void PageToken(byte[] bytes)
    {
        var token = Text(bytes);
        for (var parts = 1; parts <= 3; parts++)
        {
            try
            {
                var split = PageTokens.Decode(token, parts);
                if (split is not null && split.Length != parts)
                    throw new InvalidOperationException($"a page token decoded to {split.Length} parts, not {parts}");
            }
            catch (FormatException)
            {
                // refused: the message names the token and says to start from the first page
            }
        }
    }
}
