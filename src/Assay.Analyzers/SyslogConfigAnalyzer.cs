using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Log forwarding: rsyslog (<c>rsyslog.conf</c>, <c>rsyslog.d/*.conf</c>: legacy <c>*.* @host</c> UDP /
/// <c>@@host</c> TCP, and <c>action(type="omfwd" ...)</c> with or without
/// <c>StreamDriver="gtls|ossl"</c> and <c>StreamDriverMode="1"</c>), syslog-ng (<c>destination</c>
/// with <c>udp(</c>/<c>tcp(</c>/<c>network(</c> and no <c>tls(</c>), BusyBox syslogd (<c>-R host</c> in a
/// boot script) and OpenWrt logd (<c>/etc/config/system</c> <c>log_ip</c>). Forwarding without TLS
/// fails TS 33.117 §4.2.3.6.2.
/// </summary>
/// <remarks>Limitations: a global <c>$DefaultNetstreamDriver gtls</c> is honoured only in the same file;
/// syslog-ng statements spread over several lines are joined up to 32 lines.</remarks>
public sealed class SyslogConfigAnalyzer : IInspector
{
    private static readonly Assay.Core.Text.GuardedRegex LegacyForward = Patterns.Bounded(@"^\S+\s+(?<proto>@@?)(?:\([^)]*\))?(?<host>[\w.\-:\[\]]+)");
    private static readonly Assay.Core.Text.GuardedRegex Omfwd = Patterns.Bounded(@"type\s*=\s*""omfwd""", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex TlsDriver = Patterns.Bounded(@"StreamDriver(?:Name)?\s*=\s*""(?:gtls|ossl|mbedtls)""|\$(?:Default)?Netstream?Driver\s+(?:gtls|ossl)|\$ActionSendStreamDriverMode\s+1|StreamDriverMode\s*=\s*""1""", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex NgNetwork = Patterns.Bounded(@"\b(?:udp|tcp|udp6|tcp6|network|syslog)\s*\(", RegexOptions.IgnoreCase);

    public string Id => "syslog-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name is "rsyslog.conf" or "syslog-ng.conf" || (inner.Contains("/rsyslog.d/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || (inner.Contains("/syslog-ng/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            || inner.EndsWith("/etc/config/system", StringComparison.Ordinal) || ConfigText.IsBootScript(inner);
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var inner = file.InnerPath;
        var name = ConfigText.Name(inner);
        var lines = ConfigText.Lines(text).ToList();
        if (!ConfigText.IsBootScript(inner))
            sink.Checked("ASSAY-SYSLOG-PLAIN-REMOTE");
        if (ConfigText.IsBootScript(inner))
        {
            foreach (var (line, content) in lines)
            {
                var w = ConfigText.Words(content);
                var at = Array.FindIndex(w, x => ConfigText.Name(x) == "syslogd");
                if (at >= 0 && Array.IndexOf(w, "-R", at) is var r and > 0 && r + 1 < w.Length)
                    sink.Add(RuleCatalog.Finding("ASSAY-SYSLOG-PLAIN-REMOTE", file.Path, content, line, title: $"syslogd forwards to {w[r + 1]} over UDP in clear"));
            }
            return;
        }
        if (inner.EndsWith("/etc/config/system", StringComparison.Ordinal))
        {
            foreach (var (line, content) in lines)
            {
                var w = ConfigText.Words(content);
                if (w.Length >= 3 && w[0] == "option" && w[1] == "log_ip")
                    sink.Add(RuleCatalog.Finding("ASSAY-SYSLOG-PLAIN-REMOTE", file.Path, content, line, title: $"logd forwards to {w[2]} in clear"));
            }
            return;
        }
        if (name.StartsWith("syslog-ng", StringComparison.Ordinal) || inner.Contains("/syslog-ng/", StringComparison.Ordinal))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (!lines[i].Text.StartsWith("destination", StringComparison.Ordinal))
                    continue;
                var statement = string.Join(' ', lines.Skip(i).Take(32).Select(l => l.Text).TakeWhile((_, k) => k == 0 || !lines[i + k - 1].Text.Contains("};", StringComparison.Ordinal)));
                if (NgNetwork.IsMatch(statement) && !statement.Contains("tls(", StringComparison.OrdinalIgnoreCase) && !statement.Contains("transport(\"tls\")", StringComparison.OrdinalIgnoreCase))
                    sink.Add(RuleCatalog.Finding("ASSAY-SYSLOG-PLAIN-REMOTE", file.Path, lines[i].Text, lines[i].Line, title: "syslog-ng destination over the network without TLS"));
            }
            return;
        }
        var tlsGlobal = lines.Any(l => TlsDriver.IsMatch(l.Text) && l.Text.StartsWith('$'));
        foreach (var (line, content) in lines)
        {
            if (LegacyForward.Match(content) is { Success: true } m)
            {
                var tcp = m.Groups["proto"].Value == "@@";
                if (!tcp || !tlsGlobal)
                    sink.Add(RuleCatalog.Finding("ASSAY-SYSLOG-PLAIN-REMOTE", file.Path, content, line,
                        title: $"rsyslog forwards to {m.Groups["host"].Value} over {(tcp ? "TCP" : "UDP")} without TLS"));
            }
            else if (Omfwd.IsMatch(content) && !TlsDriver.IsMatch(content) && !tlsGlobal)
            {
                sink.Add(RuleCatalog.Finding("ASSAY-SYSLOG-PLAIN-REMOTE", file.Path, content, line, title: "rsyslog omfwd action without a TLS stream driver"));
            }
        }
    }
}
