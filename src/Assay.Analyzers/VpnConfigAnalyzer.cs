using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// VPN configurations: OpenVPN (<c>*.conf</c> under an <c>openvpn</c> folder, <c>*.ovpn</c>;
/// openvpn(8): <c>cipher</c>, <c>data-ciphers</c>, <c>auth</c>, <c>secret</c> static keys, inline
/// <c>&lt;key&gt;</c>/<c>&lt;secret&gt;</c>/<c>&lt;tls-auth&gt;</c>), strongSwan (<c>ipsec.conf</c>
/// <c>ike=</c>/<c>esp=</c>/<c>aggressive=</c>, <c>swanctl.conf</c> proposals and <c>secret =</c>,
/// <c>ipsec.secrets</c> PSK/XAUTH/EAP lines) and WireGuard (<c>wg*.conf</c> under
/// <c>/etc/wireguard</c>, OpenWrt <c>/etc/config/network</c> <c>private_key</c>). Broken algorithms
/// fail TS 33.117 §4.2.3.2.4; key material and PSKs shipped in the image fail §4.2.3.4.2.3 and
/// §4.2.3.2.2 (the same on every device).
/// </summary>
/// <remarks>Limitations: OpenVPN's and strongSwan's built-in defaults are not judged; key files that a
/// configuration names (<c>secret /etc/openvpn/static.key</c>) are found by the secrets analyzer, not joined here.</remarks>
public sealed class VpnConfigAnalyzer : IInspector
{
    private static readonly Assay.Core.Text.GuardedRegex WeakOpenVpnCipher = Patterns.Bounded(@"^(?:none|BF-.*|DES-.*|DES-EDE.*|DESX.*|RC2-.*|RC4.*|CAST5-.*|SEED-.*)$", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex WeakDigest = Patterns.Bounded(@"^(?:none|MD5|MD4|RSA-MD5)$", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex WeakIpsecPart = Patterns.Bounded(@"^(?:des|3des|blowfish\d*|cast128|null|md5|hmac_md5|modp768|modp1024|modp1536|modp1024s160|modp2048s224|ecp192|ecp224)$", RegexOptions.IgnoreCase);

    public string Id => "vpn-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name.EndsWith(".ovpn", StringComparison.Ordinal)
            || (inner.Contains("/openvpn/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || name is "ipsec.conf" or "ipsec.secrets" or "swanctl.conf" or "strongswan.conf"
            || (inner.Contains("/swanctl/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || (inner.Contains("/wireguard/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || inner.EndsWith("/etc/config/network", StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var inner = file.InnerPath;
        var name = ConfigText.Name(inner);
        sink.Checked("ASSAY-VPN-WEAK-CRYPTO", "ASSAY-VPN-PRIVATE-KEY", "ASSAY-CRED-CLEARTEXT");
        if (name == "ipsec.secrets")
            IpsecSecrets(file.Path, text, sink);
        else if (name is "ipsec.conf" or "swanctl.conf" or "strongswan.conf" || inner.Contains("/swanctl/", StringComparison.Ordinal))
            StrongSwan(file.Path, text, sink);
        else if (inner.Contains("/wireguard/", StringComparison.Ordinal) || inner.EndsWith("/etc/config/network", StringComparison.Ordinal))
            WireGuard(file.Path, text, sink);
        else
            OpenVpn(file.Path, text, sink);
    }

    private static void OpenVpn(string path, string text, InspectionSink sink)
    {
        string? inline = null;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            if (inline is not null)
            {
                if (content.Equals($"</{inline}>", StringComparison.OrdinalIgnoreCase))
                    inline = null;
                continue;
            }
            if (content is "<key>" or "<secret>" or "<tls-auth>" or "<tls-crypt>" or "<tls-crypt-v2>")
            {
                inline = content[1..^1];
                sink.Add(RuleCatalog.Finding("ASSAY-VPN-PRIVATE-KEY", path, content, line, title: $"OpenVPN inline <{inline}> key in the image"));
                continue;
            }
            if (content.StartsWith('<') && content.EndsWith('>') && !content.StartsWith("</", StringComparison.Ordinal))
            {
                inline = content[1..^1]; // <ca>, <cert>: public material, skipped
                continue;
            }
            var w = ConfigText.Words(content);
            if (w.Length < 2)
                continue;
            switch (w[0].ToLowerInvariant())
            {
                case "cipher" when WeakOpenVpnCipher.IsMatch(w[1]):
                case "auth" when WeakDigest.IsMatch(w[1]):
                    sink.Add(RuleCatalog.Finding("ASSAY-VPN-WEAK-CRYPTO", path, content, line, title: $"OpenVPN {w[0]} {w[1]}"));
                    break;
                case "data-ciphers" or "ncp-ciphers":
                    var weak = w[1].Split(':').Where(c => WeakOpenVpnCipher.IsMatch(c)).ToList();
                    if (weak.Count > 0)
                        sink.Add(RuleCatalog.Finding("ASSAY-VPN-WEAK-CRYPTO", path, content, line, title: $"OpenVPN {w[0]} allows {string.Join(", ", weak)}"));
                    break;
                case "secret":
                    sink.Add(RuleCatalog.Finding("ASSAY-VPN-WEAK-CRYPTO", path, content, line, title: "OpenVPN static-key mode (no forward secrecy, one key for every peer)"));
                    break;
            }
        }
    }

    private static void StrongSwan(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var (key, value) = ConfigText.KeyValue(content);
            var k = key.ToLowerInvariant();
            if (k is "ike" or "esp" or "ah" or "proposals" or "esp_proposals" or "ah_proposals")
            {
                var weak = value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
                    .SelectMany(p => p.TrimEnd('!').Split('-')).Where(part => WeakIpsecPart.IsMatch(part)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (weak.Count > 0)
                    sink.Add(RuleCatalog.Finding("ASSAY-VPN-WEAK-CRYPTO", path, content, line, title: $"IPsec {key} allows {string.Join(", ", weak)}"));
            }
            else if ((k == "aggressive" && value.Equals("yes", StringComparison.OrdinalIgnoreCase)) || (k == "keyexchange" && value.Equals("ikev1", StringComparison.OrdinalIgnoreCase)))
            {
                sink.Add(RuleCatalog.Finding("ASSAY-VPN-WEAK-CRYPTO", path, content, line, title: $"IPsec {key}={value} (IKEv1{(k == "aggressive" ? " aggressive mode exposes the PSK hash" : "")})"));
            }
            else if (k == "secret" && value.Length > 0)
            {
                sink.Add(RuleCatalog.Finding("ASSAY-CRED-CLEARTEXT", path, content.Replace(value, SecretsAnalyzer.Mask(value), StringComparison.Ordinal), line, title: "IPsec secret in clear text (swanctl secrets)"));
            }
        }
    }

    /// <summary>ipsec.secrets(5): <c>[ids] : PSK "secret"</c>, <c>: XAUTH user "pw"</c>, <c>: EAP "pw"</c>; RSA/ECDSA lines name key files.</summary>
    private static void IpsecSecrets(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var colon = content.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
                continue;
            var w = ConfigText.Words(content[(colon + 1)..]);
            if (w.Length < 2 || w[0].ToUpperInvariant() is not ("PSK" or "XAUTH" or "EAP" or "NTLM" or "PIN"))
                continue;
            var secret = w[^1];
            if (secret.Length == 0)
                continue; // PSK "" (found by fuzzing): nothing to show, and nothing to mask
            var shown = content.Replace(secret, SecretsAnalyzer.Mask(secret), StringComparison.Ordinal);
            sink.Add(w[0].Equals("PSK", StringComparison.OrdinalIgnoreCase)
                ? RuleCatalog.Finding("ASSAY-VPN-PRIVATE-KEY", path, shown, line, title: "IPsec pre-shared key in the image")
                : RuleCatalog.Finding("ASSAY-CRED-CLEARTEXT", path, shown, line, title: $"IPsec {w[0].ToUpperInvariant()} password in clear text"));
        }
    }

    private static void WireGuard(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var (key, value) = ConfigText.KeyValue(content);
            var w = ConfigText.Words(content);
            // wg-quick: "PrivateKey = base64"; OpenWrt UCI: "option private_key 'base64'"
            var uciKey = w.Length >= 3 && w[0] == "option" ? w[1] : null;
            var isKey = key.Equals("PrivateKey", StringComparison.OrdinalIgnoreCase) || key.Equals("PresharedKey", StringComparison.OrdinalIgnoreCase)
                || uciKey is "private_key" or "preshared_key";
            var secret = uciKey is not null ? w[2] : value;
            if (isKey && secret.Length >= 40)
                sink.Add(RuleCatalog.Finding("ASSAY-VPN-PRIVATE-KEY", path, content.Replace(secret, SecretsAnalyzer.Mask(secret), StringComparison.Ordinal), line,
                    title: $"WireGuard {(uciKey ?? key)} in the image"));
        }
    }
}
