using System.CommandLine;
using Assay.Server;
using Microsoft.Extensions.Hosting;

namespace Assay.Cli.Commands;

/// <summary><c>assay serve</c>: the lab as a service (web UI, REST API, in-process workers) on SQLite or PostgreSQL.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = DataOption();
        var db = DatabaseOption();
        var urls = CliOptions.Text("--urls", "Addresses to listen on, separated by ';' (default http://127.0.0.1:8080; port 0 picks a free one).");
        urls.DefaultValueFactory = _ => "http://127.0.0.1:8080";
        var role = CliOptions.Choice("--role", "What this process does: all (web UI, API and scan workers; the default, the only role on SQLite), " +
            "web (UI and API; scans go to workers) or worker (runs scan stages, serves only /healthz and /readyz). web and worker need --db.", ServerRoles.Names, "all");
        var workers = CliOptions.Count("--workers", "Scans (SQLite) or stage jobs (PostgreSQL) run at the same time by this process (0: none; default 1).", 0, 64, 1);
        var lease = CliOptions.Count("--lease", "Seconds a silent worker keeps its scan before another worker takes it over (also Hangfire's invisibility timeout; default 120).", 2, 86_400, 120);
        var ahead = CliOptions.Count("--dispatch-ahead", "PostgreSQL: scans kept enqueued for workers and not yet started; the rest wait in Assay's table and are released fairly across tenants (about the stage slots of all workers; default 4).", 1, 10_000, 4);
        var maxUpload = CliOptions.Size("--max-upload", "Largest delivery accepted, e.g. 64GiB, 500MiB (default 64GiB).");
        var vulnDb = CliOptions.InputPath("--vuln-db", "Vulnerability database the scans match against (default: the one 'assay db' manages, when it exists).");
        var noVulns = CliOptions.Flag("--no-vulns", "Do not match vulnerabilities.");
        var vulnDbCheck = CliOptions.Count("--vulndb-check", "Web processes: seconds between checks of the vulnerability database; on a change (e.g. after 'assay db update') every release's newest evaluation is re-matched (0: only at start-up; default 600).", 0, 86_400, 600);
        var allowPrivateWebhooks = CliOptions.Flag("--allow-private-webhooks", "Let webhooks reach loopback, link-local and private addresses (refused by default: a webhook URL is user input).");
        var cache = CliOptions.OutputFolder("--cache", $"Workers: folder of this machine's result cache, so the next release of a product (which shares most files) and a stage re-run after a lost worker are fast; keep it on a local disk, not the shared --data (default: {Engine.Cache.SqliteScanCache.DefaultDirectory}).");
        var noCache = CliOptions.Flag("--no-cache", "Workers neither read nor write the result cache.");
        var verbose = CliOptions.Flag("--verbose", "Log every request and worker event.", "-v");
        var command = new Command("serve", ServiceCommands.ServeDescription)
        { data, db, role, urls, workers, lease, ahead, maxUpload, vulnDb, noVulns, vulnDbCheck, cache, noCache, allowPrivateWebhooks, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // SIGTERM/Ctrl+C go to the host, which stops Hangfire gracefully (stage jobs see the
            // cancellation and release their leases, up to HangfireSetup.ShutdownTimeout). Left to
            // System.CommandLine, the process was ended 2 s after the signal, before a worker under
            // load had handed its scan on (the fault test's "lease released" was missing). Set
            // before the first await, as System.CommandLine.Hosting does.
            parse.InvocationConfiguration.ProcessTerminationTimeout = null;
            var maxBytes = parse.GetValue(maxUpload) ?? DefaultMaxUpload;
            var listen = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (listen.Length == 0 || listen.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                Console.Error.WriteLine($"assay: --urls '{parse.GetValue(urls)}' must be http(s) addresses separated by ';', e.g. http://127.0.0.1:8080");
                return ExitCodes.Usage;
            }
            var serverRole = ServerRoles.Parse(parse.GetValue(role) ?? "all") ?? ServerRole.All;
            if (serverRole != ServerRole.All && parse.GetValue(db) is null)
            {
                Console.Error.WriteLine($"assay: --role {parse.GetValue(role)} needs a shared PostgreSQL store (--db 'Host=...;Port=5432;Database=assay;Username=...') and a --data folder every process shares; on SQLite one process does everything: use --role all");
                return ExitCodes.Usage;
            }
            var options = new ServerOptions
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                PostgresConnectionString = parse.GetValue(db),
                Urls = listen,
                Role = serverRole,
                Workers = serverRole.RunsStages() ? parse.GetValue(workers) ?? 1 : 0,
                Lease = TimeSpan.FromSeconds(parse.GetValue(lease) ?? 120),
                DispatchAhead = parse.GetValue(ahead) ?? 4,
                MaxUploadBytes = maxBytes,
                VulnerabilityDatabase = parse.GetValue(vulnDb) is { } v ? Path.GetFullPath(v) : null,
                SkipVulnerabilities = parse.GetValue(noVulns),
                VulnerabilityDatabaseCheck = TimeSpan.FromSeconds(parse.GetValue(vulnDbCheck) ?? 600),
                CacheDirectory = parse.GetValue(noCache) ? null : (parse.GetValue(cache) is { } c ? Path.GetFullPath(c) : null) ?? Engine.Cache.SqliteScanCache.DefaultDirectory,
                AllowPrivateWebhookTargets = parse.GetValue(allowPrivateWebhooks),
                Verbose = parse.GetValue(verbose),
            };
            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = await AssayServer.BuildAsync(options, cancellationToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"assay: cannot open the store ({(options.PostgresConnectionString is null ? options.DataDirectory : Store.AssayDatabase.Redact(options.PostgresConnectionString))}): {e.Message}");
                return ExitCodes.InputUnreadable;
            }
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"assay: cannot listen on {string.Join(", ", listen)}: {e.Message}; choose another --urls");
                return ExitCodes.Usage;
            }
            foreach (var address in app.Urls)
                Console.Error.WriteLine($"assay: serving {address} (log in at {address}/login; API {address}/api/v1, OpenAPI {address}/openapi/v1.json)");
            Console.Error.WriteLine($"assay: role {serverRole.ToString().ToLowerInvariant()}; data in {options.DataDirectory}{(options.PostgresConnectionString is null ? "" : " (store: PostgreSQL, dispatch: Hangfire)")}; {options.Workers} worker(s)");
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Largest delivery accepted when --max-upload is not given.</summary>
    private const long DefaultMaxUpload = 64L << 30;

    internal static Option<string?> DataOption()
    {
        var option = CliOptions.Text("--data", $"The lab's data folder: SQLite store, blobs, session keys (created if absent; default: {ServerOptions.DefaultDataDirectory()}).");
        option.DefaultValueFactory = _ => ServerOptions.DefaultDataDirectory();
        return option;
    }

    internal static Option<string?> DatabaseOption() =>
        CliOptions.Text("--db", "A PostgreSQL connection string for team use (Host=...;Port=5432;Database=assay;Username=...); default: SQLite in --data.");
}
