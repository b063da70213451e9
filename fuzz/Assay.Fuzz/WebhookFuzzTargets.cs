using System.Text;
using Assay.Server.Webhooks;

namespace Assay.Fuzz;

/// <summary>
/// Targets for the webhook inputs: the <c>X-Assay-Signature</c> header as a receiver parses it
/// (must refuse, never throw, and never accept a header not made with the secret) and the
/// endpoint URL a tenant administrator registers (must answer or refuse; an accepted URL must be
/// absolute http(s) without credentials).
/// </summary>
internal static class WebhookFuzzTargets
{
    private const string Secret = "whsec_fuzz_secret_0123456789";
    private static readonly byte[] Body = "{\"id\":\"fuzz\"}"u8.ToArray();
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_765_000_000);

    public static void Add(Dictionary<string, Action<byte[]>> targets)
    {
        targets["server:webhook-signature"] = Signature;
        targets["server:webhook-url"] = Url;
    }

    private static void Signature(byte[] bytes)
    {
        var header = Encoding.UTF8.GetString(bytes);
        if (!WebhookSignature.Verify(Secret, header, Body, Now, TimeSpan.FromMinutes(5)))
            return;
        // Accepted: the header must carry the genuine MAC of one of its own timestamps (nothing else can verify).
        var genuine = header.Split(',')
            .Select(p => p.Trim())
            .Where(p => p.StartsWith("t=", StringComparison.Ordinal) && long.TryParse(p[2..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            .Any(p => header.Contains(WebhookSignature.Sign(Secret, long.Parse(p[2..], System.Globalization.CultureInfo.InvariantCulture), Body)[^64..], StringComparison.OrdinalIgnoreCase));
        if (!genuine)
            throw new InvalidOperationException($"a forged signature header verified: '{header}'");
    }

    private static void Url(byte[] bytes)
    {
        var url = Encoding.UTF8.GetString(bytes);
        foreach (var allowPrivate in new[] { false, true })
        {
            if (WebhookTargets.Refusal(url, allowPrivate) is not null)
                continue;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
                throw new InvalidOperationException($"an unsafe webhook URL was accepted: '{url}'");
            _ = new HttpRequestMessage(HttpMethod.Post, uri);   // the sender must be able to address what was accepted
            if (!allowPrivate && System.Net.IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && WebhookTargets.IsForbidden(address))
                throw new InvalidOperationException($"a webhook URL to an internal address was accepted: '{url}'");
        }
    }
}
