using System.CommandLine;
using Assay.Core.Pipeline;
using Assay.Engine;

namespace Assay.Cli.Commands;

/// <summary>
/// The options every command that scans a delivery shares (<c>scan</c>, <c>sbom</c>, and the release
/// commands): limits, parallelism, vulnerability database, VEX, progress. Each is parsed and range-
/// checked while the command line is parsed (<see cref="CliOptions"/>).
/// </summary>
internal sealed class ScanOptionsBinder
{
    private readonly ScanLimits _defaults = new();

    public Argument<string> Input { get; } = CliOptions.InputArgument("IMAGE", "The vendor delivery to evaluate: an archive, a compressed or firmware image, a filesystem image, a binary.");
    public Option<int?> MaxDepth { get; } = CliOptions.Count("--max-depth", "Containers inside containers to open (default 16).", 1, 1000);
    public Option<long?> MaxBytes { get; } = CliOptions.Size("--max-bytes", "Bytes all decompression together may produce, e.g. 64G (default 64 GiB, and at most --max-expansion times the input).");
    public Option<long?> MaxExpansion { get; } = CliOptions.Quantity("--max-expansion", "Total output may be at most this many times the input size, but always 1 GiB (default 100).", 1, 1_000_000_000);
    public Option<long?> MaxRatio { get; } = CliOptions.Quantity("--max-ratio", "Compression ratio of one stream beyond which it is treated as a bomb (default 1000).", 1, 1_000_000_000);
    public Option<long?> MaxFiles { get; } = CliOptions.Quantity("--max-files", "Entries of all containers together (default 2,000,000).", 1, long.MaxValue);
    public Option<long?> MaxFileBytes { get; } = CliOptions.Size("--max-file-bytes", "Size of one unpacked file, e.g. 4G (default 16 GiB).");
    public Option<long?> SpoolMemory { get; } = CliOptions.Size("--spool-memory", "Unpacked content the scan may hold in memory at once, over all workers, e.g. 32M; past it content waits in scratch files (default 16 MiB; 0 keeps it all on disk). Changes memory and disk use, never the result.", min: 0);
    public Option<int?> HandlerTimeout { get; } = CliOptions.Count("--handler-timeout", "Seconds one format handler may spend on one container (default 600).", 1, 2_000_000);
    public Option<int?> Jobs { get; } = CliOptions.Count("--jobs", "Worker threads (default: all cores); the blocks of a large SquashFS file are decompressed ahead on every core whatever this says.", 1, 1024, null, "-j");
    public Option<string?> Database { get; } = CliOptions.InputPath("--db", "Vulnerability database (default: the one `assay db import` made in the user's data folder, if any).");
    public Option<bool> NoVulnerabilities { get; } = CliOptions.Flag("--no-vulns", "Do not match components against the vulnerability database.");
    public Option<string?> Vex { get; } = CliOptions.InputPath("--vex", "OpenVEX or CycloneDX VEX file with triage states for the vulnerabilities.");
    public Option<bool> NoProgress { get; } = CliOptions.Flag("--no-progress", "No progress display on standard error.");
    public Option<string?> Cache { get; } = CliOptions.OutputFolder("--cache", $"Folder of the result cache that makes rescans of unchanged content fast; unchanged files of a SquashFS image are not even decompressed (default: {Engine.Cache.SqliteScanCache.DefaultDirectory}).");
    public Option<bool> NoCache { get; } = CliOptions.Flag("--no-cache", "Neither read nor write the result cache.");

    public void AddTo(Command command)
    {
        command.Arguments.Add(Input);
        AddOptionsTo(command);
    }

    /// <summary>Every scan option without the IMAGE argument, for commands that scan inputs of their own (diff, verify-build).</summary>
    public void AddOptionsTo(Command command)
    {
        foreach (var option in new Option[] { MaxDepth, MaxBytes, MaxExpansion, MaxRatio, MaxFiles, MaxFileBytes, HandlerTimeout, SpoolMemory, Jobs, Database, NoVulnerabilities, Vex, NoProgress, Cache, NoCache })
            command.Options.Add(option);
    }

