using System.Security.Cryptography;
using System.Text;
using Assay.Analyzers.Crypt;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// Password files (<c>/etc/passwd</c>, <c>/etc/shadow</c>): empty passwords (TS 33.117 §4.2.3.4.2.1),
/// broken hash schemes DES and MD5-crypt (§4.2.3.2.3), hashes in the world-readable passwd, extra
/// UID 0 accounts (§4.2.4.2.2) and well-known default passwords tried against DES, MD5-crypt and
/// SHA-256/512-crypt hashes (§4.2.3.4.2.3). Evidence shows the account and the scheme, never the
/// hash; the fingerprint is the SHA-256 of the hash string.
/// </summary>
/// <remarks>
/// Limitations: yescrypt and bcrypt hashes are recognised as strong but not attacked; SHA-crypt
/// hashes above <see cref="UnixCrypt.MaxShaRounds"/> rounds are not attacked; at most
/// <see cref="MaxAccounts"/> accounts per file are attacked. A found default password is named in
/// the finding: it is public knowledge by definition, and the operator needs it to act.
/// </remarks>
public sealed class PasswordAnalyzer : IInspector
{
    private const int MaxAccounts = 64;
    private const int MaxFileBytes = 1 << 20;

    /// <summary>Vendor and IoT defaults (Mirai's list and router manuals); the account name itself is tried too.</summary>
    internal static readonly string[] DefaultPasswords =
    [
        "", "admin", "password", "root", "toor", "1234", "12345", "123456", "12345678", "support", "user", "guest",
        "default", "changeme", "admin123", "password123", "pass", "test", "ubnt", "vizxv", "xc3511", "888888", "666666",
        "54321", "7ujMko0admin", "Zte521", "hi3518", "juantech", "anko", "system", "service", "cisco", "huawei", "letmein",
        "admin1234", "adminadmin", "manager", "private", "public", "qwerty", "oelinux123", "dreambox", "alpine", "openwrt",
    ];

    public string Id => "passwords";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file) => Kind(VirtualPathName(file.Path)) is not null && (file.Size ?? 0) <= MaxFileBytes;

    private static string VirtualPathName(string path) => Core.Pipeline.VirtualPath.Inner(path);

    private static string? Kind(string inner) => inner switch
    {
        _ when inner.EndsWith("/etc/shadow", StringComparison.Ordinal) || inner == "/shadow" => "shadow",
        _ when inner.EndsWith("/etc/passwd", StringComparison.Ordinal) || inner == "/passwd" => "passwd",
        _ => null,
    };

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var kind = Kind(file.InnerPath)!;
        sink.Checked("ASSAY-PASSWD-EMPTY", "ASSAY-PASSWD-WEAK-HASH", "ASSAY-PASSWD-DEFAULT");
        if (kind == "passwd")
            sink.Checked("ASSAY-PASSWD-UID0", "ASSAY-PASSWD-HASH-IN-PASSWD");
        var lines = file.ReadText(MaxFileBytes).Split('\n');
        var attacked = 0;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var fields = line.Split(':');
            if (fields.Length < 2)
                continue;
            var user = fields[0];
            var hash = fields[1];
            var lineNo = n + 1;
            if (kind == "passwd" && fields.Length >= 4 && fields[2] == "0" && user != "root")
                sink.Add(RuleCatalog.Finding("ASSAY-PASSWD-UID0", file.Path, $"{user}: uid 0", lineNo));
            var shell = kind == "passwd" && fields.Length >= 7 ? fields[6] : null;
            if (hash.Length == 0)
            {
                // An empty passwd field means no password (the system does not look at shadow then).
                if (shell is null || !IsNoLoginShell(shell))
                    sink.Add(RuleCatalog.Finding("ASSAY-PASSWD-EMPTY", file.Path, $"{user}: empty password field{(shell is null ? "" : ", shell " + shell)}", lineNo));
                continue;
            }
            if (kind == "passwd" && hash == "x")
                continue;
            if (hash.StartsWith('!') || hash.StartsWith('*') || hash == "x")
                continue; // locked or no password usable
            var scheme = UnixCrypt.Scheme(hash);
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hash)));
            var masked = Mask(user, hash, scheme);
            if (kind == "passwd")
                sink.Add(RuleCatalog.Finding("ASSAY-PASSWD-HASH-IN-PASSWD", file.Path, masked, lineNo, fingerprint));
            if (scheme is "des" or "md5")
                sink.Add(RuleCatalog.Finding("ASSAY-PASSWD-WEAK-HASH", file.Path, masked, lineNo, fingerprint,
                    title: $"Password of {user} hashed with {(scheme == "des" ? "DES crypt" : "MD5-crypt")}"));
            if (scheme is "des" or "md5" or "sha256" or "sha512" && attacked++ < MaxAccounts && TryDefaults(user, hash) is { } found)
                sink.Add(RuleCatalog.Finding("ASSAY-PASSWD-DEFAULT", file.Path, $"{masked}; default password \"{found}\" matches", lineNo, fingerprint,
                    title: $"Account {user} uses the default password \"{found}\""));
        }
    }

    private static string? TryDefaults(string user, string hash)
    {
        foreach (var candidate in DefaultPasswords.Prepend(user).Distinct(StringComparer.Ordinal))
        {
            if (UnixCrypt.Verify(candidate, hash))
                return candidate;
        }
        return null;
    }

    private static bool IsNoLoginShell(string shell) =>
        shell.EndsWith("/nologin", StringComparison.Ordinal) || shell.EndsWith("/false", StringComparison.Ordinal) || shell == "/bin/sync";

    /// <summary><c>root: md5crypt $1$Zq3x…</c>: the account, the scheme and the salt, not the hash.</summary>
    private static string Mask(string user, string hash, string scheme)
    {
        var name = scheme switch { "des" => "DES crypt", "md5" => "MD5-crypt", "sha256" => "SHA-256-crypt", "sha512" => "SHA-512-crypt", _ => scheme };
        var visible = scheme == "des" ? hash[..2] : hash[..Math.Min(hash.Length, hash.LastIndexOf('$') is var i and > 0 ? i : 3)];
        return $"{user}: {name} {visible}…";
    }
}
