using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Assay.Store;
using Assay.Store.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Assay.Server.Tests;

/// <summary>
/// A real Assay server for a test class: Kestrel on a free loopback port, the store on SQLite in a
/// temporary folder or on a PostgreSQL database, in-process workers; and a system administrator key
/// created the way <c>assay admin bootstrap</c> creates it.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsData;

    private LabServer(WebApplication app, string data, string adminKey, bool ownsData)
    {
        _app = app;
        _ownsData = ownsData;
        DataDirectory = data;
        AdminKey = adminKey;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }
    public string DataDirectory { get; }
    public string AdminKey { get; }
    public AssayStore Store => _app.Services.GetRequiredService<AssayStore>();
    public IServiceProvider Services => _app.Services;

    /// <param name="dataDirectory">A data folder to reuse (a restart); the caller deletes it. Null: a new temporary one, deleted on dispose.</param>
    public static async Task<LabServer> StartAsync(string? postgres = null, Func<ServerOptions, ServerOptions>? configure = null, string? dataDirectory = null)
    {
        var data = dataDirectory ?? Directory.CreateTempSubdirectory("assay-lab-").FullName;
        var options = new ServerOptions
        {
            DataDirectory = data,
            PostgresConnectionString = postgres,
            Urls = ["http://127.0.0.1:0"],
            Workers = 1,
            ScanParallelism = 2,
            SkipVulnerabilities = true,
            PollInterval = TimeSpan.FromMilliseconds(200),
            // A scan whose stage job was lost is dispatched again after one lease (the documented
            // recovery): 20 s keeps that inside every wait of these suites; the default 2 min did not.
            // (The PostgreSQL suites whose scans never ran had other causes, Hangfire's process-wide
            // defaults: one storage for servers started together, and a log provider that threw once
            // the last server built was disposed; HangfireIsolationTests.)
            Lease = TimeSpan.FromSeconds(20),
            Verbose = Environment.GetEnvironmentVariable("ASSAY_TEST_VERBOSE") == "1",
        };
        var app = await AssayServer.BuildAsync(configure?.Invoke(options) ?? options);
        await app.StartAsync();
        var store = app.Services.GetRequiredService<AssayStore>();
        var (_, key) = await store.Keys.CreateAsync(null, null, Role.Admin, "test admin", "test", default);
        return new LabServer(app, data, key, dataDirectory is null);
    }

    /// <summary>
    /// What the job engine knows of a scan that did not end, for a failure message: on PostgreSQL
    /// the scan row, Hangfire's servers (heartbeat, workers), the scan's jobs with their queue
    /// entries (fetched or not) and state history (retries carry the exception); this process's
    /// thread pool. A queued scan whose job was fetched but never ran points at the worker, one
    /// never fetched at the fetch loop.
    /// </summary>
    public async Task<string> ExplainAsync(string scanId)
    {
        ThreadPool.GetAvailableThreads(out var idle, out _);
        var lines = new List<string> { $"thread pool: {ThreadPool.ThreadCount} threads, {idle} available, {ThreadPool.PendingWorkItemCount} work items pending" };
        var options = Services.GetRequiredService<ServerOptions>();
        if (options.PostgresConnectionString is not { } postgres)
            return string.Join('\n', lines);
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(postgres);
            await connection.OpenAsync();
            async Task Rows(string title, string sql)
            {
                await using var command = new Npgsql.NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue("scan", scanId);
                command.Parameters.AddWithValue("like", $"%{scanId}%");
                await using var reader = await command.ExecuteReaderAsync();
                lines.Add($"{title}:");
                while (await reader.ReadAsync())
                    lines.Add("  " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "null" : reader.GetValue(i))}")));
            }
            await Rows("scan", "SELECT status, attempt, queued_at, dispatched_at, lease_owner FROM scan WHERE id = @scan");
            await Rows("hangfire servers", "SELECT id, lastheartbeat, data FROM hangfire.server");
            await Rows("jobs of the scan", "SELECT j.id, j.statename, j.createdat, q.queue, q.fetchedat FROM hangfire.job j LEFT JOIN hangfire.jobqueue q ON q.jobid = j.id WHERE j.arguments::text LIKE @like ORDER BY j.id");
            await Rows("their states", "SELECT s.jobid, s.name, s.reason, s.createdat, left(s.data::text, 600) AS data FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid WHERE j.arguments::text LIKE @like ORDER BY s.id");
        }
        catch (Exception e)
        {
            lines.Add($"(the job engine's rows could not be read: {e.Message})");
        }
        return string.Join('\n', lines);
    }

    /// <summary>A client that sends <paramref name="key"/> as bearer (none: anonymous).</summary>
    public Api Client(string? key) => new(BaseAddress, key);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsData)
            return;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A JSON client of the API for tests.</summary>
public sealed class Api : IDisposable
{
    private readonly HttpClient _http;

    public Api(Uri baseAddress, string? key)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public HttpClient Http => _http;

    public async Task<Response> SendAsync(HttpMethod method, string path, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is HttpContent content)
            request.Content = content;
        else if (body is not null)
            request.Content = JsonContent.Create(body);
        configure?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? json = null;
        if (text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false))
            json = JsonDocument.Parse(text).RootElement.Clone();
        return new Response(response.StatusCode, json, text, response.Headers.Location?.ToString(), response.Headers.ETag?.Tag);
    }

    public Task<Response> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Response> PostAsync(string path, object? body = null, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Post, path, body ?? new { }, configure);

    public Task<Response> PutAsync(string path, object? body, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Put, path, body, configure);

    /// <summary>Creates something and returns its id, asserting the status.</summary>
    public async Task<string> CreateAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var r = await PostAsync(path, body);
        Assert.True(r.Status == expected, $"POST {path}: {(int)r.Status} {r.Text}");
        return r.Json!.Value.GetProperty("id").GetString()!;
    }

    /// <summary>Uploads a file as a release's delivery with the raw body (streamed from disk).</summary>
    public async Task<Response> UploadAsync(string releaseId, string file)
    {
        await using var stream = File.OpenRead(file);
        var content = new StreamContent(stream);
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = $"\"{Path.GetFileName(file)}\"" };
        return await PutAsync($"/api/v1/releases/{releaseId}/delivery", content);
    }

    /// <summary>Polls a scan until it ends (succeeded, failed, cancelled) or the timeout passes.</summary>
    public async Task<Response> WaitForScanAsync(string scanId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var r = await GetAsync($"/api/v1/scans/{scanId}");
            var status = r.Json?.GetProperty("status").GetString();
            if (status is "succeeded" or "failed" or "cancelled" || DateTime.UtcNow > until)
                return r;
            await Task.Delay(200);
        }
    }

    public void Dispose() => _http.Dispose();
}

public sealed record Response(HttpStatusCode Status, JsonElement? Json, string Text, string? Location, string? ETag)
{
    public string Id => Json!.Value.GetProperty("id").GetString()!;
}
