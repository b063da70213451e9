namespace Assay.Catalog.Packages;

/// <summary>
/// Package names out of dependency fields. Debian policy §7.1 (dpkg, and opkg which copies it):
/// <c>Depends: libc6 (&gt;= 2.34), libssl3 | libssl1.1, debconf:any</c> — comma-separated
/// relations, <c>|</c> between alternatives, a version constraint in parentheses, an architecture
/// qualifier after <c>:</c>, build profiles in <c>&lt;&gt;</c>. apk <c>D:</c> (apk-tools' installed
/// database): space-separated, <c>name&gt;=1.2</c> constraints, <c>!name</c> conflicts, and
/// <c>so:</c>/<c>cmd:</c>/<c>pc:</c> provider names that are not package names.
/// Limitations: every alternative is listed (which one is installed is decided by whoever reads the
/// graph: only names that are packages of the same database become edges); apk provider names are left out.
/// </summary>
internal static class PackageRelations
{
    /// <summary>Most relations read from one field (a real package has a few dozen).</summary>
    public const int MaxRelations = 1000;

    /// <summary>The package names of a dpkg/opkg <c>Depends</c>-style field, sorted and distinct.</summary>
    public static IReadOnlyList<string> Debian(params string?[] fields)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (string.IsNullOrWhiteSpace(field))
                continue;
            foreach (var relation in field.Split(',').Take(MaxRelations))
                foreach (var alternative in relation.Split('|'))
                {
                    var name = alternative.Trim();
                    var cut = name.IndexOfAny([' ', '(', '[', '<', ':', '\t']);
                    if (cut >= 0)
                        name = name[..cut];
                    if (IsPackageName(name))
                        names.Add(name);
                }
        }
        return [.. names];
    }

    /// <summary>The package names of an apk <c>D:</c> line, sorted and distinct.</summary>
    public static IReadOnlyList<string> Apk(string? field)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(field))
            return [];
        foreach (var token in field.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(MaxRelations))
        {
            if (token.StartsWith('!') || token.Contains(':', StringComparison.Ordinal))
                continue;
            var cut = token.IndexOfAny(['<', '>', '=', '~']);
            var name = cut >= 0 ? token[..cut] : token;
            if (IsPackageName(name))
                names.Add(name);
        }
        return [.. names];
    }

    /// <summary>Debian policy §5.6.1: lower-case letters, digits, <c>+ - .</c>; apk adds upper case and <c>_</c>.</summary>
    private static bool IsPackageName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.' or '_');
}
