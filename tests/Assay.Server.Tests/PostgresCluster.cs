using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Assay.Server.Tests;

/// <summary>
/// A private PostgreSQL cluster for the tests: Debian's server binaries
/// (/usr/lib/postgresql/VERSION/bin, package postgresql, installed by .ci/install.sh), a fresh
/// cluster in a temporary folder on a free loopback port, run as the unprivileged 'postgres' user
/// when the tests run as root (PostgreSQL refuses to run as root). Stopped and deleted at the end.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(async () =>
    {
        var cluster = new PostgresCluster();
        await cluster.InitializeAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().GetAwaiter().GetResult();
        return cluster;
    });

    /// <summary>The cluster of this test run: started on first use, stopped when the test process exits.</summary>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    private string _directory = "";
    private string _bin = "";
    private bool _asPostgres;
    private int _databases;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault() ?? ""
            : "";
        if (_bin.Length == 0)
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; install Debian's 'postgresql' package (bash .ci/install.sh does)");
        _asPostgres = Environment.UserName == "root";
        _directory = Directory.CreateTempSubdirectory("assay-pg-").FullName;
        if (_asPostgres)
            await RunAsync("chown", ["postgres:postgres", _directory]);
        Port = FreePort();
        var data = Path.Combine(_directory, "data");
        await RunPgAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
        await StartServerAsync();
    }

    private Task StartServerAsync() =>
        RunPgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-w", "-t", "60", "-l", Path.Combine(_directory, "log"), "-o",
            $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]);

    /// <summary>
    /// Stops the server (fast shutdown: open connections are cut, as on a restart or a fail-over),
    /// keeps it down for <paramref name="down"/> and starts it again on the same port. Only on a
    /// private cluster: the shared one serves other test classes at the same time.
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await RunPgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);
        await Task.Delay(down);
        await StartServerAsync();
    }

    /// <summary>A new, empty database of the cluster (one per test class, so suites do not share rows).</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"assay_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=30";

    public async Task DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task RunPgAsync(string tool, string[] args) =>
        _asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]) : RunAsync(Path.Combine(_bin, tool), args);

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await error}{await output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
