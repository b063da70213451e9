namespace Assay.Catalog.Packages;

/// <summary>
/// Parser of the Debian control-file syntax (deb-control(5), deb822): stanzas separated by blank
/// lines, <c>Field: value</c> lines, continuation lines starting with a space or tab. dpkg's
/// <c>status</c>, opkg's <c>status</c> and (with one-letter keys) apk's <c>installed</c> use it.
/// </summary>
internal static class ControlStanzas
{
    /// <summary>At most this many stanzas are read from one file.</summary>
    public const int MaxStanzas = 100_000;

    /// <summary>A parsed stanza: fields in file order (first occurrence wins), and the line it starts on.</summary>
    internal sealed record Stanza(int Line, Dictionary<string, string> Fields)
    {
        public string? this[string key] => Fields.GetValueOrDefault(key);
    }

    /// <summary>Parses the text. Lines without a colon outside a continuation are reported through <paramref name="malformed"/>.</summary>
    public static List<Stanza> Parse(string text, Action<int, string> malformed, bool oneLetterKeys = false)
    {
        var result = new List<Stanza>();
        Dictionary<string, string>? fields = null;
        string? lastKey = null;
        var start = 0;
        var lineNo = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.IsWhiteSpace())
            {
                if (fields is { Count: > 0 })
                {
                    result.Add(new Stanza(start, fields));
                    if (result.Count >= MaxStanzas)
                        return result;
                }
                fields = null;
                lastKey = null;
                continue;
            }
            if (fields is null)
            {
                fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                start = lineNo;
            }
            if (!oneLetterKeys && (line[0] == ' ' || line[0] == '\t'))
            {
                if (lastKey is not null && fields[lastKey].Length < 1 << 20)
                    fields[lastKey] += "\n" + line.Trim().ToString();
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0 || (oneLetterKeys && colon != 1))
            {
                malformed(lineNo, line.Length > 80 ? line[..80].ToString() : line.ToString());
                continue;
            }
            var key = line[..colon].Trim().ToString();
            var value = line[(colon + 1)..].Trim().ToString();
            if (oneLetterKeys && fields.TryGetValue(key, out var existing))
                fields[key] = existing + "\n" + value;
            else
                fields.TryAdd(key, value);
            lastKey = key;
        }
        if (fields is { Count: > 0 })
            result.Add(new Stanza(start, fields));
        return result;
    }
}
