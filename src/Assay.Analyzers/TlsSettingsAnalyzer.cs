using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// TLS settings wherever a service configures them: the directive names of nginx
/// (<c>ssl_protocols</c>, <c>ssl_ciphers</c>), Apache (<c>SSLProtocol</c>, <c>SSLCipherSuite</c>),
/// lighttpd (<c>ssl.openssl.ssl-conf-cmd</c> MinProtocol/CipherString, <c>ssl.cipher-list</c>),
/// vsftpd (<c>ssl_sslv2/ssl_sslv3/ssl_tlsv1=YES</c>, <c>ssl_ciphers</c>), ProFTPD (<c>TLSProtocol</c>,
/// <c>TLSCipherSuite</c>), stunnel (<c>sslVersion</c>, <c>ciphers</c>), OpenVPN (<c>tls-version-min</c>,
/// <c>tls-cipher</c>), OpenSSL's <c>openssl.cnf</c> (<c>MinProtocol</c>, <c>CipherString</c>),
/// Postfix (<c>smtpd_tls_protocols</c>, <c>smtpd_tls_mandatory_protocols</c>), HAProxy
/// (<c>ssl-min-ver</c>, <c>ssl-default-bind-ciphers</c>) and Dovecot (<c>ssl_min_protocol</c>),
/// in any text configuration file (<c>.conf</c>, <c>.cnf</c>, <c>.cfg</c>, <c>.ovpn</c>, extensionless files under <c>/etc</c>).
/// SSLv2/v3 and TLS 1.0/1.1 fail TS 33.117 §4.2.3.2.4 and §4.2.5.1; NULL, anonymous, export, RC4,
/// DES/3DES and MD5 suites in a cipher list (unless excluded with '!' or '-') too.
/// </summary>
/// <remarks>Limitations: defaults are not judged (a service that sets nothing uses its library's
/// defaults, which depend on the OpenSSL build); a setting split over continuation lines is read line by line.</remarks>
public sealed class TlsSettingsAnalyzer : IInspector
{
    // directive (case-insensitive) → what its value lists: protocols to enable, or a minimum version, or ciphers
    private enum Kind { Protocols, Minimum, Ciphers, YesEnables }

