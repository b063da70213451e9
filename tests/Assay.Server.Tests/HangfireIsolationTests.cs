using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Assay.Server.Tests;

/// <summary>
/// Two servers in one process, each on its own PostgreSQL database, as the test suites run them
/// (and as a host embedding two labs would): each one's stage jobs are enqueued in, fetched from
/// and run against its own database. Hangfire's defaults are process-wide (JobStorage.Current):
/// the second server's storage became the first one's, whose scans then stayed queued (a
/// PostgreSQL suite's first scan never ran, once in about twenty CI runs).
/// </summary>
public sealed class HangfireIsolationTests
{
    [Fact]
    public async Task ServersStartedTogetherInOneProcess_EachRunsItsScansFromItsOwnDatabase()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var databases = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => cluster.CreateDatabaseAsync()));
        // Started together, as parallel test classes start theirs: one's configuration ran between another's and its use.
        var servers = await Task.WhenAll(databases.Select(d => LabServer.StartAsync(d)));
        try
        {
            Assert.Equal(servers.Length, servers.Select(s => s.Services.GetRequiredService<JobStorage>()).Distinct().Count());
            foreach (var (server, own) in servers.Zip(databases))
            {
                var tenant = await TenantWorlds.CreateAsync(server, "isolated");    // its scan succeeded
                foreach (var database in databases)
                    Assert.Equal(database == own, await JobsOfAsync(database, tenant.ScanId) > 0);
                // What a stalled test prints reads the engine's rows: here the scan's four stage jobs. The
                // last one may still be Processing: the scan ends when its report stage commits, and
                // Hangfire marks the job Succeeded only after the job method has returned.
                var explained = await server.ExplainAsync(tenant.ScanId);
                Assert.DoesNotContain("could not be read", explained);
                var jobs = explained.Split('\n').Where(l => l.Contains("statename=", StringComparison.Ordinal)).ToList();
                Assert.Equal(4, jobs.Count);
                Assert.All(jobs, j => Assert.Matches("statename=(Succeeded|Processing) ", j));
                Assert.True(jobs.Count(j => j.Contains("statename=Succeeded", StringComparison.Ordinal)) >= 3, explained);
            }
        }
        finally
        {
            foreach (var server in servers)
                await server.DisposeAsync();
        }
    }

    /// <summary>
    /// Hangfire's log provider is process-wide and set by the last host built; a fetched job asks
    /// it for a logger. With AddHangfire's provider, once that host was disposed every fetch of the
    /// hosts still running threw after marking its job fetched, and their scans stayed queued (the
    /// red CI of 2026-12-07, a whole suite's scans in 3 of 10 local runs).
    /// </summary>
    [Fact]
    public async Task LastServerBuilt_Disposed_TheOthersStillRunTheirScans()
    {
        var cluster = await PostgresCluster.SharedAsync();
        await using var running = await LabServer.StartAsync(await cluster.CreateDatabaseAsync());
        var gone = await LabServer.StartAsync(await cluster.CreateDatabaseAsync());
        await gone.DisposeAsync();
        var tenant = await TenantWorlds.CreateAsync(running, "still running");   // asserts that its scan succeeded
        Assert.NotEmpty(tenant.ScanId);
    }

    /// <summary>Hangfire jobs of <paramref name="scanId"/>'s unpack stage in the database.</summary>
    private static async Task<long> JobsOfAsync(string database, string scanId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT COUNT(*) FROM hangfire.job WHERE arguments::text LIKE @scan AND arguments::text LIKE '%unpack%'", connection);
        query.Parameters.AddWithValue("scan", $"%{scanId}%");
        return (long)(await query.ExecuteScalarAsync())!;
    }
}
