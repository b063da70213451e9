namespace Assay.Analyzers;

/// <summary>Line-oriented reading of configuration files: numbered, trimmed lines without comments.</summary>
internal static class ConfigText
{
    /// <summary>Largest configuration file read (bytes).</summary>
    public const int MaxBytes = 512 << 10;

    /// <summary>Non-empty lines with <c>#</c> comments removed (a <c>#</c> inside quotes is kept), 1-based line numbers.</summary>
    public static IEnumerable<(int Line, string Text)> Lines(string text)
    {
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = StripComment(raw.TrimEnd('\r')).Trim();
            if (line.Length > 0)
                yield return (n, line);
        }
    }

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '"' or '\'')
                quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
                return line[..i];
        }
        return line;
    }

    /// <summary>The file name (after the last slash) of an inner path.</summary>
    public static string Name(string inner) => inner[(inner.LastIndexOf('/') + 1)..];

    /// <summary>Whitespace-separated words, quotes removed from each.</summary>
    public static string[] Words(string line) =>
        line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('"', '\'')).ToArray();

    /// <summary>Boot-time shell scripts: rcS, rc.local, init.d and rc.d scripts.</summary>
    public static bool IsBootScript(string inner) =>
        inner.EndsWith("/etc/init.d/rcS", StringComparison.Ordinal) || inner.EndsWith("/etc/rcS", StringComparison.Ordinal)
        || inner.EndsWith("/etc/rc.local", StringComparison.Ordinal) || inner.Contains("/etc/init.d/", StringComparison.Ordinal)
        || inner.Contains("/etc/rc.d/", StringComparison.Ordinal) || inner.EndsWith("/etc/rc", StringComparison.Ordinal);

    /// <summary>Key and value of <c>key = value</c> / <c>key=value</c> / <c>key value</c> (quotes removed from the value).</summary>
    public static (string Key, string Value) KeyValue(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        var sp = line.IndexOfAny([' ', '\t']);
        int cut;
        if (eq >= 0 && (sp < 0 || eq < sp || line[..eq].Trim().IndexOfAny([' ', '\t']) < 0))
            cut = eq;
        else
            cut = sp;
        if (cut < 0)
            return (line, "");
        return (line[..cut].Trim(), line[(cut + 1)..].Trim().Trim('"', '\''));
    }
}

/// <summary>
/// Regexes over untrusted text (<see cref="Assay.Core.Text.GuardedRegex"/>): interpreted under a
/// time budget, the non-backtracking engine (linear in the input) taking over past it. Both engines
/// find the same matches, so the evaluation does not depend on how loaded the machine is, and no
/// pattern can be driven into catastrophic backtracking; building the interpreted form costs
/// microseconds where the automaton cost milliseconds per pattern on every scan.
/// </summary>
internal static class Patterns
{
    public static Assay.Core.Text.GuardedRegex Bounded(string pattern, System.Text.RegularExpressions.RegexOptions options = System.Text.RegularExpressions.RegexOptions.None) =>
        new(pattern, options);
}
