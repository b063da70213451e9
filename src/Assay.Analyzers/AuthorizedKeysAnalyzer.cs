using System.Security.Cryptography;
using Assay.Analyzers.Rules;
using Assay.Core.Model;
using Assay.Core.Plugins;

namespace Assay.Analyzers;

/// <summary>
/// SSH <c>authorized_keys</c> files (OpenSSH sshd(8) "AUTHORIZED_KEYS FILE FORMAT": optional
/// options, key type, base64 key, comment; Dropbear reads the same format, also from
/// <c>/etc/dropbear/authorized_keys</c>) and their owners. Every key shipped is a pre-installed
/// authentication attribute (TS 33.117 §4.2.3.4.2.3), reported with its account, type, size and
/// OpenSSH SHA256 fingerprint; DSA and RSA under 2048 bits are raised to critical. A file that its
/// account does not own, or that group or others can write, fails §4.3.2.7.
/// </summary>
/// <remarks>Limitations: the account is taken from the path (<c>/root</c>, <c>/home/NAME</c>,
/// <c>/etc/dropbear</c> → root), not from <c>/etc/passwd</c>; the uid check applies to root's files
/// (uid 0) and, for other accounts, only the write bits are judged.</remarks>
public sealed class AuthorizedKeysAnalyzer : IInspector
{
    public string Id => "authorized-keys";

    /// <summary>Keeps no state of its own: its results for a file are cached by the file's content.</summary>
    public bool CacheableByContent => true;

    public bool Wants(FileRecord file)
    {
        if ((file.Size ?? 0) > ConfigText.MaxBytes || file.Kind != NodeKind.File)
            return false;
        var name = ConfigText.Name(Core.Pipeline.VirtualPath.Inner(file.Path));
        return name is "authorized_keys" or "authorized_keys2";
    }

    public void Inspect(InspectedFile file, InspectionSink sink)
    {
        var inner = file.InnerPath;
        var account = AccountOf(inner);
        sink.Checked("ASSAY-SSH-AUTHORIZED-KEY", "ASSAY-SSH-AUTHORIZED-KEYS-OWNER");
        var text = file.ReadText(ConfigText.MaxBytes);
        foreach (var (line, content) in ConfigText.Lines(text))
        {
            if (ParseKey(content) is not { } key)
                continue;
            var weak = key.Type == "ssh-dss" || (key.Type == "ssh-rsa" && key.Bits is > 0 and < 2048);
            var size = key.Bits > 0 ? $" {key.Bits}-bit" : "";
            sink.Add(RuleCatalog.Finding("ASSAY-SSH-AUTHORIZED-KEY", file.Path, $"{key.Type}{size} {key.Fingerprint} {key.Comment}".Trim(), line,
                secretFingerprint: key.Fingerprint, severity: weak ? Severity.Critical : null,
                title: $"Pre-installed SSH key for {account ?? "an account"}: {key.Type}{size}{(weak ? " (weak)" : "")}"));
        }
        var mode = ParseMode(file.Record.Mode);
        var writable = mode is { } m && (m & 0b000_010_010) != 0;
        var wrongOwner = account == "root" && file.Record.Uid is { } uid && uid != 0;
        if (writable || wrongOwner)
            sink.Add(RuleCatalog.Finding("ASSAY-SSH-AUTHORIZED-KEYS-OWNER", file.Path,
                $"mode {file.Record.Mode ?? "?"} uid {file.Record.Uid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}", null,
                title: wrongOwner ? $"authorized_keys of root owned by uid {file.Record.Uid}" : "authorized_keys writable by group or others"));
    }

    /// <summary>/root/.ssh → root, /home/NAME/.ssh → NAME, /etc/dropbear → root, else null.</summary>
    internal static string? AccountOf(string inner)
    {
        if (inner.Contains("/root/.ssh/", StringComparison.Ordinal) || inner.Contains("/etc/dropbear/", StringComparison.Ordinal))
            return "root";
        var home = inner.IndexOf("/home/", StringComparison.Ordinal);
        if (home >= 0)
        {
            var rest = inner[(home + 6)..];
            var slash = rest.IndexOf('/');
            if (slash > 0)
                return rest[..slash];
        }
        return null;
    }

    private static int? ParseMode(string? mode)
    {
        if (mode is null)
            return null;
        var digits = mode.Length > 4 ? mode[^4..] : mode;
        try { return Convert.ToInt32(digits, 8); }
        catch (FormatException) { return null; }
    }

    internal sealed record Key(string Type, int Bits, string Fingerprint, string Comment);

    /// <summary>One key line: options are skipped up to the first word that is a known key type.</summary>
    internal static Key? ParseKey(string line)
    {
        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < words.Length && i < 8; i++)
        {
            var type = words[i];
            if (!(type.StartsWith("ssh-", StringComparison.Ordinal) || type.StartsWith("ecdsa-", StringComparison.Ordinal) || type.StartsWith("sk-", StringComparison.Ordinal)))
                continue;
            byte[] blob;
            try { blob = Convert.FromBase64String(words[i + 1]); }
            catch (FormatException) { return null; }
            if (blob.Length is < 16 or > 16384)
                return null;
            var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
            return new Key(type, RsaBits(type, blob), fingerprint, string.Join(' ', words.Skip(i + 2)));
        }
        return null;
    }

    /// <summary>RFC 4253 §6.6 ssh-rsa blob: string "ssh-rsa", mpint e, mpint n; the size of n in bits (DSA: of p).</summary>
    private static int RsaBits(string type, byte[] blob)
    {
        if (type is not ("ssh-rsa" or "ssh-dss"))
            return 0;
        var at = 0;
        int? Next()
        {
            if (at + 4 > blob.Length)
                return null;
            var len = (blob[at] << 24) | (blob[at + 1] << 16) | (blob[at + 2] << 8) | blob[at + 3];
            if (len < 0 || at + 4 + len > blob.Length)
                return null;
            var start = at + 4;
            at = checked(start + len);
            return start;
        }
        if (Next() is null)
            return 0;
        var first = Next(); // e (RSA) or p (DSA)
        var target = type == "ssh-rsa" ? Next() : first;
        if (target is not { } s)
            return 0;
        var length = (type == "ssh-rsa" ? at : (blob[s - 4] << 24 | blob[s - 3] << 16 | blob[s - 2] << 8 | blob[s - 1]) + s) - s;
        while (length > 0 && blob[s] == 0) { s++; length--; }
        return length <= 0 ? 0 : (length * 8) - System.Numerics.BitOperations.LeadingZeroCount((uint)blob[s]) + 24;
    }
}
