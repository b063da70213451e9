using System.Text.RegularExpressions;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Web server configuration of lighttpd, nginx, Apache httpd and OpenWrt's uhttpd: directory listing
/// (TS 33.117 §4.3.4.10), version in headers and error pages (§4.3.4.11, §4.3.4.12), aliases or
/// document roots onto system directories, worst over plain HTTP (§4.3.4.14, §4.2.3.2.2), no TLS
/// listener (§4.2.5.1), running as root (§4.3.4.2); and default content shipped (§4.3.4.9), judged
/// from the file list.
/// </summary>
/// <remarks>
/// Limitations: files in Debian's conf-available/sites-available/mods-available folders are skipped
/// (off until linked into *-enabled; the link itself is judged when it resolves to a file in the
/// image's records as a regular file); each file is judged alone (include directives are not followed, so a setting made in
/// an included file is not seen by the main file's defaults check); lighttpd conditionals are read as
/// if always true.
/// </remarks>
public sealed class WebServerConfigAnalyzer : IInspector
{
    private static readonly Assay.Core.Text.GuardedRegex SslEngine = Patterns.Bounded(@"^ssl\.engine\s*=\s*""enable""");
    private static readonly Assay.Core.Text.GuardedRegex LighttpdPair = Patterns.Bounded(@"""([^""]{0,512})""\s*=>\s*""([^""]{0,512})""");

    // /usr/lib is not here: /usr/lib/cgi-bin is the Debian CGI directory.
    private static readonly string[] SensitiveRoots = ["/etc", "/root", "/proc", "/sys", "/dev", "/var/log", "/home", "/boot", "/var/lib"];

    /// <summary>Default pages, manuals and diagnostic scripts of web servers and PHP (file names).</summary>
    private static readonly string[] DefaultContent =
    [
        "index.lighttpd.html", "index.nginx-debian.html", "phpinfo.php", "info.php", "test.php", "printenv", "printenv.pl",
        "test-cgi", "index.html.en", "nginx-welcome.html", "apache_pb.gif", "apache_pb.png", "poweredby.png",
    ];

    public string Id => "web-config";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => (file.Size ?? 0) <= ConfigText.MaxBytes && Server(Core.Pipeline.VirtualPath.Inner(file.Path)) is not null;

    private static string? Server(string inner)
    {
        // Debian's *-available folders hold configuration that is off until linked into *-enabled.
        if (inner.Contains("/conf-available/", StringComparison.Ordinal) || inner.Contains("/sites-available/", StringComparison.Ordinal)
            || inner.Contains("/mods-available/", StringComparison.Ordinal))
            return null;
        var name = ConfigText.Name(inner);
        if (inner.Contains("/lighttpd/", StringComparison.Ordinal) && name.EndsWith(".conf", StringComparison.Ordinal))
            return "lighttpd";
        if (inner.Contains("/nginx/", StringComparison.Ordinal) && (name.EndsWith(".conf", StringComparison.Ordinal) || inner.Contains("/sites-enabled/", StringComparison.Ordinal)))
            return "nginx";
        if ((inner.Contains("/apache2/", StringComparison.Ordinal) || inner.Contains("/httpd/", StringComparison.Ordinal)) && (name.EndsWith(".conf", StringComparison.Ordinal) || inner.Contains("/sites-enabled/", StringComparison.Ordinal)))
            return "apache";
        if (inner.EndsWith("/etc/config/uhttpd", StringComparison.Ordinal))
            return "uhttpd";
        return null;
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var text = file.ReadText(ConfigText.MaxBytes);
        var main = ConfigText.Name(file.InnerPath) is "lighttpd.conf" or "nginx.conf" or "apache2.conf" or "httpd.conf";
        sink.Checked("ASSAY-WEB-DIR-LISTING", "ASSAY-WEB-SENSITIVE-ALIAS");
        if (main || Server(file.InnerPath) == "uhttpd")
            sink.Checked("ASSAY-WEB-PLAIN-HTTP", "ASSAY-WEB-ROOT-USER", "ASSAY-WEB-SERVER-TOKENS");
        switch (Server(file.InnerPath))
        {
            case "lighttpd": Lighttpd(file.Path, text, main, sink); break;
            case "nginx": Nginx(file.Path, text, main, sink); break;
            case "apache": Apache(file.Path, text, main, sink); break;
            case "uhttpd": Uhttpd(file.Path, text, sink); break;
        }
    }

