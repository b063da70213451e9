namespace Assay.Vulnerabilities.Versions;

/// <summary>Helpers shared by the schemes: numeric comparison of digit runs of any length.</summary>
internal static class VersionText
{
    /// <summary>Compares two runs of ASCII digits as unbounded non-negative integers.</summary>
    public static int CompareDigits(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length)
            return a.Length < b.Length ? -1 : 1;
        return Math.Sign(a.SequenceCompareTo(b));
    }

    public static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';

    public static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';

    /// <summary>Compares letters ordinal, ignoring ASCII case.</summary>
    public static int CompareLetters(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = char.ToLowerInvariant(a[i]);
            var y = char.ToLowerInvariant(b[i]);
            if (x != y)
                return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }
}
