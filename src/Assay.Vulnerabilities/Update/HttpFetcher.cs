using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Assay.Vulnerabilities.Update;

/// <summary>The outcome of one fetch: a new file, or the server's "not modified".</summary>
/// <param name="ETag">The response's entity tag, stored to ask "if none match" next time.</param>
/// <param name="LastModified">The response's Last-Modified, stored to ask "if modified since" next time.</param>
internal sealed record FetchResult(bool NotModified, long Bytes, string? ETag, DateTimeOffset? LastModified);

/// <summary>
/// GET with the retry rules of the public feeds: HTTP 403 and 429 (NVD answers 403 when its rate
/// limit is exceeded), 500, 502, 503 and 504, a connection dropped or a body cut short are retried
/// after a back-off (<c>Retry-After</c> when the server sends one, else doubling from
/// <see cref="UpdateOptions.RetryDelay"/>), up to <see cref="UpdateOptions.MaxAttempts"/>. The body
/// goes to <c>FILE.part</c> and is renamed to FILE only once complete, so a file in the work folder
/// is always a whole response.
/// </summary>
internal sealed class HttpFetcher : IDisposable
{
    private static readonly HashSet<HttpStatusCode> Transient =
    [
        HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    private readonly HttpClient _client;
    private readonly UpdateOptions _options;

    public HttpFetcher(UpdateOptions options)
    {
        _options = options;
        var handler = options.Handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        _client = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = options.RequestTimeout };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("assay", typeof(HttpFetcher).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    /// <summary>Total bytes received.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Fetches <paramref name="uri"/> into <paramref name="target"/>. <paramref name="validate"/> checks a
    /// complete body (e.g. that an NVD page is JSON); a body it rejects is retried like a dropped connection.
    /// </summary>
    public async Task<FetchResult> FetchAsync(Uri uri, string target, IReadOnlyDictionary<string, string> headers, string? ifNoneMatch, DateTimeOffset? ifModifiedSince,
        RequestRateLimiter? limiter, Action<string>? validate, CancellationToken cancellationToken)
    {
        var part = target + ".part";
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            TimeSpan? retryAfter = null;
            if (limiter is not null)
                await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                foreach (var (name, value) in headers)
                    request.Headers.TryAddWithoutValidation(name, value);
                if (ifNoneMatch is not null)
                    request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
                if (ifModifiedSince is { } since)
                    request.Headers.IfModifiedSince = since;
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotModified)
                    return new FetchResult(true, 0, ifNoneMatch, ifModifiedSince);
                if (response.IsSuccessStatusCode)
                {
                    long received;
                    await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                    await using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                    {
                        await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                        received = file.Length;
                    }
                    Bytes += received;
                    if (response.Content.Headers.ContentLength is { } expected && expected != received && response.Content.Headers.ContentEncoding.Count == 0)
                        throw new IOException($"the body has {received:N0} bytes, Content-Length said {expected:N0}");
                    validate?.Invoke(part);
                    File.Move(part, target, overwrite: true);
                    return new FetchResult(false, received, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified);
                }
                var status = (int)response.StatusCode;
                if (!Transient.Contains(response.StatusCode))
                    throw new UpdateException($"{Describe(uri)}: the server answered HTTP {status} {response.ReasonPhrase}; check the address (--mirror) and the API key (NVD_API_KEY), the database is unchanged");
                failure = $"HTTP {status} {response.ReasonPhrase}";
                retryAfter = response.Headers.RetryAfter is { } ra
                    ? ra.Delta ?? (ra.Date is { } at ? at - _options.Now() : null)
                    : null;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or System.Text.Json.JsonException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failure = e is TaskCanceledException ? $"no answer within {_options.RequestTimeout.TotalSeconds:F0} s" : e.Message;
            }
            TryDelete(part);
            if (attempt >= _options.MaxAttempts)
                throw new UpdateException($"{Describe(uri)}: {failure} ({attempt} attempts); the database is unchanged and the pages fetched so far are kept: run 'assay db update' again to resume");
            var wait = retryAfter is { } r && r > TimeSpan.Zero && r < TimeSpan.FromMinutes(10)
                ? r
                : TimeSpan.FromTicks(_options.RetryDelay.Ticks * (1L << Math.Min(attempt - 1, 6)));
            _options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{Describe(uri)}: {failure}; retrying in {wait.TotalSeconds:F0} s (attempt {attempt + 1} of {_options.MaxAttempts})"));
            await _options.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The address without its query's API key.</summary>
    private static string Describe(Uri uri) => uri.GetLeftPart(UriPartial.Path) + (uri.Query.Length > 1 ? uri.Query : "");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => _client.Dispose();
}
