namespace Assay.Vulnerabilities.Versions;

/// <summary>Parsing pieces shared by the product schemes.</summary>
internal static class VersionKeys
{
    /// <summary>Rank of a release: higher than every pre-release tag.</summary>
    public const int ReleaseRank = int.MaxValue;

    /// <summary>Reads dot-separated digit runs from the start of <paramref name="text"/>; <paramref name="end"/> is where reading stopped.</summary>
    public static string[] LeadingNumbers(string text, out int end)
    {
        var numbers = new List<string>(4);
        var pos = 0;
        while (pos < text.Length && VersionText.IsAsciiDigit(text[pos]))
        {
            var start = pos;
            while (pos < text.Length && VersionText.IsAsciiDigit(text[pos])) pos++;
            numbers.Add(text[start..pos]);
            if (pos + 1 < text.Length && text[pos] == '.' && VersionText.IsAsciiDigit(text[pos + 1]))
                pos++;
            else
                break;
        }
        end = pos;
        return [.. numbers];
    }

    /// <summary>Compares digit-run lists numerically, a missing part counting as zero.</summary>
    public static int ComparePadded(string[] a, string[] b)
    {
        var n = Math.Max(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var c = VersionText.CompareDigits(i < a.Length ? a[i] : "0", i < b.Length ? b[i] : "0");
            if (c != 0)
                return c;
        }
        return 0;
    }

    /// <summary>
    /// Reads a pre-release tag (one of <paramref name="tags"/>, in ascending order) and its number
    /// from the start of <paramref name="suffix"/>. Anything else is a release.
    /// </summary>
    public static (int Rank, string Number) PreRelease(string suffix, string[] tags)
    {
        var s = suffix.TrimStart('-', '_', '.', '~', ' ');
        for (var i = 0; i < tags.Length; i++)
        {
            if (!s.StartsWith(tags[i], StringComparison.OrdinalIgnoreCase))
                continue;
            var rest = s[tags[i].Length..].TrimStart('-', '_', '.', ' ');
            var n = 0;
            while (n < rest.Length && VersionText.IsAsciiDigit(rest[n])) n++;
            return (i, rest[..n]);
        }
        return (ReleaseRank, "");
    }
}