    private static bool IsSensitive(string dir)
    {
        var d = dir.TrimEnd('/');
        return d.Length == 0 || SensitiveRoots.Any(r => d == r || d.StartsWith(r + "/", StringComparison.Ordinal));
    }

    private static void Lighttpd(string path, string text, bool main, InspectionSink sink)
    {
        var lines = ConfigText.Lines(text).ToList();
        var tls = lines.Any(l => SslEngine.IsMatch(l.Text));
        var sawTag = false;
        var sawUser = false;
        foreach (var (line, content) in lines)
        {
            var (key, value) = ConfigText.KeyValue(content);
            switch (key)
            {
                case "dir-listing.activate" or "server.dir-listing" when value == "enable":
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-DIR-LISTING", path, content, line));
                    break;
                case "server.tag":
                    sawTag = true;
                    if (value.Length > 0 && value.Any(char.IsDigit))
                        sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, content, line));
                    break;
                case "server.username":
                    sawUser = true;
                    if (value == "root")
                        sink.Add(RuleCatalog.Finding("ASSAY-WEB-ROOT-USER", path, content, line));
                    break;
                case "server.document-root" when IsSensitive(value):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, severity: tls ? Severity.Medium : null,
                        title: $"Web server document root is the system directory {value}"));
                    break;
                case "alias.url" or "alias.url +":
                    foreach (Match m in LighttpdPair.Matches(content))
                    {
                        if (IsSensitive(m.Groups[2].Value))
                            sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, severity: tls ? Severity.Medium : null,
                                title: $"Web server maps {m.Groups[1].Value} onto {m.Groups[2].Value}{(tls ? "" : " over plain HTTP")}"));
                    }
                    break;
            }
        }
        if (main)
        {
            if (!sawTag)
                sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, "server.tag not set: lighttpd sends \"lighttpd/<version>\""));
            if (!sawUser)
                sink.Add(RuleCatalog.Finding("ASSAY-WEB-ROOT-USER", path, "server.username not set: lighttpd keeps the user that started it (root at boot)"));
            if (!tls)
                sink.Add(RuleCatalog.Finding("ASSAY-WEB-PLAIN-HTTP", path, "no ssl.engine = \"enable\""));
        }
    }

    private static void Nginx(string path, string text, bool main, InspectionSink sink)
    {
        var sawTokens = false;
        var tls = false;
        var listens = false;
        // nginx statements end with ';' and blocks open with '{': one line may hold several.
        foreach (var (line, statement) in ConfigText.Lines(text).SelectMany(l => l.Text.Split([';', '{', '}']).Select(s => (l.Line, s.Trim()))))
        {
            var content = statement;
            var w = ConfigText.Words(content);
            if (w.Length < 2)
                continue;
            switch (w[0])
            {
                case "autoindex" when w[1] == "on":
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-DIR-LISTING", path, content, line));
                    break;
                case "server_tokens":
                    sawTokens = true;
                    if (w[1] is "on" or "build")
                        sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, content, line));
                    break;
                case "user" when w[1] == "root":
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-ROOT-USER", path, content, line));
                    break;
                case "alias" or "root" when IsSensitive(w[1]):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, title: $"Web server serves the system directory {w[1]}"));
                    break;
                case "listen":
                    listens = true;
                    tls |= w.Contains("ssl") || w[1].EndsWith("443", StringComparison.Ordinal);
                    break;
            }
        }
        if (main && !sawTokens && text.Contains("http", StringComparison.Ordinal))
            sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, "server_tokens not set (default on: nginx/<version> in headers and error pages)"));
        if (listens && !tls)
            sink.Add(RuleCatalog.Finding("ASSAY-WEB-PLAIN-HTTP", path, "listen directives without ssl"));
    }

    private static void Apache(string path, string text, bool main, InspectionSink sink)
    {
        var sawTokens = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 2)
                continue;
            switch (w[0].ToLowerInvariant())
            {
                case "options" when w.Skip(1).Any(o => o is "Indexes" or "+Indexes" || o.Equals("All", StringComparison.OrdinalIgnoreCase)):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-DIR-LISTING", path, content, line));
                    break;
                case "servertokens":
                    sawTokens = true;
                    if (!w[1].StartsWith("Prod", StringComparison.OrdinalIgnoreCase))
                        sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, content, line));
                    break;
                case "serversignature" when w[1].Equals("On", StringComparison.OrdinalIgnoreCase) || w[1].Equals("Email", StringComparison.OrdinalIgnoreCase):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, content, line));
                    break;
                case "user" when w[1] == "root":
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-ROOT-USER", path, content, line));
                    break;
                case "alias" or "scriptalias" when w.Length >= 3 && IsSensitive(w[2]):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, title: $"Web server maps {w[1]} onto {w[2]}"));
                    break;
                case "documentroot" when IsSensitive(w[1]):
                    sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, title: $"Web server document root is {w[1]}"));
                    break;
            }
        }
        if (main && !sawTokens)
            sink.Add(RuleCatalog.Finding("ASSAY-WEB-SERVER-TOKENS", path, "ServerTokens not set (default Full: version and modules in the Server header)", severity: Severity.Info));
    }

    /// <summary>UCI: <c>list listen_http</c>, <c>list listen_https</c>, <c>option no_dirlists '1'</c>, <c>option home '/www'</c>.</summary>
    private static void Uhttpd(string path, string text, InspectionSink sink)
    {
        var noDirlists = false;
        var https = false;
        var http = false;
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            var w = ConfigText.Words(content);
            if (w.Length < 3)
                continue;
            if (w[1] == "no_dirlists")
                noDirlists = w[2] is "1" or "on" or "true";
            else if (w[1] == "listen_https")
                https = true;
            else if (w[1] == "listen_http")
                http = true;
            else if (w[1] == "home" && IsSensitive(w[2]))
                sink.Add(RuleCatalog.Finding("ASSAY-WEB-SENSITIVE-ALIAS", path, content, line, title: $"uhttpd serves the system directory {w[2]}"));
        }
        if (!noDirlists)
            sink.Add(RuleCatalog.Finding("ASSAY-WEB-DIR-LISTING", path, "option no_dirlists not set: uhttpd lists directories"));
        if (http && !https)
            sink.Add(RuleCatalog.Finding("ASSAY-WEB-PLAIN-HTTP", path, "listen_http without listen_https"));
    }

    public void Complete(IReadOnlyList<FileRecord> files, InspectionSink sink)
    {
        foreach (var f in files)
        {
            if (f.Kind != NodeKind.File)
                continue;
            var inner = Core.Pipeline.VirtualPath.Inner(f.Path);
            if (!(inner.Contains("/www/", StringComparison.Ordinal) || inner.Contains("/htdocs/", StringComparison.Ordinal) || inner.Contains("/cgi-bin/", StringComparison.Ordinal)))
                continue;
            sink.Checked("ASSAY-WEB-DEFAULT-CONTENT");
            var name = ConfigText.Name(inner);
            if (DefaultContent.Contains(name, StringComparer.Ordinal) || inner.Contains("/manual/", StringComparison.Ordinal))
                sink.Add(RuleCatalog.Finding("ASSAY-WEB-DEFAULT-CONTENT", f.Path, name));
        }
    }
}
