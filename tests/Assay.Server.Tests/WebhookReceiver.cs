using System.Collections.Concurrent;
using Assay.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Assay.Server.Tests;

/// <summary>
/// A webhook endpoint for tests: Kestrel on a free loopback port that records every request
/// (headers and raw body) and answers 500 to the first <see cref="FailFirst"/> of them, 200 after.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string? Signature, string? DeliveryId, string? Event, byte[] Body, DateTimeOffset At, int Answered);

    private readonly WebApplication _app;
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>How many requests get a 500 before the receiver accepts.</summary>
    public int FailFirst { get; set; }

    public string Url => _app.Urls.First() + "/hook";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var n = Interlocked.Increment(ref receiver._count);
            var status = n <= receiver.FailFirst ? 500 : 200;
            receiver.Requests.Enqueue(new Received(http.Request.Headers[WebhookSignature.Header], http.Request.Headers[WebhookSignature.DeliveryHeader],
                http.Request.Headers[WebhookSignature.EventHeader], buffer.ToArray(), DateTimeOffset.UtcNow, status));
            http.Response.StatusCode = status;
            await http.Response.WriteAsync(status == 200 ? "ok" : "try again later");
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until a request satisfying <paramref name="match"/> arrived (and was accepted), or fails the test.</summary>
    public async Task<Received> WaitAsync(Func<Received, bool> match, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until)
        {
            if (Requests.FirstOrDefault(r => r.Answered == 200 && match(r)) is { } hit)
                return hit;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no matching webhook request within the timeout; received {Requests.Count}: {string.Join(", ", Requests.Select(r => $"{r.Event}/{r.Answered}"))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
