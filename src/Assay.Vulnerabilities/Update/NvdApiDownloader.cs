using System.Globalization;
using System.Text.Json;

namespace Assay.Vulnerabilities.Update;

/// <summary>
/// Pages of the NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities) changed since the
/// last update: <c>lastModStartDate</c>/<c>lastModEndDate</c> windows of at most 120 days (the API's
/// limit), each paged with <c>startIndex</c>/<c>resultsPerPage</c> until <c>totalResults</c>; with no
/// earlier update, every CVE (no date filter). The key goes in the <c>apiKey</c> header. Each page is
/// saved whole in the work folder under a name that says its window and start index, and the run's
/// fixed window end is saved in <c>nvd-run.json</c>, so an interrupted run resumes where it stopped.
/// </summary>
internal sealed class NvdApiDownloader(UpdateOptions options, HttpFetcher fetcher, string work)
{
    /// <summary>The state key holding the end of the last applied window (ISO 8601 UTC).</summary>
    public const string StateKey = "nvd.lastModEndDate";

    private const string RunFile = "nvd-run.json";

    public int Resumed { get; private set; }
    public int Fetched { get; private set; }

    /// <summary>The run in <c>nvd-run.json</c>: <c>{"Start":…,"End":…}</c> (<see cref="VulnerabilitiesJsonContext"/>).</summary>
    internal sealed record Run(string? Start, string End);

    /// <summary>Downloads (or finds) every page; returns the page files in order and the new window end to store.</summary>
    public async Task<(IReadOnlyList<string> Pages, string End)> DownloadAsync(string? lastEnd, CancellationToken cancellationToken)
    {
        var run = ResumeOrStart(lastEnd);
        var limiter = new RequestRateLimiter(options.RequestsPerWindow ?? (options.NvdApiKey is null ? 5 : 50), options.RateWindow, options.Now, options.Delay);
        var headers = options.NvdApiKey is { Length: > 0 } key ? new Dictionary<string, string> { ["apiKey"] = key } : new Dictionary<string, string>();
        var pages = new List<string>();
        var end = Parse(run.End);
        var windows = new List<(DateTimeOffset? From, DateTimeOffset? To)>();
        if (run.Start is null)
            windows.Add((null, null));
        else
            for (var from = Parse(run.Start); from < end;)
            {
                var to = from + options.NvdMaxWindow < end ? from + options.NvdMaxWindow : end;
                windows.Add((from, to));
                from = to;
            }
        for (var w = 0; w < windows.Count; w++)
        {
            var (from, to) = windows[w];
            var total = int.MaxValue;
            for (var start = 0; start < total; start = checked(start + options.NvdPageSize))
            {
                var file = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"nvd-w{w:D4}-{start:D9}.json"));
                if (File.Exists(file) && TryTotal(file) is { } known)
                {
                    Resumed++;
                }
                else
                {
                    var query = $"?startIndex={start}&resultsPerPage={options.NvdPageSize}";
                    if (from is { } f && to is { } t)
                        query += $"&lastModStartDate={Uri.EscapeDataString(Format(f))}&lastModEndDate={Uri.EscapeDataString(Format(t))}";
                    await fetcher.FetchAsync(new Uri(options.Sources.NvdApi + query), file, headers, null, null, limiter, ValidatePage, cancellationToken).ConfigureAwait(false);
                    Fetched++;
                    known = TryTotal(file) ?? throw new UpdateException($"{file}: the page lost its totalResults after it was checked");
                }
                total = known;
                pages.Add(file);
                var window = from is null ? "all CVEs" : $"{Format(from.Value)[..10]}..{Format(to!.Value)[..10]}";
                options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"nvd: {window}, page {start / options.NvdPageSize + 1} of {Math.Max(1, (total + options.NvdPageSize - 1) / options.NvdPageSize)} ({Math.Min(start + options.NvdPageSize, total):N0} of {total:N0} records)"));
            }
        }
        return (pages, run.End);
    }

    /// <summary>The run recorded in the work folder when it continues from the same state; else a new run ending now.</summary>
    private Run ResumeOrStart(string? lastEnd)
    {
        var runFile = Path.Combine(work, RunFile);
        if (File.Exists(runFile))
        {
            try
            {
                var previous = JsonSerializer.Deserialize(File.ReadAllText(runFile), VulnerabilitiesJsonContext.Default.NvdRun);
                if (previous is not null && previous.Start == lastEnd)
                    return previous;
            }
            catch (JsonException)
            {
                // A damaged run file: start over.
            }
            foreach (var old in Directory.EnumerateFiles(work, "nvd-w*.json"))
                File.Delete(old);
        }
        var run = new Run(lastEnd, Format(options.Now()));
        File.WriteAllText(runFile, JsonSerializer.Serialize(run, VulnerabilitiesJsonContext.Default.NvdRun));
        return run;
    }

    /// <summary>An NVD API 2.0 response: an object with <c>totalResults</c> and a <c>vulnerabilities</c> array no longer than a page.</summary>
    private void ValidatePage(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("totalResults", out var total) || total.ValueKind != JsonValueKind.Number || !total.TryGetInt32(out var n) || n < 0)
            throw new InvalidDataException("the response is not an NVD API 2.0 page (no totalResults)");
        if (!root.TryGetProperty("vulnerabilities", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > options.NvdPageSize)
            throw new InvalidDataException($"the response is not an NVD API 2.0 page (no vulnerabilities array of at most {options.NvdPageSize} records)");
    }

    private static int? TryTotal(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.TryGetProperty("totalResults", out var t) && t.TryGetInt32(out var n) && n >= 0 ? n : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>NVD's date form: <c>2024-01-01T00:00:00.000+00:00</c>.</summary>
    internal static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
