using System.Text;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Webhooks;

/// <summary>
/// Sends the outbox: claims due deliveries (several workers on PostgreSQL never take the same row),
/// posts each body signed (<see cref="WebhookSignature"/>), and records the outcome: a 2xx answer
/// is delivered; anything else (an error status, a redirect, a timeout, a refused address) is
/// retried with exponential backoff until <see cref="ServerOptions.WebhookMaxAttempts"/>, then
/// failed. Redirects are never followed; of a response only a short excerpt is kept.
/// At-least-once: a sender that dies after a receiver accepted but before the row was marked
/// sends it again after the claim runs out; receivers deduplicate on the delivery id.
/// </summary>
internal sealed class WebhookSender : BackgroundService
{
    /// <summary>Rows claimed per round.</summary>
    private const int Batch = 16;

    /// <summary>Bytes of a response body kept (for the delivery list), as text.</summary>
    public const int ExcerptBytes = 512;

    /// <summary>Longest wait between attempts.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private readonly AssayStore _store;
    private readonly ServerOptions _options;
    private readonly ILogger<WebhookSender> _log;
    private readonly HttpClient _http;

    public WebhookSender(AssayStore store, ServerOptions options, ILogger<WebhookSender> log)
    {
        _store = store;
        _options = options;
        _log = log;
        var allowPrivate = options.AllowPrivateWebhookTargets;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectTimeout = options.WebhookTimeout,
            ConnectCallback = (context, ct) => WebhookTargets.ConnectAsync(context, allowPrivate, ct),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"Assay-Webhooks/{Assay.Engine.ScanEngine.ToolVersion}");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var claim = (long)(_options.WebhookTimeout * 2 + TimeSpan.FromSeconds(30)).TotalMilliseconds;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await _store.Outbox.ClaimAsync(Batch, claim, stoppingToken);
                if (due.Count == 0)
                {
                    await Task.Delay(_options.PollInterval, stoppingToken);
                    continue;
                }
                await Task.WhenAll(due.Select(d => SendAsync(d, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                // The store is away: the rows wait (claims run out) and the next round takes them.
                _log.LogWarning(e, "webhook sender: store unavailable, retrying");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    /// <summary>One attempt of one delivery, its outcome recorded.</summary>
    internal async Task SendAsync(OutboxRow delivery, CancellationToken stoppingToken)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        int? status = null;
        string? excerpt = null;
        string? error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(_options.WebhookTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
            request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id);
            request.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            excerpt = await ExcerptAsync(response, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                await _store.Outbox.DeliveredAsync(delivery.Id, status.Value, excerpt, CancellationToken.None);
                return;
            }
            error = status is >= 300 and < 400
                ? $"the endpoint answered {status} (a redirect to {response.Headers.Location}); redirects are not followed: register the final URL"
                : $"the endpoint answered {status}; a 2xx answer acknowledges a delivery";
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            error = $"no answer within {_options.WebhookTimeout.TotalSeconds:0.#} s";
        }
        catch (OperationCanceledException)
        {
            return;   // shutting down: the claim runs out and another round sends it
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UriFormatException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // A failed connection, a refused address, or a stored URL this client cannot send to: an attempt, counted like any other.
            error = e.Message;
        }
        var attempts = delivery.Attempts + 1;
        long? retryAt = attempts >= _options.WebhookMaxAttempts ? null : Clock.Now() + (long)Backoff(attempts).TotalMilliseconds;
        if (retryAt is null)
            _log.LogWarning("webhook delivery {Delivery} to {Url} failed after {Attempts} attempts: {Error}", delivery.Id, delivery.Url, attempts, error);
        await _store.Outbox.AttemptFailedAsync(delivery.Id, status, error, excerpt, retryAt, CancellationToken.None);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt: base × 2^(attempts−1), at most an hour.</summary>
    internal TimeSpan Backoff(long attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 30));
        var wait = _options.WebhookRetryBase.TotalMilliseconds * factor;
        return wait >= MaxBackoff.TotalMilliseconds ? MaxBackoff : TimeSpan.FromMilliseconds(wait);
    }

    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ExcerptBytes];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                break;
            read += n;
        }
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
