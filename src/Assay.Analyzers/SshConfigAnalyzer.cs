using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// SSH server settings: OpenSSH <c>sshd_config</c> (PermitRootLogin, PermitEmptyPasswords,
/// PasswordAuthentication, Protocol, Ciphers, MACs, KexAlgorithms) and Dropbear, from its command
/// line in boot scripts, <c>/etc/default/dropbear</c> and OpenWrt's <c>/etc/config/dropbear</c>.
/// TS 33.117 §4.3.2.6 (no remote root login), §4.2.3.4.2.1, §4.2.3.4.3.3, §4.2.3.2.4.
/// </summary>
/// <remarks>
/// Limitations: OpenSSH defaults are those of OpenSSH 7.0 and later (root login by password off,
/// weak algorithms off) so only explicit settings are judged; Match blocks are read as if global;
/// Dropbear's defaults (root login and passwords allowed) are judged wherever a dropbear command
/// line is found.
/// </remarks>
public sealed class SshConfigAnalyzer : IInspector
{
    private static readonly string[] WeakCipher = ["cbc", "3des", "arcfour", "rc4", "blowfish", "cast128", "des"];
    private static readonly string[] WeakMac = ["md5", "-96", "umac-64", "ripemd"];
    private static readonly string[] WeakKex = ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "gss-gex-sha1", "gss-group1-sha1"];

    public string Id => "ssh-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        return IsSshd(inner) || inner.EndsWith("/etc/default/dropbear", StringComparison.Ordinal)
            || inner.EndsWith("/etc/config/dropbear", StringComparison.Ordinal) || ConfigText.IsBootScript(inner)
            || inner.EndsWith("/etc/inittab", StringComparison.Ordinal) || (inner.Contains("/systemd/system/", StringComparison.Ordinal) && inner.Contains("dropbear", StringComparison.Ordinal));
    }

    private static bool IsSshd(string inner) =>
        inner.EndsWith("/sshd_config", StringComparison.Ordinal) || (inner.Contains("/sshd_config.d/", StringComparison.Ordinal) && inner.EndsWith(".conf", StringComparison.Ordinal));

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        if (IsSshd(file.InnerPath))
            Sshd(file.Path, text, sink);
        else if (file.InnerPath.EndsWith("/etc/config/dropbear", StringComparison.Ordinal))
            DropbearUci(file.Path, text, sink);
        else if (file.InnerPath.EndsWith("/etc/default/dropbear", StringComparison.Ordinal))
            DropbearDefaults(file.Path, text, sink);
        else
            DropbearCommands(file.Path, text, sink);
    }

    private static void Sshd(string path, string text, InspectionSink sink)
    {
        sink.Checked("ASSAY-SSH-EMPTY-PASSWORDS", "ASSAY-SSH-PASSWORD-AUTH", "ASSAY-SSH-ROOT-LOGIN", "ASSAY-SSH-WEAK-CRYPTO");
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 2)
                continue;
            var key = w[0].ToLowerInvariant();
            var value = w[1].ToLowerInvariant();
            switch (key)
            {
                case "permitrootlogin" when value == "yes":
                    sink.Add(RuleCatalog.Finding("ASSAY-SSH-ROOT-LOGIN", path, content, line));
                    break;
                case "permitemptypasswords" when value == "yes":
                    sink.Add(RuleCatalog.Finding("ASSAY-SSH-EMPTY-PASSWORDS", path, content, line));
                    break;
                case "passwordauthentication" when value == "yes":
                    sink.Add(RuleCatalog.Finding("ASSAY-SSH-PASSWORD-AUTH", path, content, line));
                    break;
                case "protocol" when value.Contains('1', StringComparison.Ordinal):
                    sink.Add(RuleCatalog.Finding("ASSAY-SSH-WEAK-CRYPTO", path, content, line, title: "SSH protocol 1 enabled"));
                    break;
                case "ciphers":
                case "macs":
                case "kexalgorithms":
                    var weak = Weak(key, w[1]);
                    if (weak.Count > 0)
                        sink.Add(RuleCatalog.Finding("ASSAY-SSH-WEAK-CRYPTO", path, $"{w[0]}: {string.Join(",", weak)}", line));
                    break;
            }
        }
    }

    private static List<string> Weak(string key, string list)
    {
        // "+alg" appends to, "-alg" removes from and "^alg" prepends to the default set (sshd_config(5)); removals are not weaknesses.
        if (list.StartsWith('-'))
            return [];
        return list.TrimStart('+', '^').Split(',').Where(a => key switch
        {
            "ciphers" => WeakCipher.Any(x => a.Contains(x, StringComparison.OrdinalIgnoreCase)),
            "macs" => WeakMac.Any(x => a.Contains(x, StringComparison.OrdinalIgnoreCase)) || a.Equals("hmac-sha1", StringComparison.OrdinalIgnoreCase),
            _ => WeakKex.Contains(a, StringComparer.OrdinalIgnoreCase),
        }).ToList();
    }

    /// <summary>
    /// Dropbear options (dropbear(8)): -w no root login, -g no root password login, -s no password
    /// logins, -B allow blank passwords. Root login and password logins are on by default.
    /// </summary>
    private static void JudgeDropbear(string path, int line, string evidence, IReadOnlyCollection<string> options, InspectionSink sink)
    {
        sink.Checked("ASSAY-SSH-EMPTY-PASSWORDS", "ASSAY-SSH-PASSWORD-AUTH", "ASSAY-SSH-ROOT-LOGIN");
        var flags = new HashSet<char>();
        foreach (var o in options)
        {
            if (o.Length >= 2 && o[0] == '-' && o[1] != '-')
            {
                foreach (var c in o[1..])
                    flags.Add(c);
            }
        }
        if (flags.Contains('B'))
            sink.Add(RuleCatalog.Finding("ASSAY-SSH-EMPTY-PASSWORDS", path, evidence, line, title: "Dropbear accepts blank passwords (-B)"));
        if (!flags.Contains('w') && !flags.Contains('g') && !flags.Contains('s'))
            sink.Add(RuleCatalog.Finding("ASSAY-SSH-ROOT-LOGIN", path, evidence + " (neither -w nor -g)", line, title: "Dropbear allows root login with a password"));
        if (!flags.Contains('s'))
            sink.Add(RuleCatalog.Finding("ASSAY-SSH-PASSWORD-AUTH", path, evidence + " (no -s)", line, title: "Dropbear allows password logins"));
    }

    private static void DropbearCommands(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            var start = 0;
            while (start < w.Length && w[start] is "exec" or "nohup" or "-")
                start++;
            // inittab: id:runlevels:action:/usr/sbin/dropbear ...
            if (start < w.Length && w[start].Count(c => c == ':') >= 3)
                w[start] = w[start][(w[start].LastIndexOf(':') + 1)..];
            if (start >= w.Length || ConfigText.Name(w[start]) != "dropbear")
                continue;
            JudgeDropbear(path, line, content, w[(start + 1)..], sink);
        }
    }

    private static void DropbearDefaults(string path, string text, InspectionSink sink)
    {
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var (key, value) = ConfigText.KeyValue(content);
            if (key == "DROPBEAR_EXTRA_ARGS")
                JudgeDropbear(path, line, content, ConfigText.Words(value), sink);
        }
    }

    /// <summary>OpenWrt UCI: <c>option RootPasswordAuth 'on'</c>, <c>option PasswordAuth 'on'</c>, <c>option RootLogin '1'</c>.</summary>
    private static void DropbearUci(string path, string text, InspectionSink sink)
    {
        sink.Checked("ASSAY-SSH-PASSWORD-AUTH", "ASSAY-SSH-ROOT-LOGIN");
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 3 || w[0] != "option")
                continue;
            var on = w[2] is "on" or "1" or "yes" or "true";
            if (!on)
                continue;
            if (w[1] is "RootPasswordAuth" or "RootLogin")
                sink.Add(RuleCatalog.Finding("ASSAY-SSH-ROOT-LOGIN", path, content, line));
            else if (w[1] == "PasswordAuth")
                sink.Add(RuleCatalog.Finding("ASSAY-SSH-PASSWORD-AUTH", path, content, line));
        }
    }
}
