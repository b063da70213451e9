namespace Assay.Catalog.Packages;

/// <summary>
/// <c>/etc/os-release</c> (os-release(5)): shell-style <c>KEY=value</c> lines, values optionally
/// quoted. Gives the distribution for package URLs (<c>distro=debian-12</c>).
/// </summary>
internal static class OsRelease
{
    private const string Etc = "etc/os-release";
    private const string UsrLib = "usr/lib/os-release";

    /// <summary>
    /// True for <c>/etc/os-release</c> and <c>/usr/lib/os-release</c>: on most distributions the
    /// first is a symbolic link to the second, so only the second is a regular file to read.
    /// </summary>
    public static bool IsOsRelease(string innerPath) =>
        innerPath.EndsWith("/" + Etc, StringComparison.Ordinal) || innerPath.EndsWith("/" + UsrLib, StringComparison.Ordinal);

    /// <summary>Fact kind of an os-release file's text.</summary>
    public const string FactKind = "os-release";

    /// <summary>An os-release file's text, as a fact of <paramref name="inspector"/> for its Complete.</summary>
    public static Core.Plugins.InspectionFact Fact(Core.Plugins.InspectedFile file, string inspector) => new(inspector, file.Path, FactKind, file.ReadText(64 << 10));

    /// <summary>Remembers an os-release file's text under the root of the filesystem that holds it (<c>/etc</c> wins over <c>/usr/lib</c>).</summary>
    public static void Remember(string path, string text, System.Collections.Concurrent.ConcurrentDictionary<string, string> byRoot)
    {
        var suffix = path.EndsWith("/" + Etc, StringComparison.Ordinal) ? Etc : UsrLib;
        if (RootedPaths.RootOf(path, suffix) is { } root)
            byRoot.AddOrUpdate(root, text, (_, existing) => suffix == Etc ? text : existing);
    }

    public static Dictionary<string, string> Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#')
                continue;
            var eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
                value = value[1..^1];
            fields.TryAdd(line[..eq].ToString(), value.ToString());
        }
        return fields;
    }
}
