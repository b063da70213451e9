using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Assay.Analyzers.Cloud;

/// <summary>
/// Names of variables and keys that hold credentials (<c>DB_PASSWORD</c>, <c>apiToken</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>), and values that only point at one (<c>/run/secrets/db</c>,
/// <c>$(DB_PASSWORD)</c>): for image environments, container env and ConfigMap data.
/// </summary>
internal static partial class SecretNames
{
    // Tokens that make a name a credential (names split on snake_case, kebab-case, dots and camelCase).
    private static readonly HashSet<string> Tokens = new(StringComparer.Ordinal) { "password", "passwd", "secret", "token", "apikey", "credential", "credentials", "passphrase", "privatekey", "accesskey" };

    // Token pairs that do the same (api_key, private_key, access_key).
    private static readonly (string, string)[] Pairs = [("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key")];

    // Last tokens of names that carry where the secret is, not the secret.
    private static readonly HashSet<string> ReferenceTokens = new(StringComparer.Ordinal) { "file", "path", "dir", "url", "uri", "ref", "name", "existingsecret", "length", "policy", "type", "enabled", "mode", "header" };

    // NonBacktracking: linear in the input, so no wall-clock timeout is needed (timeouts fire spuriously on a loaded machine).
    [GeneratedRegex(@"(^|[^A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_.-]{0,80})=(""[^""]{1,256}""|'[^']{1,256}'|[^\s;&|]{1,256})", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Assignment();

    /// <summary>Whether the name says it holds a credential (and not a pointer to one).</summary>
    public static bool IsSecretName(string name)
    {
        var tokens = Flatten(name).Split('_', StringSplitOptions.RemoveEmptyEntries);
        // existingSecret, secretName, tokenPath: where a credential is, not the credential
        if (tokens.Length == 0 || ReferenceTokens.Contains(tokens[^1]) || tokens.Contains("existing"))
            return false;
        for (var i = 0; i < tokens.Length; i++)
        {
            // PWD alone is the shell's working directory; DB_PWD is a password.
            if (Tokens.Contains(tokens[i]) || (tokens[i] == "pwd" && tokens.Length > 1))
                return true;
            if (i + 1 < tokens.Length && Pairs.Contains((tokens[i], tokens[i + 1])))
                return true;
        }
        return false;
    }

    /// <summary>A value that names where a secret is rather than being one: empty, a path, a variable reference, a placeholder.</summary>
    public static bool IsReference(string value)
    {
        var v = value.Trim().Trim('"', '\'');
        return v.Length == 0 || v.StartsWith('/') || v.StartsWith("$(", StringComparison.Ordinal) || v.StartsWith("${", StringComparison.Ordinal)
            || v.StartsWith('<') || v.StartsWith("{{", StringComparison.Ordinal) || v is "changeme-at-deploy" or "null" or "~";
    }

    /// <summary>SHA-256 of the value, to correlate the same secret across files without showing it.</summary>
    public static string Fingerprint(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary><c>RUN x --password=abc DB_TOKEN=xyz</c> with the secret-named values masked.</summary>
    public static string MaskAssignments(string text)
    {
        return Assignment().Replace(text, m => IsSecretName(m.Groups[2].Value) ? m.Groups[1].Value + m.Groups[2].Value + "=" + SecretsAnalyzer.Mask(m.Groups[3].Value) : m.Value);
    }

    /// <summary><c>dbPassword</c>, <c>DB-PASSWORD</c>, <c>db.password</c> → <c>db_password</c>.</summary>
    private static string Flatten(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
                sb.Append('_');
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }
        return sb.ToString();
    }
}