    public ScanRequest Bind(ParseResult parse) => Bind(parse, parse.GetValue(Input)!);

    /// <summary>The scan request of <paramref name="inputPath"/> with the options of <paramref name="parse"/>.</summary>
    public ScanRequest Bind(ParseResult parse, string inputPath) => new(Path.GetFullPath(inputPath))
    {
        Limits = _defaults with
        {
            MaxDepth = parse.GetValue(MaxDepth) ?? _defaults.MaxDepth,
            MaxTotalBytes = parse.GetValue(MaxBytes) ?? _defaults.MaxTotalBytes,
            MaxExpansion = parse.GetValue(MaxExpansion) ?? _defaults.MaxExpansion,
            MaxRatio = parse.GetValue(MaxRatio) ?? _defaults.MaxRatio,
            MaxFiles = parse.GetValue(MaxFiles) ?? _defaults.MaxFiles,
            MaxFileBytes = parse.GetValue(MaxFileBytes) ?? _defaults.MaxFileBytes,
            HandlerTimeout = parse.GetValue(HandlerTimeout) is { } t ? TimeSpan.FromSeconds(t) : _defaults.HandlerTimeout,
            MemorySpoolBudgetBytes = parse.GetValue(SpoolMemory) ?? _defaults.MemorySpoolBudgetBytes,
        },
        Parallelism = parse.GetValue(Jobs) ?? Environment.ProcessorCount,
        DatabasePath = parse.GetValue(NoVulnerabilities) ? null : parse.GetValue(Database),
        SkipVulnerabilities = parse.GetValue(NoVulnerabilities),
        VexPath = parse.GetValue(Vex),
        CacheDirectory = parse.GetValue(NoCache) ? null : (parse.GetValue(Cache) is { } cache ? Path.GetFullPath(cache) : null) ?? Engine.Cache.SqliteScanCache.DefaultDirectory,
    };

    /// <summary>False when the user asked for no progress display (<c>--no-progress</c>).</summary>
    public bool ShowProgress(ParseResult parse) => !parse.GetValue(NoProgress);

    /// <summary>
    /// Checks every file the scan will read before it starts (exit 3 with a message that says what to
    /// do): the input, and a vulnerability database or VEX file the user named.
    /// </summary>
    public static int? CheckInputs(ScanRequest request)
    {
        if (Directory.Exists(request.InputPath))
            return Unreadable($"'{request.InputPath}' is a folder; give an image or archive file (pack a folder with tar first).");
        if (!File.Exists(request.InputPath))
            return Unreadable($"'{request.InputPath}' does not exist; check the path.");
        if (request.DatabasePath is { } db && !File.Exists(db))
            return Unreadable($"vulnerability database '{db}' does not exist; create it with 'assay db import FEEDS... --db {db}', or leave out --db (or pass --no-vulns)");
        if (request.VexPath is { } vex && !File.Exists(vex))
            return Unreadable($"VEX file '{vex}' does not exist; check the path given to --vex");
        return null;
    }

    private static int Unreadable(string message)
    {
        Console.Error.WriteLine($"assay: {message}");
        return ExitCodes.InputUnreadable;
    }

    /// <summary>The <c>--fail-on</c> option of the commands that produce an evaluation.</summary>
    public static Option<FailOn?> FailOnOption(string what) =>
        CliOptions.ChoiceList<FailOn>("--fail-on",
            $"Exit with 1 when {what} is at least this severe (critical, high, medium, low, info), and/or on any error entry (error), " +
            "and/or on a vulnerability in CISA's Known Exploited Vulnerabilities catalog (kev); comma-separated, e.g. high,kev,error. Without it, an input that was not completely understood still exits with 5.",
            FailOn.Words, FailOn.Parse);
}
