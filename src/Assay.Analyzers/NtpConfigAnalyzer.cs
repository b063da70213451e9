using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Time synchronisation: ntpd and ntpsec (<c>ntp.conf</c>: <c>server</c>/<c>pool</c> with or without
/// <c>key N</c>/<c>nts</c>, <c>restrict default</c>), chrony (<c>chrony.conf</c>: <c>nts</c>, <c>key</c>),
/// OpenWrt sysntpd (<c>/etc/config/system</c> <c>timeserver</c> section) and the NTP key files
/// (<c>ntp.keys</c>, <c>chrony.keys</c>: <c>ID TYPE SECRET</c>). An ntpd that answers queries from
/// anyone fails TS 33.117 §4.3.2.2/§4.3.2.1; unauthenticated time (every server without a key or
/// NTS) is reported against §4.2.3.6.1, whose event timestamps depend on it; shipped NTP keys are clear-text credentials.
/// </summary>
/// <remarks>Limitations: servers given on the command line (<c>ntpd -p host</c> of BusyBox) count as
/// unauthenticated only when a boot script names them; DHCP-provided servers are not seen.</remarks>
public sealed class NtpConfigAnalyzer : IInspector
{
    public string Id => "ntp-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name is "ntp.conf" or "chrony.conf" or "ntp.keys" or "chrony.keys" || inner.EndsWith("/etc/ntp/keys", StringComparison.Ordinal)
            || inner.EndsWith("/etc/config/system", StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var inner = file.InnerPath;
        var name = ConfigText.Name(inner);
        if (name is "ntp.keys" or "chrony.keys" || inner.EndsWith("/etc/ntp/keys", StringComparison.Ordinal))
        {
            sink.Checked("ASSAY-CRED-CLEARTEXT");
            Keys(file.Path, text, sink);
            return;
        }
        var uci = inner.EndsWith("/etc/config/system", StringComparison.Ordinal);
        var servers = new List<(int Line, string Text, bool Authenticated)>();
        var restricted = false;
        var inTimeserver = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length == 0)
                continue;
            if (uci)
            {
                if (w[0] == "config")
                    inTimeserver = w.Length > 1 && w[1] == "timeserver";
                else if (inTimeserver && w.Length >= 3 && w[0] == "list" && w[1] == "server")
                    servers.Add((line, content, false));
                continue;
            }
            switch (w[0].ToLowerInvariant())
            {
                case "server" or "pool" or "peer":
                    if (w.Length > 1 && !w[1].StartsWith("127.", StringComparison.Ordinal) && w[1] != "::1")
                        servers.Add((line, content, w.Skip(2).Any(o => o is "key" or "nts" or "autokey")));
                    break;
                case "restrict" when w.Length > 1 && (w[1] == "default" || w[1] == "-4" || w[1] == "-6"):
                    restricted |= w.Any(o => o is "noquery" or "ignore");
                    break;
            }
        }
        if (name == "ntp.conf")
            sink.Checked("ASSAY-NTP-NO-RESTRICT");
        if (servers.Count > 0)
            sink.Checked("ASSAY-NTP-UNAUTHENTICATED");
        if (name == "ntp.conf" && !restricted)
            sink.Add(RuleCatalog.Finding("ASSAY-NTP-NO-RESTRICT", file.Path, "no 'restrict default ... noquery'", null));
        if (servers.Count > 0 && servers.All(s => !s.Authenticated))
            sink.Add(RuleCatalog.Finding("ASSAY-NTP-UNAUTHENTICATED", file.Path, servers[0].Text, servers[0].Line,
                title: $"Time synchronised from {servers.Count} server(s) without authentication"));
    }

    /// <summary>ntp.keys / chrony.keys: <c>ID TYPE SECRET</c> (ntpd) or <c>ID [TYPE] SECRET</c> (chrony).</summary>
    private static void Keys(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 2 || !w[0].All(char.IsAsciiDigit))
                continue;
            var secret = w[^1];
            sink.Add(RuleCatalog.Finding("ASSAY-CRED-CLEARTEXT", path, content.Replace(secret, SecretsAnalyzer.Mask(secret), StringComparison.Ordinal), line,
                title: $"NTP symmetric key {w[0]} in the image"));
        }
    }
}
