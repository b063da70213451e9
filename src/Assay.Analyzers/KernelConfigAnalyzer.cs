using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Kernel settings: sysctl files (<c>/etc/sysctl.conf</c>, <c>sysctl.d/*.conf</c>) and
/// <c>echo N &gt; /proc/sys/...</c> in boot scripts — ASLR (TS 33.117 §4.3.3.1.5), SYN cookies
/// (§4.3.3.1.4), IP forwarding (§4.3.3.1.2), setuid core dumps, ICMP redirects, source routing and
/// reverse-path filtering (§4.2.4.1.1.2, §4.2.4.1.1.3, §4.3.3.1.1); and a kernel build configuration
/// when one ships (<c>/boot/config-*</c>, <c>.config</c>): stack protector, KASLR, /dev/mem.
/// </summary>
/// <remarks>
/// Limitations: only settings written in the image are judged; a setting left at the kernel's
/// default (randomize_va_space 2, tcp_syncookies 1 on most distributions) passes silently. An
/// embedded IKCONFIG inside the kernel image is not extracted here.
/// </remarks>
public sealed class KernelConfigAnalyzer : IInspector
{
    private static readonly Assay.Core.Text.GuardedRegex ProcWrite = Patterns.Bounded(@"echo\s+[""']?(-?\d+)[""']?\s*>\s*/proc/sys/([A-Za-z0-9_/\-\.]{1,128})");

    public string Id => "kernel-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return IsSysctl(inner) || IsKernelConfig(inner) || ConfigText.IsBootScript(inner);
    }

    private static bool IsSysctl(string inner) =>
        inner.EndsWith("/sysctl.conf", StringComparison.Ordinal) || (inner.Contains("/sysctl.d/", StringComparison.Ordinal) && inner.EndsWith(".conf", StringComparison.Ordinal));

    private static bool IsKernelConfig(string inner) =>
        inner.Contains("/boot/config-", StringComparison.Ordinal) || inner.EndsWith("/.config", StringComparison.Ordinal) || inner.EndsWith("/kernel.config", StringComparison.Ordinal);

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        if (IsKernelConfig(file.InnerPath))
        {
            KernelBuildConfig(file.Path, text, sink);
            return;
        }
        var sysctl = IsSysctl(file.InnerPath);
        if (sysctl)
            sink.Checked(SysctlRules);
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            if (sysctl)
            {
                var (key, value) = ConfigText.KeyValue(content);
                Judge(file.Path, line, content, key.TrimStart('-').Replace('/', '.'), value, sink, countCheck: false);
            }
            else if (ProcWrite.Match(content) is { Success: true } m)
                Judge(file.Path, line, content, m.Groups[2].Value.Replace('/', '.'), m.Groups[1].Value, sink, countCheck: true);
        }
    }

    /// <summary>The rules a sysctl file answers: a key it does not set keeps the kernel's default, which is judged as set.</summary>
    private static readonly string[] SysctlRules =
        ["ASSAY-KERNEL-ASLR", "ASSAY-KERNEL-CORE-DUMPS", "ASSAY-KERNEL-IP-FORWARD", "ASSAY-KERNEL-NET-HARDENING", "ASSAY-KERNEL-SYNCOOKIES"];

    /// <summary>The rule that judges a sysctl key, or null for keys no rule looks at.</summary>
    private static string? RuleFor(string key) => key switch
    {
        "kernel.randomize_va_space" => "ASSAY-KERNEL-ASLR",
        "net.ipv4.tcp_syncookies" => "ASSAY-KERNEL-SYNCOOKIES",
        "net.ipv4.ip_forward" or "net.ipv4.conf.all.forwarding" or "net.ipv6.conf.all.forwarding" => "ASSAY-KERNEL-IP-FORWARD",
        "fs.suid_dumpable" => "ASSAY-KERNEL-CORE-DUMPS",
        _ when key.EndsWith(".accept_redirects", StringComparison.Ordinal) || key.EndsWith(".accept_source_route", StringComparison.Ordinal)
            || key is "net.ipv4.conf.all.rp_filter" or "net.ipv4.conf.default.rp_filter" or "net.ipv4.icmp_echo_ignore_broadcasts" => "ASSAY-KERNEL-NET-HARDENING",
        _ => null,
    };

    private static void Judge(string path, int line, string content, string key, string value, InspectionSink sink, bool countCheck)
    {
        if (countCheck && RuleFor(key) is { } rule)
            sink.Checked(rule);
        switch (key)
        {
            case "kernel.randomize_va_space" when value != "2":
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-ASLR", path, content, line, severity: value == "1" ? Severity.Medium : null));
                break;
            case "net.ipv4.tcp_syncookies" when value == "0":
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-SYNCOOKIES", path, content, line));
                break;
            case "net.ipv4.ip_forward" or "net.ipv4.conf.all.forwarding" or "net.ipv6.conf.all.forwarding" when value == "1":
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-IP-FORWARD", path, content, line));
                break;
            case "fs.suid_dumpable" when value is "1" or "2":
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-CORE-DUMPS", path, content, line));
                break;
            case var k when value == "1" && (k.EndsWith(".accept_redirects", StringComparison.Ordinal) || k.EndsWith(".accept_source_route", StringComparison.Ordinal)):
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-NET-HARDENING", path, content, line));
                break;
            case var k when value == "0" && (k == "net.ipv4.conf.all.rp_filter" || k == "net.ipv4.conf.default.rp_filter" || k == "net.ipv4.icmp_echo_ignore_broadcasts"):
                sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-NET-HARDENING", path, content, line));
                break;
        }
    }

    /// <summary>Kconfig output: <c>CONFIG_X=y</c> or <c># CONFIG_X is not set</c>.</summary>
    private static void KernelBuildConfig(string path, string text, InspectionSink sink)
    {
        var set = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var l = raw.Trim();
            if (l.StartsWith("CONFIG_", StringComparison.Ordinal) && l.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
                set[l[..eq]] = (l[(eq + 1)..], n);
        }
        if (set.Count == 0)
            return;
        sink.Checked("ASSAY-KERNEL-ASLR", "ASSAY-KERNEL-CONFIG", "ASSAY-KERNEL-SYNCOOKIES");
        bool On(string k) => set.TryGetValue(k, out var v) && v.Value is "y" or "m";
        if (!On("CONFIG_STACKPROTECTOR") && !On("CONFIG_CC_STACKPROTECTOR"))
            sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-CONFIG", path, "CONFIG_STACKPROTECTOR is not set", title: "Kernel built without stack protector"));
        if (!On("CONFIG_RANDOMIZE_BASE") && (set.ContainsKey("CONFIG_X86") || set.ContainsKey("CONFIG_ARM64") || set.ContainsKey("CONFIG_RELOCATABLE")))
            sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-ASLR", path, "CONFIG_RANDOMIZE_BASE is not set", title: "Kernel built without KASLR"));
        if (On("CONFIG_DEVMEM") && !On("CONFIG_STRICT_DEVMEM"))
            sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-CONFIG", path, "CONFIG_DEVMEM=y without CONFIG_STRICT_DEVMEM", set["CONFIG_DEVMEM"].Line, title: "Kernel gives unrestricted /dev/mem"));
        if (On("CONFIG_DEVKMEM"))
            sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-CONFIG", path, "CONFIG_DEVKMEM=y", set["CONFIG_DEVKMEM"].Line, title: "Kernel provides /dev/kmem"));
        if (set.TryGetValue("CONFIG_SYN_COOKIES", out var sc) ? sc.Value != "y" : set.ContainsKey("CONFIG_INET"))
            sink.Add(RuleCatalog.Finding("ASSAY-KERNEL-SYNCOOKIES", path, "CONFIG_SYN_COOKIES is not set", title: "Kernel built without SYN cookies"));
    }
}
