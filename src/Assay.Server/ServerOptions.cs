namespace Assay.Server;

/// <summary>How <c>assay serve</c> runs: where the data is, where it listens, how many scans run at once.</summary>
public sealed record ServerOptions
{
    /// <summary>Folder of the SQLite store, the blob store, work folders and the session keys.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>A PostgreSQL connection string; null: SQLite in <see cref="DataDirectory"/>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Kestrel addresses (<c>http://127.0.0.1:8080</c>); port 0 picks a free one.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>What this process does (web, worker or both); only <see cref="ServerRole.All"/> on SQLite.</summary>
    public ServerRole Role { get; init; } = ServerRole.All;

    /// <summary>Scans (in-process) or stage jobs (Hangfire) run at the same time by this process (0: web only, no worker).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Threads one scan may use.</summary>
    public int ScanParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Largest delivery accepted (bytes).</summary>
    public long MaxUploadBytes { get; init; } = 64L << 30;

    /// <summary>
    /// A running scan whose worker has not heart-beaten for this long is taken over by another; on
    /// PostgreSQL it is also Hangfire's (sliding) invisibility timeout, so a dead worker's job is
    /// delivered again after it.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Scale-out: scans the dispatch gate keeps enqueued in Hangfire and not yet claimed; the rest
    /// wait in Assay's table and are released in an order fair across tenants. A newly queued scan
    /// of a quiet tenant waits behind at most this many (plus the running stages). About the
    /// number of stage slots of all workers together; default 4.
    /// </summary>
    public int DispatchAhead { get; init; } = 4;

    /// <summary>How often a worker looks for queued scans when nothing woke it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Vulnerability database the scans match against (null: the default one if it exists, as <c>assay scan</c>).</summary>
    public string? VulnerabilityDatabase { get; init; }

    /// <summary>Do not match vulnerabilities (as <c>assay scan --no-vulns</c>).</summary>
    public bool SkipVulnerabilities { get; init; }

    /// <summary>
    /// The workers' result cache (the engine's, per blob SHA-256 and engine version; evaluations are
    /// the same with and without it); null: none. A local folder of each machine: SQLite does not
    /// lock safely over a network share.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Let webhooks reach loopback, link-local and private addresses (<c>--allow-private-webhooks</c>).
    /// Off by default: a webhook URL is user input that makes the server send requests (SSRF).
    /// </summary>
    public bool AllowPrivateWebhookTargets { get; init; }

    /// <summary>Send webhook deliveries from this process (roles that run stages). Off: the outbox only fills (another process sends).</summary>
    public bool SendWebhooks { get; init; } = true;

    /// <summary>One webhook attempt's time limit (connect, send, response headers and the capped excerpt).</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts of one delivery before it is marked failed.</summary>
    public int WebhookMaxAttempts { get; init; } = 10;

    /// <summary>Wait before the second attempt; each later one waits twice as long as the one before, at most an hour.</summary>
    public TimeSpan WebhookRetryBase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Check the vulnerability database when a web process starts and queue re-matches of evaluations from another one.</summary>
    public bool RescanOnStart { get; init; } = true;

    /// <summary>Log requests and worker events to the console.</summary>
    public bool Verbose { get; init; }

    /// <summary>The user's data folder: <c>$XDG_DATA_HOME/assay</c> or <c>~/.local/share/assay</c>.</summary>
    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create) is { Length: > 0 } d
            ? d : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "assay");
}
