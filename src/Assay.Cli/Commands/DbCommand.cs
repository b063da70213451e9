using System.CommandLine;
using System.Globalization;
using Assay.Vulnerabilities;

namespace Assay.Cli.Commands;

/// <summary><c>assay db import PATH...</c> and <c>assay db status</c>: the offline vulnerability database.</summary>
internal static class DbCommand
{
    private const int MaxIssuesShown = 50;

    public static Command Create()
    {
        var command = new Command("db", "Manage the offline vulnerability database (NVD API 2.0 and OSV records, one SQLite file).\n" +
            $"Default file: {VulnerabilityDatabase.DefaultPath} ($XDG_DATA_HOME/assay/vulnerabilities.db).");
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateStatus());
        return command;
    }

    internal static Option<string?> DbOption() => CliOptions.InputPath("--db",
        "The vulnerability database file (default: $XDG_DATA_HOME/assay/vulnerabilities.db or ~/.local/share/assay/vulnerabilities.db).");

    private static Command CreateImport()
    {
        var paths = CliOptions.InputArguments("PATH",
            "NVD API 2.0 records (one CVE per .json, API response pages, .jsonl, each optionally .gz) and OSV records (.json, .zip), or folders of them.");
        var db = DbOption();
        var strict = CliOptions.Flag("--strict", "Stop at the first malformed record and leave the database unchanged (default: report it and go on).");
        var command = new Command("import", "Import vulnerability records; a newer lastModified replaces a stored record.\n" +
            "The import works on a copy and replaces the database atomically: an interrupted import changes nothing.\n" +
            "Exit codes: 0 imported (malformed records are reported on stderr), 3 input unreadable or strict import stopped.")
        { paths, db, strict };
        command.SetAction(parse =>
        {
            var dbPath = parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath;
            if (parse.GetValue(paths)!.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
            {
                Console.Error.WriteLine($"assay: '{missing}' does not exist; give NVD or OSV record files or folders of them");
                return ExitCodes.InputUnreadable;
            }
            if (Path.GetDirectoryName(Path.GetFullPath(dbPath)) is { } folder && parse.GetValue(db) is not null && !Directory.Exists(folder))
            {
                Console.Error.WriteLine($"assay: --db: the folder '{folder}' does not exist; create it first");
                return ExitCodes.Usage;
            }
            ImportResult result;
            try
            {
                result = VulnerabilityDatabase.Import(dbPath, parse.GetValue(paths)!, new ImportOptions
                {
                    Strict = parse.GetValue(strict),
                    OnFileDone = (file, _) => Console.Error.WriteLine($"assay: read {file}"),
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ImportAbortedException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            foreach (var issue in result.Issues.Take(MaxIssuesShown))
                Console.Error.WriteLine($"assay: skipped {issue}");
            if (result.Issues.Count > MaxIssuesShown)
                Console.Error.WriteLine($"assay: ... and {result.Issues.Count - MaxIssuesShown} more malformed records");
            var rate = result.Records / Math.Max(result.Elapsed.TotalSeconds, 0.001);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {result.Files} files into {dbPath}: {result.Added} added, {result.Updated} updated, {result.Unchanged} unchanged, {result.Withdrawn} withdrawn, {result.Issues.Count} malformed ({result.Elapsed.TotalSeconds:F1} s, {rate:F0} records/s)"));
            return result.Issues.Count > 0 && result.Added + result.Updated + result.Unchanged + result.Withdrawn == 0
                ? ExitCodes.InputUnreadable
                : ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var db = DbOption();
        var command = new Command("status", "Show the database's sources, record counts and freshness.\nExit codes: 0 shown, 3 database missing or unreadable.") { db };
        command.SetAction(parse =>
        {
            var dbPath = parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath;
            DatabaseStatus status;
            try
            {
                using var database = VulnerabilityDatabase.Open(dbPath);
                status = database.GetStatus();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"database        {status.Path}");
            Console.WriteLine(string.Create(inv, $"size            {status.SizeBytes / 1048576.0:F1} MiB (schema {status.SchemaVersion})"));
            Console.WriteLine(string.Create(inv, $"vulnerabilities {status.Vulnerabilities:N0} ({status.CpeMatches:N0} CPE match entries, {status.OsvRanges:N0} OSV package ranges)"));
            Console.WriteLine();
            Console.WriteLine($"{"SOURCE",-8} {"RECORDS",9} {"NEWEST RECORD",-22} {"LAST IMPORT",-22} FILES");
            var now = DateTimeOffset.UtcNow;
            foreach (var s in status.Sources)
            {
                var age = s.NewestModified is { } n ? $" ({Math.Max(0, (now - n).TotalDays):F0} days old)" : "";
                Console.WriteLine(string.Create(inv,
                    $"{s.Name,-8} {s.Records,9:N0} {s.NewestModified?.ToString("yyyy-MM-dd HH:mm'Z'", inv) ?? "-",-22} {s.LastImport.ToString("yyyy-MM-dd HH:mm'Z'", inv),-22} {s.Files}{age}"));
            }
            if (status.Sources.Count == 0)
                Console.WriteLine("(empty: import records with 'assay db import PATH...')");
            return ExitCodes.Ok;
        });
        return command;
    }
}
