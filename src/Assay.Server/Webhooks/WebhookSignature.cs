using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Assay.Server.Webhooks;

/// <summary>
/// The signature of a webhook delivery, in the shape Stripe uses:
/// <c>X-Assay-Signature: t=1733551200,v1=5257a869e7...</c>, where <c>t</c> is the Unix time in
/// seconds when the attempt was sent and <c>v1</c> is the lower-case hex HMAC-SHA256, keyed with the
/// endpoint's secret (its UTF-8 bytes), of <c>t</c>, a full stop and the raw request body bytes.
/// A receiver recomputes it over the body as received, compares in constant time and refuses a
/// <c>t</c> older than its tolerance (replays); it deduplicates on <c>X-Assay-Delivery</c>.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string Header = "X-Assay-Signature";

    /// <summary>The header that carries the delivery id (the same on every retry of one delivery).</summary>
    public const string DeliveryHeader = "X-Assay-Delivery";

    /// <summary>The header that carries the event name.</summary>
    public const string EventHeader = "X-Assay-Event";

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Mac(secret, timestamp, body))}";

    /// <summary>
    /// True when <paramref name="header"/> carries a <c>v1</c> signature of <paramref name="body"/>
    /// by <paramref name="secret"/> whose <c>t</c> is within <paramref name="tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (header is null)
            return false;
        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            var (name, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                timestamp = t;
            else if (name == "v1" && value.Length == 64)
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                }
            }
        }
        if (timestamp is not { } ts || Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds)
            return false;
        var expected = Mac(secret, ts, body);
        var ok = false;
        foreach (var s in signatures)
            ok |= CryptographicOperations.FixedTimeEquals(s, expected);
        return ok;
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
