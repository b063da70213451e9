using System.CommandLine;
using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Engine;

namespace Assay.Cli.Commands;

/// <summary>The options `scan` and `sbom` share: limits, parallelism, vulnerability database.</summary>
internal sealed class ScanOptionsBinder
{
    private readonly ScanLimits _defaults = new();

    public Argument<FileInfo> Input { get; } = new("IMAGE") { Description = "The vendor delivery to evaluate: an archive, a compressed or firmware image, a filesystem image, a binary." };
    public Option<int?> MaxDepth { get; } = new("--max-depth") { Description = "Containers inside containers to open (default 16)." };
    public Option<long?> MaxBytes { get; } = new("--max-bytes") { Description = "Bytes all decompression together may produce (default 64 GiB, and at most --max-expansion times the input)." };
    public Option<long?> MaxExpansion { get; } = new("--max-expansion") { Description = "Total output may be at most this many times the input size, but always 1 GiB (default 100)." };
    public Option<long?> MaxRatio { get; } = new("--max-ratio") { Description = "Compression ratio of one stream beyond which it is treated as a bomb (default 1000)." };
    public Option<long?> MaxFiles { get; } = new("--max-files") { Description = "Entries of all containers together (default 2,000,000)." };
    public Option<long?> MaxFileBytes { get; } = new("--max-file-bytes") { Description = "Size of one unpacked file (default 16 GiB)." };
    public Option<int?> HandlerTimeout { get; } = new("--handler-timeout") { Description = "Seconds one format handler may spend on one container (default 600)." };
    public Option<int?> Jobs { get; } = new("--jobs", "-j") { Description = "Worker threads (default: all cores)." };
    public Option<string?> Database { get; } = new("--db") { Description = "Vulnerability database (default: the one `assay db import` made in the user's data folder, if any)." };
    public Option<bool> NoVulnerabilities { get; } = new("--no-vulns") { Description = "Do not match components against the vulnerability database." };
    public Option<string?> Vex { get; } = new("--vex") { Description = "OpenVEX or CycloneDX VEX file with triage states for the vulnerabilities." };
    public Option<bool> NoProgress { get; } = new("--no-progress") { Description = "No progress display on standard error." };
    public Option<DirectoryInfo?> Cache { get; } = new("--cache") { Description = $"Folder of the result cache that makes rescans of unchanged content fast (default: {Engine.Cache.SqliteScanCache.DefaultDirectory})." };
    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Neither read nor write the result cache." };

    public void AddTo(Command command)
    {
        Positive(MaxDepth, 1, 1000);
        Positive(MaxBytes, 1, long.MaxValue);
        Positive(MaxExpansion, 1, long.MaxValue);
        Positive(MaxRatio, 1, long.MaxValue);
        Positive(MaxFiles, 1, long.MaxValue);
        Positive(MaxFileBytes, 1, long.MaxValue);
        Positive(HandlerTimeout, 1, 2_000_000);
        Positive(Jobs, 1, 1024);
        command.Arguments.Add(Input);
        foreach (var option in new Option[] { MaxDepth, MaxBytes, MaxExpansion, MaxRatio, MaxFiles, MaxFileBytes, HandlerTimeout, Jobs, Database, NoVulnerabilities, Vex, NoProgress, Cache, NoCache })
            command.Options.Add(option);
    }

    private static void Positive<T>(Option<T?> option, long min, long max)
        where T : struct, IConvertible
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<T?>() is { } value)
            {
                var v = value.ToInt64(System.Globalization.CultureInfo.InvariantCulture);
                if (v < min || v > max)
                    result.AddError($"{option.Name} must be between {min} and {max:N0} (got {v})");
            }
        });
    }

    public ScanRequest Bind(ParseResult parse) => new(parse.GetValue(Input)!.FullName)
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
        },
        Parallelism = Math.Max(1, parse.GetValue(Jobs) ?? Environment.ProcessorCount),
        DatabasePath = parse.GetValue(Database),
        SkipVulnerabilities = parse.GetValue(NoVulnerabilities),
        VexPath = parse.GetValue(Vex),
        CacheDirectory = parse.GetValue(NoCache) ? null : parse.GetValue(Cache)?.FullName ?? Engine.Cache.SqliteScanCache.DefaultDirectory,
    };

    /// <summary>False when the user asked for no progress display (<c>--no-progress</c>).</summary>
    public bool ShowProgress(ParseResult parse) => !parse.GetValue(NoProgress);

    /// <summary>Checks the input before a scan: exit code 3 with a message that says what to do.</summary>
    public static int? CheckInput(string path)
    {
        if (Directory.Exists(path))
        {
            Console.Error.WriteLine($"assay: '{path}' is a folder; give an image or archive file (pack a folder with tar first).");
            return ExitCodes.InputUnreadable;
        }
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"assay: '{path}' does not exist; check the path.");
            return ExitCodes.InputUnreadable;
        }
        return null;
    }

    /// <summary>Parses a severity name for --fail-on.</summary>
    public static Severity? ParseSeverity(string? text) => text?.ToLowerInvariant() switch
    {
        null => null,
        "critical" => Severity.Critical,
        "high" => Severity.High,
        "medium" => Severity.Medium,
        "low" => Severity.Low,
        "info" => Severity.Info,
        _ => throw new ArgumentException($"unknown severity '{text}'; valid: critical, high, medium, low, info"),
    };
}
