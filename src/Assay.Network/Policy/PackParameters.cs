using System.Globalization;

namespace Assay.Network.Policy;

/// <summary>
/// Pack parameters: dates a pack's rules depend on that only the user knows, given as
/// <c>--param NAME=YYYY-MM-DD</c>. The US Reimbursement Program is the case in point: a provider must
/// finish its removal one year after its own initial disbursement, and the FCC may extend that
/// deadline for the provider. <see cref="Apply"/> turns a pack with parameter dates into one with
/// concrete dates, recording how each was obtained (and whether it was extended) so that reports say so.
/// </summary>
public static class PackParameters
{
    /// <summary>A parameter name: 1 to 32 of <c>a-z</c>, <c>0-9</c>, <c>_</c>, starting with a letter.</summary>
    public static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 32 && name[0] is >= 'a' and <= 'z' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>
    /// Parses <c>NAME=YYYY-MM-DD</c> arguments. Throws <see cref="ArgumentException"/> naming the bad
    /// argument and the expected form.
    /// </summary>
    public static IReadOnlyDictionary<string, DateOnly> Parse(IEnumerable<string> arguments)
    {
        var values = new SortedDictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var eq = argument.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? argument.Trim() : argument[..eq].Trim();
            var text = eq < 0 ? "" : argument[(eq + 1)..].Trim();
            if (eq < 0 || !IsValidName(name))
                throw new ArgumentException($"--param '{Clip(argument)}' is not NAME=YYYY-MM-DD (e.g. --param disbursement=2022-10-29)");
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new ArgumentException($"--param {name}: '{Clip(text)}' is not a date (YYYY-MM-DD)");
            if (!values.TryAdd(name, date))
                throw new ArgumentException($"--param {name} is given twice; give it once");
        }
        return values;
    }

    /// <summary>
    /// Checks that every given parameter is declared by at least one of <paramref name="packs"/>; throws
    /// <see cref="ArgumentException"/> listing the declared ones otherwise (a misspelt name would
    /// otherwise leave a deadline unchecked).
    /// </summary>
    public static void CheckKnown(IReadOnlyDictionary<string, DateOnly> values, IReadOnlyList<PolicyPack> packs)
    {
        foreach (var name in values.Keys)
        {
            if (packs.Any(p => p.Parameters.Any(d => d.Name == name)))
                continue;
            var declared = packs.SelectMany(p => p.Parameters.Select(d => $"{d.Name} ({p.Id}: {d.Description})")).ToList();
            throw new ArgumentException(declared.Count == 0
                ? $"--param {name}: the pack(s) {string.Join(", ", packs.Select(p => p.Id))} take no parameters"
                : $"--param {name}: no such parameter; the pack(s) take: {string.Join("; ", declared)}");
        }
    }

    /// <summary>
    /// The pack with every parameter date fixed from <paramref name="values"/> (names the pack does not
    /// declare are ignored: with <c>--compare</c> a parameter may belong to another pack). A rule whose
    /// parameters are all missing keeps its <see cref="PolicyRule.Unresolved"/> message. Throws
    /// <see cref="ArgumentException"/> when an extension would move a deadline earlier.
    /// </summary>
    public static PolicyPack Apply(PolicyPack pack, IReadOnlyDictionary<string, DateOnly> values)
    {
        if (pack.Parameters.Count == 0 || values.Count == 0)
            return pack;
        var rules = new List<PolicyRule>(pack.Rules.Count);
        foreach (var rule in pack.Rules)
            rules.Add(Resolve(rule, values));
        return pack with { Rules = rules };
    }

    private static PolicyRule Resolve(PolicyRule rule, IReadOnlyDictionary<string, DateOnly> values)
    {
        DateOnly? date = rule.From;
        string? basis = null;
        string? assumption = null;
        foreach (var candidate in rule.FromParameters)
        {
            if (!values.TryGetValue(candidate.Parameter, out var given))
                continue;
            date = given.AddMonths(candidate.Months);
            basis = candidate.Months == 0
                ? $"{candidate.Parameter} {given:yyyy-MM-dd}"
                : $"{candidate.Parameter} {given:yyyy-MM-dd} + {candidate.Months} months";
            assumption = candidate.Assumption;
            break;
        }
        DateOnly? extendedFrom = null;
        if (rule.ExtensionParameter is { } ext && values.TryGetValue(ext, out var extended))
        {
            if (date is { } original)
            {
                if (extended < original)
                    throw new ArgumentException($"--param {ext}={extended:yyyy-MM-dd} would move rule {rule.Id} earlier than its date {original:yyyy-MM-dd} ({basis ?? "fixed in the pack"}); an extension gives more time");
                if (extended > original)
                {
                    extendedFrom = original;
                    basis = $"extension granted (--param {ext}): {MonthsBetween(original, extended)} beyond {original:yyyy-MM-dd} = {basis ?? "the pack's date"}";
                }
            }
            else
            {
                basis = $"extension granted (--param {ext}); the deadline it extends is unknown (give {string.Join(" or ", rule.FromParameters.Select(p => $"--param {p.Parameter}"))})";
            }
            date = extended;
        }
        if (basis is null)
            return rule;
        return rule with { From = date, DateBasis = basis, DateAssumption = assumption, ExtendedFrom = extendedFrom, Unresolved = null };
    }

    /// <summary>The message of a rule whose parameters are missing.</summary>
    internal static string UnresolvedMessage(IReadOnlyList<ParameterDate> from, IReadOnlyList<PackParameter> declared)
    {
        var options = from.Select(f =>
        {
            var example = declared.FirstOrDefault(p => p.Name == f.Parameter)?.Example ?? "YYYY-MM-DD";
            return $"--param {f.Parameter}={example}";
        });
        return $"its date is {string.Join(", or ", from)}: give {string.Join(" or ", options.Distinct())} to check it";
    }

    private static string MonthsBetween(DateOnly from, DateOnly to)
    {
        var months = (to.Year - from.Year) * 12 + to.Month - from.Month;
        if (from.AddMonths(months) > to)
            months--;
        var days = to.DayNumber - from.AddMonths(months).DayNumber;
        return days == 0 ? $"{months} month(s)" : $"{months} month(s) and {days} day(s)";
    }

    private static string Clip(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 60), "...");
}
