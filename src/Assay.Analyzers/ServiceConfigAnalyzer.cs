using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Services started at boot (TS 33.117 §4.3.2.1 no insecure services, §4.2.3.4.1.1 no access without
/// authentication): telnet, FTP, TFTP and r-services in <c>/etc/inittab</c>, inetd/xinetd, boot
/// scripts (rcS, rc.local, init.d) and systemd units; shells started without a login (telnetd -l
/// /bin/sh, getty autologin, console shells in inittab, inetd entries that run a shell).
/// </summary>
/// <remarks>
/// Limitations: an init.d script counts as started (its rc?.d links are not followed); systemd units
/// count when they are under /etc/systemd/system (enabled) or are socket units for these services;
/// commands built at run time from variables are not resolved.
/// </remarks>
public sealed class ServiceConfigAnalyzer : IInspector
{
    private static readonly Assay.Core.Text.GuardedRegex InsecureDaemon = Patterns.Bounded(
        @"(?:^|[\s/=""'])(?:in\.)?(u?telnetd|ftpd|vsftpd|proftpd|pure-ftpd|bftpd|tftpd|atftpd|udpsvd\s+[^\n]*tftpd|rshd|rlogind|rexecd)(?:\s|$|[""';&|])");

    private static readonly Assay.Core.Text.GuardedRegex ShellLogin = Patterns.Bounded(@"\s-l\s*(\S+)");
    private static readonly Assay.Core.Text.GuardedRegex Autologin = Patterns.Bounded(@"getty\b[^\n]*(?:\s-a\s+\S+|--autologin|\s-n\s+-l\s+\S*sh\b)");
    private static readonly string[] InetdInsecure = ["telnet", "ftp", "tftp", "shell", "login", "exec", "rsh", "rlogin", "rexec"];

    public string Id => "services";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return inner.EndsWith("/etc/inittab", StringComparison.Ordinal) || inner.EndsWith("/inetd.conf", StringComparison.Ordinal)
            || inner.Contains("/etc/xinetd", StringComparison.Ordinal) || ConfigText.IsBootScript(inner) || IsSystemdUnit(inner);
    }

    private static bool IsSystemdUnit(string inner) =>
        inner.Contains("/systemd/system/", StringComparison.Ordinal) && (inner.EndsWith(".service", StringComparison.Ordinal) || inner.EndsWith(".socket", StringComparison.Ordinal));

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var inner = file.InnerPath;
        var text = file.ReadText(ConfigText.MaxBytes);
        sink.Checked("ASSAY-SVC-INSECURE-PROTOCOL", "ASSAY-SVC-UNAUTH-SHELL");
        if (inner.EndsWith("/etc/inittab", StringComparison.Ordinal))
            Inittab(file.Path, text, sink);
        else if (inner.EndsWith("/inetd.conf", StringComparison.Ordinal))
            Inetd(file.Path, text, sink);
        else if (inner.Contains("/etc/xinetd", StringComparison.Ordinal))
            Xinetd(file.Path, text, sink);
        else if (IsSystemdUnit(inner))
            Systemd(file.Path, inner, text, sink);
        else
            Script(file.Path, text, sink);
    }

    /// <summary>BusyBox / SysV inittab: <c>id:runlevels:action:process</c>.</summary>
    private static void Inittab(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var parts = content.Split(':', 4);
            if (parts.Length < 4 || parts[2] is "sysinit" or "shutdown" or "ctrlaltdel" or "restart")
            {
                continue;
            }
            var process = parts[3];
            Command(path, line, content, process, sink);
            var program = ConfigText.Words(process).FirstOrDefault()?.TrimStart('-') ?? "";
            if (program is "/bin/sh" or "/bin/ash" or "/bin/bash" or "/bin/hush" or "sh" or "ash" or "bash")
                sink.Add(RuleCatalog.Finding("ASSAY-SVC-UNAUTH-SHELL", path, content, line, severity: Severity.High,
                    title: $"Console shell without login on {(parts[0].Length == 0 ? "the console" : parts[0])}"));
        }
    }

    private static void Command(string path, int line, string content, string command, InspectionSink sink)
    {
        var m = InsecureDaemon.Match(command);
        if (m.Success)
        {
            var daemon = m.Groups[1].Value;
            sink.Add(RuleCatalog.Finding("ASSAY-SVC-INSECURE-PROTOCOL", path, content, line, title: $"Cleartext service {daemon} started at boot"));
            if (daemon.EndsWith("telnetd", StringComparison.Ordinal) && ShellLogin.Match(command) is { Success: true } l && IsShell(l.Groups[1].Value))
                sink.Add(RuleCatalog.Finding("ASSAY-SVC-UNAUTH-SHELL", path, content, line, title: $"{daemon} gives a shell ({l.Groups[1].Value}) without login"));
        }
        if (Autologin.IsMatch(command))
            sink.Add(RuleCatalog.Finding("ASSAY-SVC-UNAUTH-SHELL", path, content, line, severity: Severity.High, title: "getty logs in automatically"));
    }

    private static bool IsShell(string program)
    {
        var name = ConfigText.Name(program);
        return name is "sh" or "ash" or "bash" or "dash" or "hush" or "zsh" or "ksh" or "busybox";
    }

    /// <summary>inetd.conf: <c>service socket protocol wait user server args</c>.</summary>
    private static void Inetd(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 6)
                continue;
            var service = w[0].Contains(':', StringComparison.Ordinal) ? w[0][(w[0].LastIndexOf(':') + 1)..] : w[0];
            if (InetdInsecure.Contains(service))
                sink.Add(RuleCatalog.Finding("ASSAY-SVC-INSECURE-PROTOCOL", path, content, line, title: $"Cleartext service {service} enabled in inetd"));
            if (IsShell(w[5]) || (w.Length > 6 && w.Skip(6).Any(a => a == "/bin/sh" || a == "sh")))
                sink.Add(RuleCatalog.Finding("ASSAY-SVC-UNAUTH-SHELL", path, content, line, title: $"inetd service {service} runs a shell without login"));
            else if (w[5].EndsWith("telnetd", StringComparison.Ordinal) && ShellLogin.Match(content) is { Success: true } l && IsShell(l.Groups[1].Value))
                sink.Add(RuleCatalog.Finding("ASSAY-SVC-UNAUTH-SHELL", path, content, line, title: "telnetd gives a shell without login"));
        }
    }

    /// <summary>xinetd service blocks: <c>service telnet { disable = no ... }</c>; enabled unless <c>disable = yes</c>.</summary>
    private static void Xinetd(string path, string text, InspectionSink sink)
    {
        string? service = null;
        var serviceLine = 0;
        var disabled = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length >= 2 && w[0] == "service")
            {
                service = w[1];
                serviceLine = line;
                disabled = false;
            }
            else if (content.Replace(" ", "", StringComparison.Ordinal).Equals("disable=yes", StringComparison.OrdinalIgnoreCase))
                disabled = true;
            else if (content == "}" && service is not null)
            {
                if (!disabled && InetdInsecure.Contains(service))
                    sink.Add(RuleCatalog.Finding("ASSAY-SVC-INSECURE-PROTOCOL", path, $"service {service}", serviceLine, title: $"Cleartext service {service} enabled in xinetd"));
                service = null;
            }
        }
    }

    private static void Systemd(string path, string inner, string text, InspectionSink sink)
    {
        var name = ConfigText.Name(inner);
        var enabled = inner.Contains("/etc/systemd/system/", StringComparison.Ordinal);
        var socketUnit = name.EndsWith(".socket", StringComparison.Ordinal) && (name.StartsWith("telnet", StringComparison.Ordinal) || name.StartsWith("tftp", StringComparison.Ordinal)
            || name.StartsWith("ftp", StringComparison.Ordinal) || name.StartsWith("vsftpd", StringComparison.Ordinal) || name.StartsWith("rsh", StringComparison.Ordinal)
            || name.StartsWith("rlogin", StringComparison.Ordinal));
        if (!enabled && !socketUnit)
            return;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            if (content.StartsWith("ExecStart", StringComparison.Ordinal))
                Command(path, line, content, content[(content.IndexOf('=', StringComparison.Ordinal) + 1)..], sink);
        }
        if (socketUnit && enabled)
            sink.Add(RuleCatalog.Finding("ASSAY-SVC-INSECURE-PROTOCOL", path, $"socket unit {name} enabled", title: $"Cleartext service socket {name} enabled"));
    }

    private static void Script(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            // Assignments (DAEMON=/usr/sbin/telnetd) and tests (test -x ...) name a program without starting it.
            var first = ConfigText.Words(content).FirstOrDefault() ?? "";
            if (first.Contains('=', StringComparison.Ordinal) || first is "test" or "[" or "if" or "echo" or "case" or "elif")
                continue;
            Command(path, line, content, content, sink);
        }
    }
}
