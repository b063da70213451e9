using System.Diagnostics;
using System.Globalization;

namespace Assay.Vulnerabilities.Update;

/// <summary>
/// <c>assay db update</c>: fetches what changed in the public sources (NVD CVE API 2.0 since the last
/// window end, OSV's bulk export per ecosystem and the CISA KEV catalog when their validators
/// changed, the FIRST EPSS file of the day) into a work folder beside the database
/// (<c>DB.update/</c>), then imports all of it in one go with the same atomic copy-and-rename as
/// <c>db import</c>: readers keep using the old file until the rename, an interrupted or refused
/// update leaves it as it was, and a later run resumes the NVD pages already fetched. A download
/// that is corrupt (a truncated gzip, a zip or JSON that does not parse) refuses the whole update.
/// </summary>
public static class DatabaseUpdater
{
    /// <summary>Runs an update synchronously (see <see cref="RunAsync"/>).</summary>
    public static UpdateResult Run(string databasePath, UpdateOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(databasePath, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Fetches and applies the updates of <see cref="UpdateOptions.Feeds"/>.</summary>
    /// <exception cref="UpdateException">A source kept failing or sent corrupt data; the database is unchanged.</exception>
    /// <exception cref="ArgumentException">An unknown feed name.</exception>
    public static async Task<UpdateResult> RunAsync(string databasePath, UpdateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        options ??= new UpdateOptions();
        foreach (var feed in options.Feeds)
            if (!UpdateOptions.AllFeeds.Contains(feed, StringComparer.Ordinal))
                throw new ArgumentException($"unknown feed '{feed}'; valid: {string.Join(", ", UpdateOptions.AllFeeds)}", nameof(options));
        var watch = Stopwatch.StartNew();
        var full = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(full))
        {
            using var db = VulnerabilityDatabase.Open(full);
            foreach (var (k, v) in db.ReadState())
                state[k] = v;
        }
        var work = full + ".update";
        Directory.CreateDirectory(work);
        var files = new List<string>();
        var newState = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var downloaded = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var notModified = new List<string>();
        var resumed = 0;
        long bytes;
        using (var fetcher = new HttpFetcher(options))
        {
            var wants = options.Feeds.ToHashSet(StringComparer.Ordinal);
            if (wants.Contains("nvd"))
            {
                var nvd = new NvdApiDownloader(options, fetcher, work);
                var (pages, end) = await nvd.DownloadAsync(state.GetValueOrDefault(NvdApiDownloader.StateKey), cancellationToken).ConfigureAwait(false);
                files.AddRange(pages);
                newState[NvdApiDownloader.StateKey] = end;
                downloaded["nvd"] = nvd.Fetched;
                resumed = nvd.Resumed;
            }
            if (wants.Contains("osv"))
                foreach (var ecosystem in options.OsvEcosystems.Order(StringComparer.Ordinal))
                {
                    var uri = new Uri(options.Sources.OsvBase, Uri.EscapeDataString(ecosystem) + "/all.zip");
                    await Whole($"osv.{ecosystem}", uri, $"osv-{Safe(ecosystem)}.zip").ConfigureAwait(false);
                }
            if (wants.Contains("kev"))
                await Whole("kev", options.Sources.Kev, "kev.json").ConfigureAwait(false);
            if (wants.Contains("epss"))
                await Whole("epss", options.Sources.Epss, "epss.csv.gz").ConfigureAwait(false);
            bytes = fetcher.Bytes;

            // One file published whole: asked for only when its validators changed.
            async Task Whole(string key, Uri uri, string name)
            {
                var target = Path.Combine(work, name);
                var etag = state.GetValueOrDefault(key + ".etag");
                DateTimeOffset? since = state.TryGetValue(key + ".lastModified", out var lm)
                    ? DateTimeOffset.Parse(lm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
                var result = await fetcher.FetchAsync(uri, target, new Dictionary<string, string>(), etag, since, null, null, cancellationToken).ConfigureAwait(false);
                var feed = key.Split('.')[0];
                if (result.NotModified)
                {
                    notModified.Add(key);
                    options.Progress?.Invoke($"{key}: not modified since the last update");
                    return;
                }
                files.Add(target);
                downloaded[feed] = downloaded.GetValueOrDefault(feed) + 1;
                if (result.ETag is not null)
                    newState[key + ".etag"] = result.ETag;
                if (result.LastModified is { } modified)
                    newState[key + ".lastModified"] = modified.ToString("O", CultureInfo.InvariantCulture);
                options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{key}: {result.Bytes:N0} bytes"));
            }
        }

        options.Progress?.Invoke($"applying {files.Count} files to {full}");
        ImportResult import;
        try
        {
            import = VulnerabilityDatabase.ImportFiles(full, files, new ImportOptions
            {
                RejectIncompleteFiles = true,
                OnFileDone = (file, total) => options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"applied {Path.GetFileName(file)} ({total:N0} records so far)")),
            }, newState, cancellationToken);
        }
        catch (ImportAbortedException e)
        {
            // A corrupt whole-feed download must be fetched again next time; NVD pages were checked as JSON when fetched.
            foreach (var f in files.Where(f => !Path.GetFileName(f).StartsWith("nvd-", StringComparison.Ordinal)))
                File.Delete(f);
            throw new UpdateException($"update refused: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new UpdateException($"update refused: {e.Message}", e);
        }
        Directory.Delete(work, recursive: true);
        return new UpdateResult(import, downloaded, [.. notModified.Order(StringComparer.Ordinal)], resumed, bytes, watch.Elapsed);
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
}
