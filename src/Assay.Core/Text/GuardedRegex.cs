using System.Text.RegularExpressions;

namespace Assay.Core.Text;

/// <summary>
/// A regex over untrusted input that is cheap to build and cannot run away. It matches with the
/// backtracking interpreter, whose construction takes microseconds, under a time budget; a match
/// that exceeds the budget is done again by the non-backtracking engine (linear in the input), which
/// the pattern then keeps for every later match. The non-backtracking automaton costs milliseconds
/// and megabytes to build (82 signature patterns: 0.3 s and 98 MB allocated, against 8 ms and
/// 0.3 MB interpreted), so building it only for a pattern an input drove into backtracking takes
/// that cost off every scan.
/// </summary>
/// <remarks>
/// Both engines find the same matches (the same leftmost match, the same length and groups, for the
/// constructs the non-backtracking engine supports: no backreferences, lookarounds or atomic
/// groups), so which one ran, and therefore how loaded the machine was, never shows in a result:
/// the budget decides only how much CPU a hostile input can cost before the linear engine takes
/// over. A pattern the non-backtracking engine refuses fails on its first fallback; the callers'
/// tests build every shipped pattern with it (<see cref="Linear"/>).
/// </remarks>
public sealed class GuardedRegex
{
    /// <summary>How long one interpreted match may run before the linear engine takes over.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(50);

    private readonly string _pattern;
    private readonly RegexOptions _options;
    private readonly Regex _interpreted;
    private Regex? _linear;
    private volatile bool _fellBack;

    /// <param name="pattern">A .NET pattern the non-backtracking engine supports.</param>
    /// <param name="options">Options of both engines (culture-invariant always; never <see cref="RegexOptions.NonBacktracking"/> or <see cref="RegexOptions.Compiled"/>).</param>
    /// <param name="budget">How long one interpreted match may run (default <see cref="Budget"/>; tests make it tiny).</param>
    public GuardedRegex(string pattern, RegexOptions options = RegexOptions.None, TimeSpan? budget = null)
    {
        if ((options & (RegexOptions.NonBacktracking | RegexOptions.Compiled | RegexOptions.RightToLeft | RegexOptions.ECMAScript)) != 0)
            throw new ArgumentException($"options {options}: the guard chooses the engine; pass neither NonBacktracking nor Compiled, RightToLeft or ECMAScript (the linear engine has neither of the last two)", nameof(options));
        _pattern = pattern;
        _options = options | RegexOptions.CultureInvariant;
        _interpreted = new Regex(pattern, _options, budget ?? Budget);
    }

    public override string ToString() => _pattern;

    /// <summary>True once an input drove the pattern past its budget: every match since runs on the linear engine.</summary>
    public bool FellBack => _fellBack;

    /// <summary>The pattern on the non-backtracking engine (built now if it is not yet; building it does not switch the matches over to it).</summary>
    public Regex Linear
    {
        get
        {
            if (Volatile.Read(ref _linear) is { } linear)
                return linear;
            Interlocked.CompareExchange(ref _linear, new Regex(_pattern, _options | RegexOptions.NonBacktracking), null);
            return _linear!;
        }
    }

    /// <summary>The first match in <paramref name="input"/> (<see cref="Regex.Match(string)"/>).</summary>
    public Match Match(string input) => Run(input, static (regex, text) => regex.Match(text));

    /// <summary>Every match in <paramref name="input"/>, found now (<see cref="Regex.Matches(string)"/> enumerates lazily, past the guard).</summary>
    public IReadOnlyList<Match> Matches(string input) => Run(input, static (regex, text) => All(regex.Matches(text)));

    /// <summary>Whether <paramref name="input"/> holds a match (<see cref="Regex.IsMatch(string)"/>).</summary>
    public bool IsMatch(string input) => Run(input, static (regex, text) => regex.IsMatch(text));

    /// <summary>Whether <paramref name="input"/> holds a match (<see cref="Regex.IsMatch(ReadOnlySpan{char})"/>).</summary>
    public bool IsMatch(ReadOnlySpan<char> input) => Run(input, int.MaxValue, static (regex, text, _) => regex.IsMatch(text));

    /// <summary>
    /// Where the first <paramref name="limit"/> matches in <paramref name="input"/> are
    /// (<see cref="Regex.EnumerateMatches(ReadOnlySpan{char})"/>, found now).
    /// </summary>
    public IReadOnlyList<(int Index, int Length)> Spans(ReadOnlySpan<char> input, int limit = int.MaxValue) =>
        Run(input, limit, static (regex, text, most) =>
        {
            var spans = new List<(int Index, int Length)>();
            foreach (var m in regex.EnumerateMatches(text))
            {
                if (spans.Count >= most)
                    break;
                spans.Add((m.Index, m.Length));
            }
            return spans;
        });

    /// <summary>Interpreted while the pattern has not fallen back; past the budget, again on the linear engine.</summary>
    private T Run<T>(string input, Func<Regex, string, T> match)
    {
        if (!_fellBack)
        {
            try
            {
                return match(_interpreted, input);
            }
            catch (RegexMatchTimeoutException)
            {
                _fellBack = true;
            }
        }
        return match(Linear, input);
    }

    private delegate T SpanMatch<T>(Regex regex, ReadOnlySpan<char> input, int limit);

    private T Run<T>(ReadOnlySpan<char> input, int limit, SpanMatch<T> match)
    {
        if (!_fellBack)
        {
            try
            {
                return match(_interpreted, input, limit);
            }
            catch (RegexMatchTimeoutException)
            {
                _fellBack = true;
            }
        }
        return match(Linear, input, limit);
    }

    /// <summary>Runs the collection's matching now: counting it finds every match.</summary>
    private static Match[] All(MatchCollection matches)
    {
        var all = new Match[matches.Count];
        matches.CopyTo(all, 0);
        return all;
    }
}
