using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// DHCP servers: ISC dhcpd (<c>dhcpd.conf</c>, dhcpd.conf(5): <c>omapi-port</c> without
/// <c>omapi-key</c> opens an unauthenticated control port, TS 33.117 §4.2.3.4.1.1 and §4.3.2.2) and
/// dnsmasq (<c>dnsmasq.conf</c>, <c>dnsmasq.d/*</c>: <c>dhcp-range</c> with no <c>interface</c>,
/// <c>listen-address</c> or <c>except-interface</c> serves every interface, §4.3.2.2).
/// </summary>
/// <remarks>Limitations: OpenWrt's <c>/etc/config/dhcp</c> (odhcpd/dnsmasq through UCI) names
/// interfaces per section and is not judged; Kea's JSON configuration is not read.</remarks>
public sealed class DhcpServerConfigAnalyzer : IInspector
{
    public string Id => "dhcp-server-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name is "dhcpd.conf" or "dnsmasq.conf" || inner.Contains("/dnsmasq.d/", StringComparison.Ordinal);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var lines = ConfigText.Lines(text).ToList();
        if (ConfigText.Name(file.InnerPath) == "dhcpd.conf")
        {
            sink.Checked("ASSAY-DHCP-OMAPI-NO-KEY");
            var port = lines.FirstOrDefault(l => l.Text.StartsWith("omapi-port", StringComparison.Ordinal));
            if (port.Text is not null && !lines.Any(l => l.Text.StartsWith("omapi-key", StringComparison.Ordinal)))
                sink.Add(RuleCatalog.Finding("ASSAY-DHCP-OMAPI-NO-KEY", file.Path, port.Text, port.Line));
            return;
        }
        sink.Checked("ASSAY-DHCP-ALL-INTERFACES");
        var range = lines.FirstOrDefault(l => l.Text.StartsWith("dhcp-range", StringComparison.Ordinal));
        var bound = lines.Any(l => l.Text.StartsWith("interface", StringComparison.Ordinal) || l.Text.StartsWith("listen-address", StringComparison.Ordinal)
            || l.Text.StartsWith("except-interface", StringComparison.Ordinal) || l.Text.StartsWith("no-dhcp-interface", StringComparison.Ordinal));
        if (range.Text is not null && !bound)
            sink.Add(RuleCatalog.Finding("ASSAY-DHCP-ALL-INTERFACES", file.Path, range.Text, range.Line));
    }
}