    private static readonly Dictionary<string, Kind> Directives = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ssl_protocols"] = Kind.Protocols, ["SSLProtocol"] = Kind.Protocols, ["TLSProtocol"] = Kind.Protocols,
        ["sslVersion"] = Kind.Protocols, ["smtpd_tls_protocols"] = Kind.Protocols, ["smtpd_tls_mandatory_protocols"] = Kind.Protocols,
        ["smtp_tls_protocols"] = Kind.Protocols, ["smtp_tls_mandatory_protocols"] = Kind.Protocols,
        ["tls-version-min"] = Kind.Minimum, ["MinProtocol"] = Kind.Minimum, ["ssl-min-ver"] = Kind.Minimum,
        ["ssl_min_protocol"] = Kind.Minimum, ["sslVersionMin"] = Kind.Minimum,
        ["ssl_ciphers"] = Kind.Ciphers, ["SSLCipherSuite"] = Kind.Ciphers, ["TLSCipherSuite"] = Kind.Ciphers,
        ["ciphers"] = Kind.Ciphers, ["tls-cipher"] = Kind.Ciphers, ["CipherString"] = Kind.Ciphers, ["ssl.cipher-list"] = Kind.Ciphers,
        ["ssl-default-bind-ciphers"] = Kind.Ciphers, ["ssl_cipher_list"] = Kind.Ciphers,
        ["ssl_sslv2"] = Kind.YesEnables, ["ssl_sslv3"] = Kind.YesEnables, ["ssl_tlsv1"] = Kind.YesEnables,
    };

    private static readonly string[] WeakVersions = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1", "TLSv1_1", "TLSv1_0", "1.0", "1.1"];
    private static readonly Assay.Core.Text.GuardedRegex WeakCipher = Patterns.Bounded(@"^(?:e?NULL|aNULL|ADH|AECDH|EXP(?:ORT)?.*|RC4.*|DES.*|3DES|DES-CBC3.*|MD5|.*-MD5|.*_WITH_NULL_.*|.*_RC4_.*|.*_DES_.*|.*_3DES_.*)$", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex LighttpdMin = Patterns.Bounded(@"""MinProtocol""\s*=>\s*""(?<v>[^""]+)""", RegexOptions.IgnoreCase);
    private static readonly Assay.Core.Text.GuardedRegex LighttpdCiphers = Patterns.Bounded(@"""CipherString""\s*=>\s*""(?<v>[^""]+)""", RegexOptions.IgnoreCase);

    public string Id => "tls-settings";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File || file.Size is null or 0)
            return false;
        var inner = Core.Pipeline.VirtualPath.Inner(file.Path);
        var name = ConfigText.Name(inner);
        return name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".cnf", StringComparison.Ordinal)
            || name.EndsWith(".cfg", StringComparison.Ordinal) || name.EndsWith(".ovpn", StringComparison.Ordinal)
            || (inner.Contains("/etc/", StringComparison.Ordinal) && !name.Contains('.', StringComparison.Ordinal) && !ConfigText.IsBootScript(inner) && file.Type?.Class is null or "text");
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        if (text.Contains('\0', StringComparison.Ordinal))
            return; // not a text file
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            if (content.Contains("ssl-conf-cmd", StringComparison.OrdinalIgnoreCase) || content.Contains("ssl.cipher-list", StringComparison.OrdinalIgnoreCase))
            {
                Lighttpd(file.Path, line, content, sink);
                continue;
            }
            var (key, value) = ConfigText.KeyValue(content.TrimEnd(';'));
            if (!Directives.TryGetValue(key, out var kind) || value.Length == 0)
                continue;
            sink.Checked("ASSAY-TLS-WEAK-PROTOCOL", "ASSAY-TLS-WEAK-CIPHER");
            var weak = kind switch
            {
                Kind.Protocols => EnabledWeakProtocols(value),
                Kind.Minimum => WeakVersions.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) ? [value.Trim()] : [],
                Kind.YesEnables => value.Equals("YES", StringComparison.OrdinalIgnoreCase) ? [key[4..]] : [],
                _ => [],
            };
            if (weak.Count > 0)
                sink.Add(RuleCatalog.Finding("ASSAY-TLS-WEAK-PROTOCOL", file.Path, content, line, title: $"TLS allows {string.Join(", ", weak)} ({key})"));
            if (kind == Kind.Ciphers && WeakCiphers(value) is { Count: > 0 } ciphers)
                sink.Add(RuleCatalog.Finding("ASSAY-TLS-WEAK-CIPHER", file.Path, content, line, title: $"TLS cipher list allows {string.Join(", ", ciphers.Take(4))} ({key})"));
        }
    }

    private static void Lighttpd(string path, int line, string content, InspectionSink sink)
    {
        sink.Checked("ASSAY-TLS-WEAK-PROTOCOL", "ASSAY-TLS-WEAK-CIPHER");
        if (LighttpdMin.Match(content) is { Success: true } m && WeakVersions.Contains(m.Groups["v"].Value, StringComparer.OrdinalIgnoreCase))
            sink.Add(RuleCatalog.Finding("ASSAY-TLS-WEAK-PROTOCOL", path, content, line, title: $"TLS allows {m.Groups["v"].Value} (lighttpd MinProtocol)"));
        var list = LighttpdCiphers.Match(content) is { Success: true } c ? c.Groups["v"].Value
            : content.Contains("ssl.cipher-list", StringComparison.OrdinalIgnoreCase) ? ConfigText.KeyValue(content).Value : null;
        if (list is not null && WeakCiphers(list) is { Count: > 0 } weak)
            sink.Add(RuleCatalog.Finding("ASSAY-TLS-WEAK-CIPHER", path, content, line, title: $"TLS cipher list allows {string.Join(", ", weak.Take(4))} (lighttpd)"));
    }

    /// <summary>
    /// Protocols a list enables: nginx/Postfix name them (<c>TLSv1 TLSv1.2</c>, Postfix <c>!SSLv2, !SSLv3</c>
    /// excludes), Apache/ProFTPD add and remove (<c>all -SSLv3</c>, <c>+TLSv1.2</c>); <c>all</c> enables every
    /// version the library has, SSLv3 included on old builds.
    /// </summary>
    internal static List<string> EnabledWeakProtocols(string value)
    {
        var enabled = new List<string>();
        foreach (var raw in value.Split([' ', ',', ':', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw.Trim('"', '\'', ';');
            if (token.StartsWith('!') || token.StartsWith('-'))
            {
                enabled.RemoveAll(p => p.Equals(token[1..], StringComparison.OrdinalIgnoreCase) || (token[1..].Equals("TLSv1", StringComparison.OrdinalIgnoreCase) && p.Equals("TLSv1.0", StringComparison.OrdinalIgnoreCase)));
                continue;
            }
            token = token.TrimStart('+');
            if (token.Equals("all", StringComparison.OrdinalIgnoreCase))
                enabled.AddRange(["TLSv1", "TLSv1.1"]);
            else if (WeakVersions.Take(7).Contains(token, StringComparer.OrdinalIgnoreCase))
                enabled.Add(token);
        }
        return enabled.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Cipher-list elements that name a weak suite and are not excluded.</summary>
    internal static List<string> WeakCiphers(string value)
    {
        var excluded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var named = new List<string>();
        foreach (var raw in value.Split([':', ',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw.Trim('"', '\'');
            if (token.StartsWith('!') || token.StartsWith('-'))
                excluded.Add(token[1..]);
            else
                named.Add(token.TrimStart('+'));
        }
        return named.Where(t => t.Split('+').Any(part => WeakCipher.IsMatch(part)) && !excluded.Contains(t) && !t.Split('+').Any(excluded.Contains))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
