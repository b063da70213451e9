namespace Assay.Catalog.Packages;

/// <summary>
/// <c>/etc/os-release</c> (os-release(5)): shell-style <c>KEY=value</c> lines, values optionally
/// quoted. Gives the distribution for package URLs (<c>distro=debian-12</c>).
/// </summary>
internal static class OsRelease
{
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
