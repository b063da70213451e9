using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.CompilerServices;
using Assay.Core.Extraction;

namespace Assay.Cli;

/// <summary>What kind of value an option or argument takes; decides how it is parsed and which bad values the contract test tries.</summary>
internal enum OptionKind
{
    /// <summary>A switch without a value.</summary>
    Flag,

    /// <summary>A whole number in a range.</summary>
    Count,

    /// <summary>A number of bytes, optionally with a unit (512M, 64GiB, 1TB).</summary>
    Size,

    /// <summary>A decimal number in a range.</summary>
    Number,

    /// <summary>A calendar date, YYYY-MM-DD.</summary>
    Date,

    /// <summary>One of a fixed list of words.</summary>
    Choice,

    /// <summary>A comma-separated list of words from a fixed list.</summary>
    ChoiceList,

    /// <summary>A file (or folder, where the command says so) that is read.</summary>
    InputPath,

    /// <summary>A file that is written.</summary>
    OutputFile,

    /// <summary>A folder that is written into.</summary>
    OutputFolder,

    /// <summary>Free text that must not be empty (a name, a list of names, a component).</summary>
    Text,
}

/// <summary>The declared kind of an option or argument, with its valid words for choices.</summary>
internal sealed record OptionSpec(OptionKind Kind, IReadOnlyList<string> Choices);

/// <summary>
/// The one way the commands declare options and arguments: each is parsed and validated while the
/// command line is parsed, before any work starts, and a bad value is a usage error (exit 2) whose
/// message names the option, the value and what is accepted. Every option is registered with its
/// kind, so the generated contract test (tests/Assay.Cli.Tests/ContractTests.cs) tries bad values on
/// every option of every command, including options added later.
/// </summary>
internal static class CliOptions
{
    private static readonly ConditionalWeakTable<Symbol, OptionSpec> Specs = [];

    /// <summary>The declared kind of <paramref name="symbol"/>, or null for one not made here.</summary>
    public static OptionSpec? SpecOf(Symbol symbol) => Specs.TryGetValue(symbol, out var spec) ? spec : null;

    private static T Register<T>(T symbol, OptionKind kind, IReadOnlyList<string>? choices = null)
        where T : Symbol
    {
        Specs.AddOrUpdate(symbol, new OptionSpec(kind, choices ?? []));
        if (symbol is Option option && kind != OptionKind.Flag)
            option.HelpName = HelpName(kind, choices);
        return symbol;
    }

    /// <summary>What <c>--help</c> shows for the value: <c>--max-bytes &lt;SIZE&gt;</c>, <c>-f &lt;json|sarif|...&gt;</c>.</summary>
    private static string HelpName(OptionKind kind, IReadOnlyList<string>? choices) => kind switch
    {
        OptionKind.Count => "N",
        OptionKind.Size => "SIZE",
        OptionKind.Number => "NUMBER",
        OptionKind.Date => "YYYY-MM-DD",
        OptionKind.Choice or OptionKind.ChoiceList when choices is { Count: > 0 and <= 8 } => string.Join('|', choices),
        OptionKind.Choice => "WORD",
        OptionKind.ChoiceList => "LIST",
        OptionKind.InputPath => "PATH",
        OptionKind.OutputFile => "FILE",
        OptionKind.OutputFolder => "DIR",
        _ => "TEXT",
    };

    public static Option<bool> Flag(string name, string description, params string[] aliases) =>
        Register(new Option<bool>(name, aliases) { Description = description }, OptionKind.Flag);

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; null when absent unless <paramref name="defaultValue"/> is given.</summary>
    public static Option<int?> Count(string name, string description, int min, int max, int? defaultValue = null, params string[] aliases)
    {
        var option = new Option<int?>(name, aliases)
        {
            Description = description,
            CustomParser = r => (int?)ParseWhole(r, name, min, max, "a whole number"),
        };
        if (defaultValue is { } d)
            option.DefaultValueFactory = _ => d;
        return Register(option, OptionKind.Count);
    }

