using System.CommandLine;
using System.Globalization;
using Assay.Vulnerabilities;
using Assay.Vulnerabilities.Update;

namespace Assay.Cli.Commands;

/// <summary>
/// <c>assay db update|import|export|status</c>: the offline vulnerability database (NVD, OSV, CISA KEV, FIRST EPSS).
/// </summary>
internal static class DbCommand
{
    private const int MaxIssuesShown = 50;

    public static Command Create()
    {
        var command = new Command("db", "Manage the offline vulnerability database (NVD, OSV, CISA KEV and FIRST EPSS data, one SQLite file).\n" +
            $"Default file: {VulnerabilityDatabase.DefaultPath} ($XDG_DATA_HOME/assay/vulnerabilities.db).");
        command.Subcommands.Add(CreateExport());
        command.Subcommands.Add(CreateImport());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateUpdate());
        return command;
    }

    internal static Option<string?> DbOption() => CliOptions.InputPath("--db",
        "The vulnerability database file (default: $XDG_DATA_HOME/assay/vulnerabilities.db or ~/.local/share/assay/vulnerabilities.db).");

    private static Command CreateImport()
    {
        var paths = CliOptions.InputArguments("PATH",
            "NVD API 2.0 records (one CVE per .json, API response pages, .jsonl, each optionally .gz), OSV records (.json, .zip), " +
            "the CISA KEV catalog (.json), FIRST EPSS daily files (.csv, .csv.gz), or folders of them; or one file written by 'assay db export'.");
        var db = DbOption();
        var strict = CliOptions.Flag("--strict", "Stop at the first malformed record and leave the database unchanged (default: report it and go on).");
        var command = new Command("import", "Import vulnerability records; a newer lastModified replaces a stored record; a KEV catalog or an EPSS file replaces the stored one.\n" +
            "Given one file written by 'assay db export' (an air-gapped lab's copy), it checks it and replaces the whole database with it.\n" +
            "The import works on a copy and replaces the database atomically: an interrupted import changes nothing.\n" +
            "Exit codes: 0 imported (malformed records are reported on stderr), 3 input unreadable or strict import stopped.")
        { paths, db, strict };
        command.SetAction(parse =>
        {
            var dbPath = parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath;
            if (parse.GetValue(paths)!.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
            {
                Console.Error.WriteLine($"assay: '{missing}' does not exist; give NVD, OSV, KEV or EPSS files, folders of them, or a file written by 'assay db export'");
                return ExitCodes.InputUnreadable;
            }
            if (Path.GetDirectoryName(Path.GetFullPath(dbPath)) is { } folder && parse.GetValue(db) is not null && !Directory.Exists(folder))
            {
                Console.Error.WriteLine($"assay: --db: the folder '{folder}' does not exist; create it first");
                return ExitCodes.Usage;
            }
            var inputs = parse.GetValue(paths)!;
            if (inputs.Length == 1 && File.Exists(inputs[0]) && DatabaseTransfer.IsDatabaseFile(inputs[0]))
                return ImportExport(dbPath, inputs[0]);
            ImportResult result;
            try
            {
                result = VulnerabilityDatabase.Import(dbPath, inputs, new ImportOptions
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
                $"imported {result.Files} files into {dbPath}: {result.Added} added, {result.Updated} updated, {result.Unchanged} unchanged, {result.Withdrawn} withdrawn, {result.ExploitRows} KEV/EPSS rows, {result.Issues.Count} malformed ({result.Elapsed.TotalSeconds:F1} s, {rate:F0} records/s)"));
            return result.Issues.Count > 0 && result.Added + result.Updated + result.Unchanged + result.Withdrawn + result.ExploitRows == 0
                ? ExitCodes.InputUnreadable
                : ExitCodes.Ok;
        });
        return command;
    }

    private static int ImportExport(string dbPath, string file)
    {
        TransferResult result;
        try
        {
            result = DatabaseTransfer.Import(dbPath, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"assay: {e.Message}");
            return ExitCodes.InputUnreadable;
        }
        Console.WriteLine($"replaced {dbPath} with the export {result.File} (SHA-256 {result.Sha256})");
        WriteStatus(result.Status, Console.Out, DateTimeOffset.UtcNow);
        return ExitCodes.Ok;
    }

    private static Command CreateExport()
    {
        var file = CliOptions.OutputArgument("FILE", "The file to write (gzip-compressed SQLite). Its folder must exist; a regular file is replaced atomically, a device, FIFO or link is written through.");
        var db = DbOption();
        var command = new Command("export", "Write the whole database, with its sources and their dates, to one file to carry into an air-gapped network;\n" +
            "there, 'assay db import FILE' checks it and installs it. The SHA-256 printed lets both sides compare.\n" +
            "Exit codes: 0 written, 3 database missing or unreadable, or FILE not writable.")
        { file, db };
        command.SetAction(parse =>
        {
            TransferResult result;
            try
            {
                result = DatabaseTransfer.Export(parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath, parse.GetValue(file)!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            var size = result.Bytes > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({result.Bytes / 1048576.0:F1} MiB, SHA-256 {result.Sha256})") : "";
            Console.WriteLine($"exported {result.Status.Path} to {result.File}{size}");
            WriteStatus(result.Status, Console.Out, DateTimeOffset.UtcNow);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateUpdate()
    {
        var db = DbOption();
        var feeds = CliOptions.ChoiceList<IReadOnlyList<string>>("--feed",
            $"Update only these feeds, comma-separated: {string.Join(", ", UpdateOptions.AllFeeds)} (default: all).",
            UpdateOptions.AllFeeds, words => ([.. words.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], null));
        var ecosystems = CliOptions.Texts("--ecosystem", $"OSV ecosystems to fetch (repeatable; default: {string.Join(", ", UpdateOptions.DefaultEcosystems)}).");
        var mirror = CliOptions.Text("--mirror", "Fetch every feed from a mirror instead of the public sources: MIRROR/nvd/cves/2.0, MIRROR/osv/ECOSYSTEM/all.zip, " +
            "MIRROR/kev/known_exploited_vulnerabilities.json, MIRROR/epss/epss_scores-current.csv.gz.");
        mirror.Validators.Add(result =>
        {
            // The raw token: when the value itself failed to parse (empty), its own error is reported.
            if (result.Tokens is [.., var token] && token.Value.Trim() is { Length: > 0 } m && (!Uri.TryCreate(m, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                result.AddError($"--mirror: '{m}' is not an http:// or https:// address");
        });
        var command = new Command("update", "Fetch what changed in the public sources and apply it: the NVD CVE API 2.0 (changes since the last update, " +
            "in 120-day windows; set NVD_API_KEY for 10x the rate), OSV bulk exports per ecosystem, the CISA KEV catalog and the FIRST EPSS scores of the day.\n" +
            "Downloads go to DB.update/ beside the database; an interrupted update resumes there. The database stays usable during the update " +
            "and is replaced atomically at the end; a source that keeps failing or sends corrupt data leaves it unchanged.\n" +
            "Exit codes: 0 updated, 3 a source failed or sent corrupt data (the database is unchanged).")
        { db, feeds, ecosystems, mirror };
        command.SetAction(parse =>
        {
            var dbPath = parse.GetValue(db) ?? VulnerabilityDatabase.DefaultPath;
            var options = new UpdateOptions
            {
                NvdApiKey = Environment.GetEnvironmentVariable("NVD_API_KEY") is { Length: > 0 } key ? key.Trim() : null,
                Progress = message => Console.Error.WriteLine($"assay: {message}"),
            };
            if (parse.GetValue(feeds) is { Count: > 0 } chosen)
                options = options with { Feeds = chosen };
            if (parse.GetValue(ecosystems) is { Length: > 0 } chosenEcosystems)
                options = options with { OsvEcosystems = chosenEcosystems };
            if (parse.GetValue(mirror) is { } m)
                options = options with { Sources = UpdateSources.Mirror(new Uri(m)) };
            if (options.NvdApiKey is null && options.Feeds.Contains("nvd"))
                Console.Error.WriteLine("assay: NVD_API_KEY is not set: the NVD allows 5 requests per 30 s without a key (a first full download takes about 15 minutes); request a key at https://nvd.nist.gov/developers/request-an-api-key");
            UpdateResult result;
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
            };
            try
            {
                result = DatabaseUpdater.Run(dbPath, options, cancel.Token);
            }
            catch (Exception e) when (e is UpdateException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Console.Error.WriteLine($"assay: {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("assay: update interrupted; the database is unchanged, run 'assay db update' again to resume");
                return ExitCodes.InputUnreadable;
            }
            var i = result.Import;
            var inv = CultureInfo.InvariantCulture;
            var resumed = result.Resumed > 0 ? $", {result.Resumed} NVD pages resumed" : "";
            var unchanged = result.NotModified.Count > 0 ? $", not modified: {string.Join(", ", result.NotModified)}" : "";
            Console.WriteLine(string.Create(inv,
                $"updated {dbPath}: {i.Added} added, {i.Updated} updated, {i.Unchanged} unchanged, {i.Withdrawn} withdrawn, {i.ExploitRows} KEV/EPSS rows; {result.Bytes / 1048576.0:F1} MiB fetched{resumed}{unchanged} ({result.Elapsed.TotalSeconds:F0} s)"));
            foreach (var issue in i.Issues.Take(MaxIssuesShown))
                Console.Error.WriteLine($"assay: skipped {issue}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateStatus()
    {
        var db = DbOption();
        var command = new Command("status", "Show the database's sources, record counts and how old each source's data is; warns when data is older than a week.\n" +
            "Exit codes: 0 shown, 3 database missing or unreadable.") { db };
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
            WriteStatus(status, Console.Out, DateTimeOffset.UtcNow);
            foreach (var s in status.Sources.Where(s => s.IsStale(DateTimeOffset.UtcNow)))
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"assay: warning: {s.Name} data is {s.Age(DateTimeOffset.UtcNow)!.Value.TotalDays:F0} days old (more than a week); run 'assay db update' (or import a newer export)"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The status table: per source its records, the date of its data, its age and when it was imported.</summary>
    internal static void WriteStatus(DatabaseStatus status, TextWriter output, DateTimeOffset now)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"database        {status.Path}");
        output.WriteLine(string.Create(inv, $"size            {status.SizeBytes / 1048576.0:F1} MiB (schema {status.SchemaVersion})"));
        output.WriteLine(string.Create(inv, $"vulnerabilities {status.Vulnerabilities:N0} ({status.CpeMatches:N0} CPE match entries, {status.OsvRanges:N0} OSV package ranges)"));
        if (status.State.TryGetValue("nvd.lastModEndDate", out var end))
            output.WriteLine($"nvd updated to  {end}");
        output.WriteLine();
        output.WriteLine($"{"SOURCE",-8} {"RECORDS",9} {"DATA AS OF",-17} {"AGE",-12} {"IMPORTED",-17} VERSION");
        foreach (var s in status.Sources)
        {
            var age = s.Age(now) is { } a ? string.Create(inv, $"{Math.Max(0, a.TotalDays):F0} days") + (s.IsStale(now) ? " !" : "") : "-";
            output.WriteLine(string.Create(inv,
                $"{s.Name,-8} {s.Records,9:N0} {s.NewestModified?.ToString("yyyy-MM-dd HH:mm", inv) ?? "-",-17} {age,-12} {s.LastImport.ToString("yyyy-MM-dd HH:mm", inv),-17} {s.Version ?? ""}"));
        }
        if (status.Sources.Count == 0)
            output.WriteLine("(empty: run 'assay db update', or import records with 'assay db import PATH...')");
        else if (status.Sources.Any(s => s.IsStale(now)))
            output.WriteLine("! older than a week: run 'assay db update' (or import a newer export)");
    }
}
