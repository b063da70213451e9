using System.CommandLine;
using System.CommandLine.Help;

namespace Assay.Cli.Tests;

/// <summary>Tests that redirect <see cref="Console"/> run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>
/// The command-line contract, generated from the command model: every option and argument of every
/// command (walked from <see cref="AssayCommand.Create"/>) is given bad values of its kind — not a
/// number, negative, empty, huge, an unknown word, a missing folder — and must end with exit code 2
/// and a message that names it, before any work starts. An option added later is covered without a
/// new test; one declared outside <see cref="CliOptions"/> (so without a kind) fails
/// <see cref="EveryOptionAndArgument_IsDeclaredWithAKind"/>, and a new command without a valid
/// invocation below fails <see cref="EveryCommand_HasAValidInvocation"/>.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ContractTests : IDisposable
{
    private static readonly string Repo = Fixture.RepoRoot;
    private readonly string _dir = Directory.CreateTempSubdirectory("assay-contract-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Network(string name) => Path.Combine(Repo, "samples", "network", name);

    private static string Sample => Path.Combine(Repo, "samples", "delivery-EX1000_1.2.0.zip");

    /// <summary>
    /// One invocation per command that parses without error: symbol name -> value (arguments by their
    /// name). Each bad value replaces one entry (or is added), so the bad value is the only error.
    /// </summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Valid = new(StringComparer.Ordinal)
    {
        ["db export"] = new() { ["FILE"] = "/tmp/contract-export.gz", ["--db"] = "/tmp/contract.db" },
        ["admin bootstrap"] = new() { ["--data"] = "/tmp/contract-lab" },
        ["db import"] = new() { ["PATH"] = Sample, ["--db"] = "/tmp/contract.db" },
        ["db status"] = new() { ["--db"] = "/tmp/contract.db" },
        ["db update"] = new() { ["--feed"] = "kev", ["--db"] = "/tmp/contract.db" },
        ["diff"] = new() { ["OLD"] = Sample, ["NEW"] = Sample },
        ["formats"] = [],
        ["network check"] = new() { ["inventory"] = Network("inventory.csv"), ["--policy"] = "uk-dvd", ["--at"] = "2026-11-25" },
        ["network generate"] = new() { ["--sites"] = "10" },
        ["network plan"] = new() { ["inventory"] = Network("inventory.csv"), ["--policy"] = "uk-dvd", ["--costs"] = Network("costs.csv"), ["--capacity"] = "4" },
        ["network policies"] = [],
        ["network risk"] = new() { ["inventory"] = Network("inventory.csv"), ["--evidence"] = Network("links.csv") },
        ["sbom"] = new() { ["IMAGE"] = Sample },
        ["scan"] = new() { ["IMAGE"] = Sample },
        ["serve"] = new() { ["--data"] = "/tmp/contract-lab" },
        ["verify-build"] = new() { ["DELIVERED"] = Sample, ["REBUILT"] = Sample },
        ["vulns"] = new() { ["--component"] = "openssl@1.0.1f" },
    };

    /// <summary>Every leaf command of the tree with its path ("network plan").</summary>
    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string prefix = "")
    {
        foreach (var sub in command.Subcommands)
        {
            var path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Subcommands.Count == 0)
                yield return (path, sub);
            else
            {
                foreach (var leaf in Leaves(sub, path))
                    yield return leaf;
            }
        }
    }

    private static IEnumerable<Symbol> Symbols(Command command) =>
        command.Arguments.Cast<Symbol>().Concat(command.Options.Where(o => o is not (HelpOption or VersionOption)));

    /// <summary>Bad values for a kind of option, each with why it is bad.</summary>
    private IEnumerable<string> BadValues(OptionSpec spec) => spec.Kind switch
    {
        OptionKind.Flag => [], // a switch takes no value, so it has no bad one
        OptionKind.Count => ["abc", "", "-1", "1.5", "99999999999999999999999"],
        OptionKind.Size => ["1x", "", "-1", "1.5G", "99999999999999999999999T", "2-"],
        OptionKind.Number => ["abc", "", "-1", "NaN", "1e400"],
        OptionKind.Date => ["abc", "", "2026-13-45", "2026-02-30", "26-1-1"],
        OptionKind.Choice => ["no-such-choice", ""],
        OptionKind.ChoiceList => ["no-such-choice", "", $"{spec.Choices[0]},,{spec.Choices[0]}"],
        OptionKind.InputPath => ["", "   "],
        OptionKind.OutputFile => ["", Path.Combine(_dir, "no-such-folder", "out.json"), _dir],
        OptionKind.OutputFolder => ["", Path.Combine(_dir, "no-such-folder", "sub"), AFile()],
        OptionKind.Text => ["", "   "],
        _ => throw new InvalidOperationException($"no bad values for {spec.Kind}"),
    };

    private string AFile()
    {
        var path = Path.Combine(_dir, "a-file");
        File.WriteAllText(path, "x");
        return path;
    }

    private static List<string> Compose(string path, Command command, IReadOnlyDictionary<string, string> values)
    {
        var args = path.Split(' ').ToList();
        foreach (var argument in command.Arguments)
        {
            if (values.TryGetValue(argument.Name, out var v))
                args.Add(v);
        }
        foreach (var option in command.Options)
        {
            if (values.TryGetValue(option.Name, out var v))
                args.Add($"{option.Name}={v}");
        }
        return args;
    }

    [Fact]
    public void EveryCommand_HasAValidInvocation()
    {
        foreach (var (path, command) in Leaves(AssayCommand.Create()))
        {
            Assert.True(Valid.TryGetValue(path, out var values), $"add a valid invocation for 'assay {path}' to ContractTests.Valid");
            var args = Compose(path, command, values);
            var errors = AssayCommand.Create().Parse(args).Errors;
            Assert.True(errors.Count == 0, $"assay {string.Join(' ', args)}: {string.Join("; ", errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void EveryOptionAndArgument_IsDeclaredWithAKind()
    {
        foreach (var (path, command) in Leaves(AssayCommand.Create()))
        {
            foreach (var symbol in Symbols(command))
                Assert.True(CliOptions.SpecOf(symbol) is not null, $"assay {path} {symbol.Name} is not declared through CliOptions: give it a kind so it is parsed, validated and covered here");
        }
    }

    [Fact]
    public void EveryOptionAndArgument_BadValues_ExitTwoWithAMessageNamingIt()
    {
        var failures = new List<string>();
        var cases = 0;
        foreach (var (path, command) in Leaves(AssayCommand.Create()))
        {
            var valid = Valid[path];
            foreach (var symbol in Symbols(command))
            {
                var spec = CliOptions.SpecOf(symbol)!;
                foreach (var bad in BadValues(spec))
                {
                    cases++;
                    var values = new Dictionary<string, string>(valid, StringComparer.Ordinal) { [symbol.Name] = bad };
                    var args = Compose(path, command, values);
                    var (code, stderr) = RunInProcess(args);
                    if (code != ExitCodes.Usage)
                        failures.Add($"assay {Show(args)}: exit {code}, expected 2; stderr: {stderr.Trim()}");
                    else if (!stderr.Contains(symbol.Name, StringComparison.Ordinal))
                        failures.Add($"assay {Show(args)}: the message does not name {symbol.Name}: {stderr.Trim()}");
                }
            }
        }
        Assert.True(cases > 150, $"only {cases} cases: the command tree was not walked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("formats", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("network", "plan")]
    public void UnknownOrMissing_IsUsage(params string[] args) => Assert.Equal(ExitCodes.Usage, RunInProcess([.. args]).Code);

    [Fact]
    public void FailOn_TwoSeverities_IsUsageNamingBoth()
    {
        var (code, stderr) = RunInProcess(["scan", Sample, "--fail-on", "high,low"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("at most one severity", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_NonEmptyFolderWithoutForce_IsUsageBeforeTheScan()
    {
        File.WriteAllText(Path.Combine(_dir, "keep.txt"), "the user's file");
        var (code, stderr) = RunInProcess(["scan", Sample, "--extract", _dir, "--no-progress", "--no-vulns"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("not empty", stderr, StringComparison.Ordinal);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    private static string Show(List<string> args) => string.Join(' ', args.Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

    private static readonly Lock ConsoleLock = new();

    /// <summary>Runs the command line in this process (parse errors never reach a command's action), capturing standard error.</summary>
    private static (int Code, string Stderr) RunInProcess(List<string> args)
    {
        lock (ConsoleLock)
        {
            var error = Console.Error;
            var output = Console.Out;
            var captured = new StringWriter();
            Console.SetError(captured);
            Console.SetOut(TextWriter.Null);
            try
            {
                return (AssayCommand.Run([.. args]), captured.ToString());
            }
            finally
            {
                Console.SetError(error);
                Console.SetOut(output);
            }
        }
    }
}
