using System.Security.Cryptography;
using System.Text;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Wi-Fi settings of hostapd (<c>hostapd*.conf</c>), wpa_supplicant and OpenWrt's
/// <c>/etc/config/wireless</c>: WPA1, TKIP and WEP (TS 33.117 §4.2.3.2.4), open networks
/// (§4.2.3.4.1.1) and pre-shared passphrases in clear (§4.2.3.2.2, §4.2.3.4.2.3), masked in the
/// evidence, with the SHA-256 of the passphrase as fingerprint.
/// </summary>
/// <remarks>Limitations: one BSS per hostapd file is judged (bss= sections are read as one); WPA-Enterprise (802.1X) counts as not open.</remarks>
public sealed class WifiConfigAnalyzer : IInspector
{
    public string Id => "wifi-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return (name.StartsWith("hostapd", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || (name.StartsWith("wpa_supplicant", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || inner.EndsWith("/etc/config/wireless", StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        sink.Checked("ASSAY-WIFI-OPEN", "ASSAY-WIFI-PASSPHRASE", "ASSAY-WIFI-WEAK-SECURITY");
        if (file.InnerPath.EndsWith("/etc/config/wireless", StringComparison.Ordinal))
            Uci(file.Path, text, sink);
        else if (ConfigText.Name(file.InnerPath).StartsWith("hostapd", StringComparison.Ordinal))
            Hostapd(file.Path, text, sink);
        else
            Supplicant(file.Path, text, sink);
    }

    private static void Hostapd(string path, string text, InspectionSink sink)
    {
        int? wpa = null;
        var wpaLine = 0;
        var weak = new List<(int Line, string Text)>();
        var wep = false;
        var ieee8021x = false;
        var sawInterface = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var (key, value) = ConfigText.KeyValue(content);
            switch (key)
            {
                case "interface":
                    sawInterface = true;
                    break;
                case "wpa":
                    wpa = int.TryParse(value, out var v) ? v : 0;
                    wpaLine = line;
                    if (wpa == 1)
                        weak.Add((line, content));
                    break;
                case "wpa_pairwise" or "rsn_pairwise" when value.Contains("TKIP", StringComparison.OrdinalIgnoreCase):
                    weak.Add((line, content));
                    break;
                case "wep_key0" or "wep_key1" or "wep_key2" or "wep_key3":
                    wep = true;
                    weak.Add((line, $"{key}=…"));
                    break;
                case "ieee8021x" when value == "1":
                    ieee8021x = true;
                    break;
                case "wpa_passphrase":
                    Passphrase(path, line, key, value, sink);
                    break;
            }
        }
        if (weak.Count > 0)
            sink.Add(RuleCatalog.Finding("ASSAY-WIFI-WEAK-SECURITY", path, string.Join("; ", weak.Select(w => w.Text)), weak[0].Line,
                severity: wep ? Severity.High : null, title: wep ? "Wi-Fi uses WEP" : wpa == 1 ? "Wi-Fi limited to WPA1" + (weak.Count > 1 ? " with TKIP" : "") : null));
        if (sawInterface && (wpa ?? 0) == 0 && !wep && !ieee8021x)
            sink.Add(RuleCatalog.Finding("ASSAY-WIFI-OPEN", path, wpa is null ? "no wpa= setting and no WEP key" : "wpa=0", wpa is null ? null : wpaLine));
    }

    private static void Supplicant(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var (key, value) = ConfigText.KeyValue(content);
            if (key == "psk" && content.Contains('"', StringComparison.Ordinal))
                Passphrase(path, line, key, value, sink);
            else if ((key is "pairwise" or "group" && value.Contains("TKIP", StringComparison.OrdinalIgnoreCase)) || (key == "proto" && value.Split(' ').Contains("WPA")))
                sink.Add(RuleCatalog.Finding("ASSAY-WIFI-WEAK-SECURITY", path, content, line));
            else if (key.StartsWith("wep_key", StringComparison.Ordinal))
                sink.Add(RuleCatalog.Finding("ASSAY-WIFI-WEAK-SECURITY", path, $"{key}=…", line, severity: Severity.High, title: "Wi-Fi uses WEP"));
        }
    }

    /// <summary>UCI: <c>option encryption 'psk'|'psk-mixed'|'psk2+tkip'|'wep'|'none'</c>, <c>option key '...'</c>.</summary>
    private static void Uci(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 3 || w[0] != "option")
                continue;
            if (w[1] == "encryption")
            {
                var e = w[2].ToLowerInvariant();
                if (e.StartsWith("wep", StringComparison.Ordinal))
                    sink.Add(RuleCatalog.Finding("ASSAY-WIFI-WEAK-SECURITY", path, content, line, severity: Severity.High, title: "Wi-Fi uses WEP"));
                else if (e is "psk" or "psk-mixed" || e.Contains("tkip", StringComparison.Ordinal))
                    sink.Add(RuleCatalog.Finding("ASSAY-WIFI-WEAK-SECURITY", path, content, line));
                else if (e == "none")
                    sink.Add(RuleCatalog.Finding("ASSAY-WIFI-OPEN", path, content, line));
            }
            else if (w[1] == "key" && w[2].Length >= 8)
                Passphrase(path, line, "option key", w[2], sink);
        }
    }

    private static void Passphrase(string path, int line, string key, string value, InspectionSink sink)
    {
        if (value.Length == 0)
            return;
        var known = PasswordAnalyzer.DefaultPasswords.Contains(value, StringComparer.Ordinal);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
        sink.Add(RuleCatalog.Finding("ASSAY-WIFI-PASSPHRASE", path,
            $"{key}={SecretsAnalyzer.Mask(value)} ({value.Length} characters{(known ? ", in the list of well-known default passwords" : "")})", line, fingerprint));
    }
}
