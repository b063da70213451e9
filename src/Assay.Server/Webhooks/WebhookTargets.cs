using System.Net;
using System.Net.Sockets;

namespace Assay.Server.Webhooks;

/// <summary>
/// Which URLs a webhook may point at. The URL is user input that makes the server send requests
/// (server-side request forgery): only <c>http</c>/<c>https</c>, no credentials in the URL, and
/// unless the server runs with <c>--allow-private-webhooks</c> no loopback, link-local, private,
/// shared (CGNAT), multicast or unspecified address. The check runs twice: on registration (a
/// literal address or <c>localhost</c> is refused at once) and on every connection
/// (<see cref="ConnectAsync"/> checks each address the name resolves to at that moment, so a DNS
/// answer that changes after registration cannot reach an internal host).
/// </summary>
internal static class WebhookTargets
{
    /// <summary>Longest URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Null when <paramref name="url"/> may be registered; otherwise why not and what to do.</summary>
    public static string? Refusal(string? url, bool allowPrivate)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength)
            return $"url: give the endpoint's absolute http(s) URL (at most {MaxUrlLength} characters), e.g. https://hooks.example.com/assay";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return $"url '{url}' is not an absolute http or https URL; webhooks are sent over HTTP(S) only";
        if (uri.UserInfo.Length > 0)
            return $"url '{uri.Host}': credentials in the URL are not accepted; authenticate deliveries with the webhook secret (X-Assay-Signature)";
        if (uri.Fragment.Length > 0)
            return $"url '{url}' has a fragment (#...); remove it";
        string host;
        try
        {
            host = uri.IdnHost.TrimEnd('.');
        }
        catch (UriFormatException)
        {
            // System.Uri parses the URL but cannot map its host to ASCII (IDNA): no request could be sent to it.
            return $"url host '{uri.Host}' is not a valid internationalized host name; give its ASCII (punycode) form";
        }
        if (allowPrivate)
            return null;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"url host '{host}' is this machine; webhooks to loopback, link-local and private addresses are refused (start the server with --allow-private-webhooks to allow them)";
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IsForbidden(address))
            return $"url host {address} is a loopback, link-local, private or otherwise internal address; webhooks to them are refused (start the server with --allow-private-webhooks to allow them)";
        return null;
    }

    /// <summary>True for addresses a webhook must not reach unless private targets are allowed.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return b[0] switch
            {
                0 or 10 or 127 => true,                       // "this network", RFC 1918, loopback
                100 => b[1] is >= 64 and <= 127,              // RFC 6598 shared (CGNAT)
                169 => b[1] == 254,                           // link-local (cloud metadata at 169.254.169.254)
                172 => b[1] is >= 16 and <= 31,               // RFC 1918
                192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0), // RFC 1918, IETF protocol assignments
                198 => b[1] is 18 or 19,                      // benchmarking
                >= 224 => true,                               // multicast, reserved, broadcast
                _ => false,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC;                     // fc00::/7 unique local
        }
        return true;
    }

    /// <summary>
    /// The connection step of the webhook client: resolves the host now and connects to the first
    /// address that is allowed; refuses when every address is forbidden.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(a => !IsForbidden(a))];
        if (allowed.Length == 0)
            throw new HttpRequestException($"webhook host '{host}' resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}); refused (start the server with --allow-private-webhooks to allow them)");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
