using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Assay.Vulnerabilities.Tests;

/// <summary>What the replay server answers to one request.</summary>
/// <param name="DropAfter">Close the connection after this many body bytes (a connection dropped mid-page).</param>
internal sealed record Reply(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, int? DropAfter = null)
{
    public static Reply Ok(byte[] body, IReadOnlyDictionary<string, string>? headers = null) => new(200, body, headers);

    public static Reply Code(int status, IReadOnlyDictionary<string, string>? headers = null) => new(status, Encoding.ASCII.GetBytes($"status {status}"), headers);
}

/// <summary>One request the server saw.</summary>
internal sealed record SeenRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for the update tests: one request per connection
/// (<c>Connection: close</c>), answers from a handler, can cut a body short and close the socket.
/// Written on <see cref="TcpListener"/> so that a dropped connection is a real dropped connection.
/// </summary>
internal sealed class ReplayServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<SeenRequest, Reply> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public Uri Base { get; }

    public ReplayServer(Func<SeenRequest, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        Base = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(Loop);
    }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var owned = client;
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[1];
        // Request line and headers, up to the blank line (requests are GETs without a body).
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 65536)
        {
            if (await stream.ReadAsync(buffer) == 0)
                return;
            head.Append((char)buffer[0]);
        }
        var lines = head.ToString().Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        var request = new SeenRequest(Uri.UnescapeDataString(q < 0 ? target : target[..q]), q < 0 ? "" : Uri.UnescapeDataString(target[(q + 1)..]), headers);
        Requests.Enqueue(request);
        var reply = _handler(request);
        var response = new StringBuilder($"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Status")}\r\nContent-Length: {reply.Body.Length}\r\nConnection: close\r\n");
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            response.Append(name).Append(": ").Append(value).Append("\r\n");
        response.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response.ToString()));
            await stream.WriteAsync(reply.Body.AsMemory(0, Math.Min(reply.DropAfter ?? reply.Body.Length, reply.Body.Length)));
            await stream.FlushAsync();
            if (reply.DropAfter is not null)
                client.Client.LingerState = new LingerOption(true, 0);
        }
        catch (IOException)
        {
            // The client went away.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