    /// <summary>A whole number of bytes, with an optional unit.</summary>
    public static Option<long?> Size(string name, string description, long min = 1, params string[] aliases) =>
        Register(new Option<long?>(name, aliases)
        {
            Description = description,
            CustomParser = r => ParseSize(r, name, min),
        }, OptionKind.Size);

    /// <summary>A whole number (64-bit) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<long?> Quantity(string name, string description, long min, long max, params string[] aliases) =>
        Register(new Option<long?>(name, aliases)
        {
            Description = description,
            CustomParser = r => ParseWhole(r, name, min, max, "a whole number"),
        }, OptionKind.Count);

    /// <summary>A decimal number greater than <paramref name="above"/> and at most <paramref name="max"/>.</summary>
    public static Option<double?> Number(string name, string description, double above, double max, double? defaultValue = null, params string[] aliases)
    {
        var option = new Option<double?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = Single(r);
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    return Fail<double?>(r, $"{name}: '{text}' is not a number; give a decimal number such as 4 or 2.5");
                if (value <= above || value > max)
                    return Fail<double?>(r, $"{name}: {text} is out of range; give a number above {above.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)}");
                return value;
            },
        };
        if (defaultValue is { } d)
            option.DefaultValueFactory = _ => d;
        return Register(option, OptionKind.Number);
    }

    /// <summary>A date, YYYY-MM-DD.</summary>
    public static Option<DateOnly?> Date(string name, string description, params string[] aliases) =>
        Register(new Option<DateOnly?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = Single(r);
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? date
                    : Fail<DateOnly?>(r, $"{name}: '{text}' is not a date; give YYYY-MM-DD, e.g. 2026-12-31");
            },
        }, OptionKind.Date);

    /// <summary>One word of <paramref name="choices"/>; <paramref name="defaultValue"/> when absent (null: none).</summary>
    public static Option<string?> Choice(string name, string description, IReadOnlyList<string> choices, string? defaultValue, params string[] aliases)
    {
        var option = new Option<string?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = Single(r);
                return choices.Contains(text, StringComparer.Ordinal)
                    ? text
                    : Fail<string?>(r, $"{name}: '{text}' is not one of {string.Join(", ", choices)}");
            },
        };
        if (defaultValue is not null)
            option.DefaultValueFactory = _ => defaultValue;
        return Register(option, OptionKind.Choice, choices);
    }

    /// <summary>
    /// A comma-separated list of words of <paramref name="choices"/>, turned into a value by
    /// <paramref name="parse"/>, which returns either the value or why the combination is not valid.
    /// </summary>
    public static Option<T?> ChoiceList<T>(string name, string description, IReadOnlyList<string> choices, Func<IReadOnlyList<string>, (T? Value, string? Problem)> parse, params string[] aliases)
        where T : class =>
        Register(new Option<T?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = Single(r);
                var words = text.Split(',', StringSplitOptions.TrimEntries);
                if (words.Any(w => w.Length == 0))
                    return Fail<T?>(r, $"{name}: '{text}' has an empty item; give one or more of {string.Join(", ", choices)}, comma-separated");
                var unknown = words.FirstOrDefault(w => !choices.Contains(w, StringComparer.Ordinal));
                if (unknown is not null)
                    return Fail<T?>(r, $"{name}: '{unknown}' is not one of {string.Join(", ", choices)}");
                var (value, problem) = parse(words);
                return problem is null ? value : Fail<T?>(r, $"{name}: '{text}': {problem}");
            },
        }, OptionKind.ChoiceList, choices);

    /// <summary>A path that is read; it must not be empty (existence is checked before work starts, exit 3).</summary>
    public static Option<string?> InputPath(string name, string description, params string[] aliases) =>
        Register(new Option<string?>(name, aliases) { Description = description, CustomParser = r => NonEmpty(r, name, "a path") }, OptionKind.InputPath);

    /// <summary>Repeatable paths that are read.</summary>
    public static Option<string[]> InputPaths(string name, string description, params string[] aliases) =>
        Register(new Option<string[]>(name, aliases) { Description = description, AllowMultipleArgumentsPerToken = true, CustomParser = r => NonEmptyAll(r, name, "a path") }, OptionKind.InputPath);

    /// <summary>Free text that must not be empty.</summary>
    public static Option<string?> Text(string name, string description, params string[] aliases) =>
        Register(new Option<string?>(name, aliases) { Description = description, CustomParser = r => NonEmpty(r, name, "a value") }, OptionKind.Text);

    /// <summary>Repeatable free text; no item may be empty.</summary>
    public static Option<string[]> Texts(string name, string description, params string[] aliases) =>
        Register(new Option<string[]>(name, aliases) { Description = description, CustomParser = r => NonEmptyAll(r, name, "a value") }, OptionKind.Text);

    /// <summary>
    /// A file that is written (<c>-o</c>). Policy, checked before work starts: the folder it goes in
    /// must exist (Assay never creates folders for a report); the path must not be a folder. A regular
    /// file (or a new one) is replaced atomically; anything else (a device, a FIFO, a symbolic link) is
    /// written through (<see cref="OutputFile"/>).
    /// </summary>
    public static Option<string?> OutputFile(string name, string description, params string[] aliases) =>
        Register(new Option<string?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = NonEmpty(r, name, "a file path");
                if (text is null)
                    return null;
                return Cli.OutputFile.Check(text) is { } problem ? Fail<string?>(r, $"{name}: {problem}") : text;
            },
        }, OptionKind.OutputFile);

    /// <summary>
    /// A folder that is written into (<c>--extract</c>): created if absent (its parent must exist);
    /// an existing one must be a real folder, and empty unless <c>--force</c> is given
    /// (checked by the command's validator, <see cref="RequireEmptyUnlessForced"/>).
    /// </summary>
    public static Option<string?> OutputFolder(string name, string description, params string[] aliases) =>
        Register(new Option<string?>(name, aliases)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = NonEmpty(r, name, "a folder path");
                if (text is null)
                    return null;
                var full = Path.GetFullPath(text);
                var type = HostFile.TypeOf(Path.TrimEndingDirectorySeparator(full));
                if (type == HostFileType.Missing)
                {
                    var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full));
                    if (parent is not null && HostFile.TypeOf(parent) != HostFileType.Directory)
                        return Fail<string?>(r, $"{name}: the folder '{parent}' that would hold '{text}' does not exist; create it first (Assay creates only the folder you name)");
                    return text;
                }
                if (type != HostFileType.Directory)
                    return Fail<string?>(r, $"{name}: '{text}' exists and is not a folder ({Describe(type)}); name a folder");
                return text;
            },
        }, OptionKind.OutputFolder);

    /// <summary>Refuses a non-empty <paramref name="folder"/> unless <paramref name="force"/> is set: files from the input must not silently overwrite the user's files.</summary>
    public static void RequireEmptyUnlessForced(Command command, Option<string?> folder, Option<bool> force) =>
        command.Validators.Add(result =>
        {
            // The raw token, not the typed value: when the folder option itself failed to parse, its own error is reported.
            if (result.GetResult(folder)?.Tokens is not [.., var token] || token.Value.Trim().Length == 0)
                return;
            var path = token.Value;
            if (result.GetValue(force) || !Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any())
                return;
            result.AddError($"{folder.Name}: the folder '{path}' is not empty; name an empty or new folder, or add {force.Name} to write into it (files already there may be replaced)");
        });

    /// <summary>An argument that names a file to write, with the policy of <see cref="OutputFile(string, string, string[])"/>.</summary>
    public static Argument<string> OutputArgument(string name, string description) =>
        Register(new Argument<string>(name)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = NonEmpty(r, name, "a file path");
                if (text is null)
                    return null!;
                return Cli.OutputFile.Check(text) is { } problem ? Fail<string>(r, $"{name}: {problem}") : text;
            },
        }, OptionKind.OutputFile);

    /// <summary>An argument that names a file to read (must not be empty).</summary>
    public static Argument<string> InputArgument(string name, string description) =>
        Register(new Argument<string>(name) { Description = description, CustomParser = r => NonEmpty(r, name, "a path")! }, OptionKind.InputPath);

    /// <summary>An optional argument that names a file to read.</summary>
    public static Argument<string?> OptionalInputArgument(string name, string description) =>
        Register(new Argument<string?>(name) { Description = description, Arity = ArgumentArity.ZeroOrOne, CustomParser = r => r.Tokens.Count == 0 ? null : NonEmpty(r, name, "a path") }, OptionKind.InputPath);

    /// <summary>An argument of one or more files to read.</summary>
    public static Argument<string[]> InputArguments(string name, string description) =>
        Register(new Argument<string[]>(name) { Description = description, Arity = ArgumentArity.OneOrMore, CustomParser = r => NonEmptyAll(r, name, "a path") }, OptionKind.InputPath);

    // ---------------- parsing ----------------

    private static string Single(ArgumentResult r) => r.Tokens.Count == 0 ? "" : r.Tokens[^1].Value;

    private static T Fail<T>(ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    private static string? NonEmpty(ArgumentResult r, string name, string what)
    {
        var text = Single(r);
        return text.Trim().Length == 0 ? Fail<string?>(r, $"{name}: the value is empty; give {what}") : text;
    }

    private static string[] NonEmptyAll(ArgumentResult r, string name, string what)
    {
        var values = r.Tokens.Select(t => t.Value).ToArray();
        return values.Any(v => v.Trim().Length == 0) ? Fail<string[]>(r, $"{name}: an empty value; give {what}") : values;
    }

    private static long? ParseWhole(ArgumentResult r, string name, long min, long max, string what)
    {
        var text = Single(r);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return Fail<long?>(r, $"{name}: '{text}' is not {what}; give a number from {min:N0} to {max:N0}");
        if (value < min || value > max)
            return Fail<long?>(r, $"{name}: {text} is out of range; give a number from {min:N0} to {max:N0}");
        return value;
    }

    /// <summary>Binary multiples for K, M, G, T and KiB .. TiB; decimal for KB .. TB.</summary>
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000L), ("MB", 1_000_000L), ("GB", 1_000_000_000L), ("TB", 1_000_000_000_000L),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40), ("B", 1),
    ];

    private static long? ParseSize(ArgumentResult r, string name, long min)
    {
        var text = Single(r);
        var trimmed = text.Trim();
        long factor = 1;
        foreach (var (suffix, f) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                trimmed = trimmed[..^suffix.Length].TrimEnd();
                factor = f;
                break;
            }
        }
        const string accepted = "give bytes as a whole number, optionally with a unit: 512M, 64GiB, 1TB (K, M, G, T and KiB .. TiB are powers of 1024; KB .. TB of 1000)";
        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return Fail<long?>(r, $"{name}: '{text}' is not a size; {accepted}");
        long bytes;
        try
        {
            bytes = checked(number * factor);
        }
        catch (OverflowException)
        {
            return Fail<long?>(r, $"{name}: '{text}' is too large; the most is {long.MaxValue:N0} bytes");
        }
        return bytes < min ? Fail<long?>(r, $"{name}: '{text}' is too small; give at least {min:N0} bytes") : bytes;
    }

    private static string Describe(HostFileType type) => type switch
    {
        HostFileType.Regular => "a file",
        HostFileType.Symlink => "a symbolic link",
        HostFileType.CharDevice => "a character device",
        HostFileType.BlockDevice => "a block device",
        HostFileType.Fifo => "a FIFO",
        HostFileType.Socket => "a socket",
        _ => type.ToString(),
    };
}
