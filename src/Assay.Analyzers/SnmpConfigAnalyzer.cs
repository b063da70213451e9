using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// SNMP agents: Net-SNMP <c>snmpd.conf</c> (rocommunity, rwcommunity, com2sec), OpenWrt's
/// <c>/etc/config/snmpd</c> and mini_snmpd command lines (<c>-c</c>). Communities
/// <c>public</c>/<c>private</c> fail TS 33.117 §4.2.3.4.2.3 and §4.2.3.4.1.1; any v1/v2c community
/// fails §4.2.3.4.4.1 (no mutual authentication).
/// </summary>
/// <remarks>Limitations: communities set at run time (from NVRAM or a web UI) are not seen.</remarks>
public sealed class SnmpConfigAnalyzer : IInspector
{
    private static readonly string[] DefaultCommunities = ["public", "private"];

    public string Id => "snmp-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name is "snmpd.conf" or "snmpd.local.conf" || inner.EndsWith("/etc/config/snmpd", StringComparison.Ordinal)
            || inner.EndsWith("/etc/config/mini_snmpd", StringComparison.Ordinal) || ConfigText.IsBootScript(inner);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var uci = file.InnerPath.Contains("/etc/config/", StringComparison.Ordinal);
        var script = ConfigText.IsBootScript(file.InnerPath);
        var reportedV2 = false;
        if (!script)
            sink.Checked("ASSAY-SNMP-DEFAULT-COMMUNITY", "ASSAY-SNMP-V1V2C");
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            string? community = null;
            var write = false;
            if (script)
            {
                var i = Array.FindIndex(w, x => ConfigText.Name(x) == "mini_snmpd");
                if (i >= 0)
                    sink.Checked("ASSAY-SNMP-DEFAULT-COMMUNITY", "ASSAY-SNMP-V1V2C");
                var c = i < 0 ? -1 : Array.IndexOf(w, "-c", i);
                if (c > 0 && c + 1 < w.Length)
                    community = w[c + 1];
            }
            else if (uci)
            {
                if (w.Length >= 3 && w[0] == "option" && w[1].Contains("community", StringComparison.Ordinal))
                {
                    community = w[2];
                    write = w[1].StartsWith("rw", StringComparison.Ordinal);
                }
            }
            else if (w.Length >= 2)
            {
                switch (w[0].ToLowerInvariant())
                {
                    case "rocommunity" or "rocommunity6":
                        community = w[1];
                        break;
                    case "rwcommunity" or "rwcommunity6":
                        community = w[1];
                        write = true;
                        break;
                    case "com2sec" or "com2sec6" when w.Length >= 4:
                        community = w[^1];
                        break;
                }
            }
            if (community is null)
                continue;
            if (DefaultCommunities.Contains(community, StringComparer.OrdinalIgnoreCase))
                sink.Add(RuleCatalog.Finding("ASSAY-SNMP-DEFAULT-COMMUNITY", file.Path, content, line,
                    severity: write ? Severity.Critical : null, title: $"SNMP {(write ? "read-write" : "read")} community \"{community}\""));
            if (!reportedV2)
            {
                var shown = DefaultCommunities.Contains(community, StringComparer.OrdinalIgnoreCase) ? content : content.Replace(community, SecretsAnalyzer.Mask(community), StringComparison.Ordinal);
                sink.Add(RuleCatalog.Finding("ASSAY-SNMP-V1V2C", file.Path, shown, line));
                reportedV2 = true;
            }
        }
    }
}
