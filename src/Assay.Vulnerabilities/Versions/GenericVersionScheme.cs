namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// The upstream comparator used when a product has no scheme of its own. A version is split into
/// maximal runs of ASCII digits and of ASCII letters; every other character only separates runs.
/// Runs are compared left to right: digit runs numerically (any length), letter runs ordinal
/// ignoring case, a digit run before a letter run. When one run list is a prefix of the other the
/// shorter is older. So <c>1.0.1 &lt; 1.0.1a &lt; 1.0.1f &lt; 1.0.1g</c>, <c>1.2.2.1 &lt; 1.2.2.2</c>,
/// <c>2018.76 &lt; 2019.78</c>, <c>1.1.1z &lt; 1.1.1za</c>.
/// This is the ordering of <c>shared/data/nvd/known-answers.json</c> (<c>matching_rule.version_order</c>).
/// </summary>
public sealed class GenericVersionScheme : IVersionScheme
{
    public static GenericVersionScheme Instance { get; } = new();

    public string Id => "generic";

    public string Description => "digit and letter runs, digits numeric, letters lexical, prefix is older";

    public IReadOnlyList<string> Limitations { get; } =
    [
        "pre-releases sort after their release (1.0.0rc1 > 1.0.0): use a product scheme where that matters",
        "separators are not significant: 1.0-1 equals 1.0.1",
        "1.0 is older than 1.0.0 (no zero padding)",
    ];

    public int Compare(string left, string right)
    {
        var a = new RunReader(left);
        var b = new RunReader(right);
        while (true)
        {
            var hasA = a.Next(out var runA, out var digitsA);
            var hasB = b.Next(out var runB, out var digitsB);
            if (!hasA || !hasB)
                return hasA == hasB ? 0 : hasA ? 1 : -1;
            if (digitsA != digitsB)
                return digitsA ? -1 : 1;
            var c = digitsA ? VersionText.CompareDigits(runA, runB) : VersionText.CompareLetters(runA, runB);
            if (c != 0)
                return c;
        }
    }

    /// <summary>Yields the digit and letter runs of a string, skipping everything else.</summary>
    internal ref struct RunReader(ReadOnlySpan<char> text)
    {
        private readonly ReadOnlySpan<char> _text = text;
        private int _pos;

        public bool Next(out ReadOnlySpan<char> run, out bool digits)
        {
            while (_pos < _text.Length && !VersionText.IsAsciiDigit(_text[_pos]) && !VersionText.IsAsciiLetter(_text[_pos]))
                _pos++;
            if (_pos >= _text.Length)
            {
                run = default;
                digits = false;
                return false;
            }
            var start = _pos;
            digits = VersionText.IsAsciiDigit(_text[_pos]);
            if (digits)
                while (_pos < _text.Length && VersionText.IsAsciiDigit(_text[_pos])) _pos++;
            else
                while (_pos < _text.Length && VersionText.IsAsciiLetter(_text[_pos])) _pos++;
            run = _text[start.._pos];
            return true;
        }
    }
}
