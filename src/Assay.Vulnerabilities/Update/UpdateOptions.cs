namespace Assay.Vulnerabilities.Update;

/// <summary>The public sources <c>assay db update</c> reads, and where they are.</summary>
public sealed record UpdateSources
{
    /// <summary>NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities).</summary>
    public Uri NvdApi { get; init; } = new("https://services.nvd.nist.gov/rest/json/cves/2.0");

    /// <summary>OSV bulk exports, one <c>{ecosystem}/all.zip</c> per ecosystem (https://google.github.io/osv.dev/data/).</summary>
    public Uri OsvBase { get; init; } = new("https://osv-vulnerabilities.storage.googleapis.com/");

    /// <summary>CISA Known Exploited Vulnerabilities catalog, JSON.</summary>
    public Uri Kev { get; init; } = new("https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json");

    /// <summary>FIRST EPSS scores of the day, gzip CSV.</summary>
    public Uri Epss { get; init; } = new("https://epss.empiricalsecurity.com/epss_scores-current.csv.gz");

    /// <summary>
    /// Every source under one mirror (a lab's internal copy): <c>MIRROR/nvd/cves/2.0</c>,
    /// <c>MIRROR/osv/{ecosystem}/all.zip</c>, <c>MIRROR/kev/known_exploited_vulnerabilities.json</c>,
    /// <c>MIRROR/epss/epss_scores-current.csv.gz</c>.
    /// </summary>
    public static UpdateSources Mirror(Uri mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        var root = mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/");
        return new UpdateSources
        {
            NvdApi = new Uri(root, "nvd/cves/2.0"),
            OsvBase = new Uri(root, "osv/"),
            Kev = new Uri(root, "kev/known_exploited_vulnerabilities.json"),
            Epss = new Uri(root, "epss/epss_scores-current.csv.gz"),
        };
    }
}

/// <summary>What <c>assay db update</c> fetches and how it behaves towards the servers.</summary>
public sealed record UpdateOptions
{
    /// <summary>The feeds <see cref="DatabaseUpdater"/> knows, sorted.</summary>
    public static readonly IReadOnlyList<string> AllFeeds = ["epss", "kev", "nvd", "osv"];

    /// <summary>
    /// OSV ecosystems fetched by default: the distributions and language ecosystems the catalog
    /// finds (dpkg, apk; Python dist-info, npm package.json, Go build info, Cargo auditable).
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultEcosystems = ["Alpine", "Debian", "Go", "PyPI", "crates.io", "npm"];

    public UpdateSources Sources { get; init; } = new();

    /// <summary>Subset of <see cref="AllFeeds"/> to update.</summary>
    public IReadOnlyList<string> Feeds { get; init; } = AllFeeds;

    public IReadOnlyList<string> OsvEcosystems { get; init; } = DefaultEcosystems;

    /// <summary>NVD API key (from <c>NVD_API_KEY</c>): 50 requests per 30 s instead of 5.</summary>
    public string? NvdApiKey { get; init; }

    /// <summary>Records per NVD API page (the API allows at most 2,000).</summary>
    public int NvdPageSize { get; init; } = 2000;

    /// <summary>Longest <c>lastModStartDate</c>..<c>lastModEndDate</c> window the NVD API accepts (120 days).</summary>
    public TimeSpan NvdMaxWindow { get; init; } = TimeSpan.FromDays(120);

    /// <summary>Requests allowed per <see cref="RateWindow"/>; null: 5 without an API key, 50 with one (NVD's published limits).</summary>
    public int? RequestsPerWindow { get; init; }

    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per request before the update stops (rate limiting, 5xx, a dropped connection).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First back-off; doubled per attempt unless the server sends <c>Retry-After</c>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Timeout of one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages for the user (one line each).</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The HTTP handler (tests and proxies); null: a <see cref="SocketsHttpHandler"/> with gzip/deflate/brotli.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>How to wait (tests make it instant and record the waits).</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>The clock (tests fix it).</summary>
    public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;
}
