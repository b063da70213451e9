using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// RADIUS and TACACS+ clients and servers, whose shared secret authenticates the AAA exchange:
/// <c>pam_radius_auth.conf</c> and radiusclient/freeradius-client <c>servers</c> (<c>HOST SECRET [TIMEOUT]</c>),
/// <c>radiusclient.conf</c>, FreeRADIUS <c>clients.conf</c> (<c>secret = ...</c>), pam_tacplus /
/// libnss-tacplus / tacplus-auth <c>tacplus*.conf</c> (<c>secret=</c>), tac_plus <c>tac_plus.conf</c>
/// (<c>key = ...</c>) and OpenWrt hostapd/wpad RADIUS options (<c>auth_secret</c>, <c>acct_secret</c>).
/// A shared secret in the image is a clear-text credential, the same on every device
/// (TS 33.117 §4.2.3.2.2, §4.2.3.2.3, §4.2.3.4.2.3); the well-known <c>testing123</c> is critical.
/// </summary>
/// <remarks>Limitations: secrets from the environment or an include are not followed.</remarks>
public sealed class AaaClientConfigAnalyzer : IInspector
{
    private static readonly string[] WellKnown = ["testing123", "secret", "radius", "tacacs", "changeme", "password"];

    public string Id => "aaa-client-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name is "pam_radius_auth.conf" or "radiusclient.conf" or "clients.conf" or "tac_plus.conf" or "tacplus.conf" or "tacplus_servers" or "tacplus_nss.conf"
            || (name == "servers" && (inner.Contains("/radiusclient", StringComparison.Ordinal) || inner.Contains("/radcli/", StringComparison.Ordinal)))
            || (inner.Contains("/freeradius/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || inner.EndsWith("/etc/config/wireless", StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var name = ConfigText.Name(file.InnerPath);
        var columns = name is "pam_radius_auth.conf" or "servers";
        sink.Checked("ASSAY-CRED-CLEARTEXT");
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            string? secret = null;
            var w = ConfigText.Words(content);
            if (columns)
            {
                // "server[:port] secret [timeout]"
                if (w.Length >= 2 && !w[0].Contains('=', StringComparison.Ordinal))
                    secret = w[1];
            }
            else if (w.Length >= 3 && w[0] == "option" && w[1] is "auth_secret" or "acct_secret" or "dae_secret")
            {
                secret = w[2];
            }
            else
            {
                var (key, value) = ConfigText.KeyValue(content);
                if (key.ToLowerInvariant() is "secret" or "key" or "shared_secret" && value.Length > 0 && value != "{")
                    secret = value;
            }
            if (string.IsNullOrEmpty(secret))
                continue;
            var known = WellKnown.Contains(secret, StringComparer.OrdinalIgnoreCase);
            var protocol = name.Contains("tac", StringComparison.Ordinal) ? "TACACS+" : "RADIUS";
            sink.Add(RuleCatalog.Finding("ASSAY-CRED-CLEARTEXT", file.Path, known ? content : content.Replace(secret, SecretsAnalyzer.Mask(secret), StringComparison.Ordinal), line,
                severity: known ? Severity.Critical : null, title: $"{protocol} shared secret in clear text{(known ? $" (well-known \"{secret}\")" : "")}"));
        }
    }
}
