using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// FTP servers: vsftpd (<c>vsftpd.conf</c>, vsftpd.conf(5): <c>anonymous_enable</c> defaults to NO
/// since 3.0 but Debian's and many vendors' files set it, <c>ssl_enable</c> defaults to NO) and
/// ProFTPD (<c>proftpd.conf</c>: <c>&lt;Anonymous&gt;</c> sections, <c>TLSEngine</c>, <c>TLSRequired</c>).
/// Anonymous login fails TS 33.117 §4.2.3.4.1.1; logins without TLS fail §4.2.3.2.4 and §4.3.2.1.
/// TLS protocol versions are <see cref="TlsSettingsAnalyzer"/>'s.
/// </summary>
/// <remarks>Limitations: files included with <c>Include</c> are read on their own (each as its own
/// file), so a TLS setting in an included file is not joined to the main file.</remarks>
public sealed class FtpConfigAnalyzer : IInspector
{
    public string Id => "ftp-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var name = ConfigText.Name(Core.Pipeline.VirtualPath.Inner(file.Path));
        return name is "vsftpd.conf" or "proftpd.conf";
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        sink.Checked("ASSAY-FTP-ANONYMOUS", "ASSAY-FTP-CLEARTEXT");
        if (ConfigText.Name(file.InnerPath) == "vsftpd.conf")
            Vsftpd(file.Path, text, sink);
        else
            Proftpd(file.Path, text, sink);
    }

    private static void Vsftpd(string path, string text, InspectionSink sink)
    {
        var values = new Dictionary<string, (int Line, string Value, string Text)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var eq = content.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                values[content[..eq].Trim()] = (line, content[(eq + 1)..].Trim(), content);
        }
        bool Yes(string key) => values.TryGetValue(key, out var v) && v.Value.Equals("YES", StringComparison.OrdinalIgnoreCase);
        if (Yes("anonymous_enable"))
        {
            var a = values["anonymous_enable"];
            var write = Yes("anon_upload_enable") && Yes("write_enable");
            sink.Add(RuleCatalog.Finding("ASSAY-FTP-ANONYMOUS", path, a.Text, a.Line, severity: write ? Severity.Critical : null,
                title: write ? "FTP server allows anonymous login with upload" : null));
        }
        var localLogins = !values.ContainsKey("local_enable") || Yes("local_enable");
        var tlsForced = Yes("ssl_enable") && (Yes("force_local_logins_ssl") || !values.ContainsKey("force_local_logins_ssl"));
        if (localLogins && !tlsForced)
        {
            (int Line, string Value, string Text) at = values.TryGetValue("ssl_enable", out var s) ? s : values.TryGetValue("local_enable", out var l) ? l : (1, "", "ssl_enable not set (default NO)");
            sink.Add(RuleCatalog.Finding("ASSAY-FTP-CLEARTEXT", path, at.Text, at.Line));
        }
    }

    private static void Proftpd(string path, string text, InspectionSink sink)
    {
        (int Line, string Text)? anonymous = null, engine = null, required = null;
        var tlsOn = false;
        var tlsRequired = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length == 0)
                continue;
            if (w[0].StartsWith("<Anonymous", StringComparison.OrdinalIgnoreCase))
                anonymous ??= (line, content);
            else if (w[0].Equals("TLSEngine", StringComparison.OrdinalIgnoreCase) && w.Length > 1)
            {
                engine = (line, content);
                tlsOn = w[1].Equals("on", StringComparison.OrdinalIgnoreCase);
            }
            else if (w[0].Equals("TLSRequired", StringComparison.OrdinalIgnoreCase) && w.Length > 1)
            {
                required = (line, content);
                tlsRequired = w[1] is not ("off" or "Off" or "OFF");
            }
        }
        if (anonymous is { } a)
            sink.Add(RuleCatalog.Finding("ASSAY-FTP-ANONYMOUS", path, a.Text, a.Line));
        if (!tlsOn || !tlsRequired)
        {
            (int Line, string Text) at = required ?? engine ?? (1, "TLSEngine not set (default off)");
            sink.Add(RuleCatalog.Finding("ASSAY-FTP-CLEARTEXT", path, at.Text, at.Line));
        }
    }
}
