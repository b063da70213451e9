using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Text.Json;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;
using Xunit.Abstractions;

namespace Assay.Server.Tests;

/// <summary>
/// Scale-out under faults, with real processes: a private PostgreSQL cluster (Debian's server), one
/// <c>assay serve --role web</c> and two <c>--role worker</c> processes sharing it and one data
/// folder, a short lease (<c>--lease</c>, also Hangfire's invisibility timeout) so a takeover takes
/// seconds. A worker is SIGKILLed in the middle of the evaluate stage, another SIGSTOPped there past
/// its lease and SIGCONTinued: each scan completes on the other worker, once, and its evaluation is
/// the CLI's for the same file (timestamps and where the file sat aside).
/// </summary>
public sealed class ScaleOutFaultTests(ITestOutputHelper output)
{
    /// <summary>Short enough for a quick takeover, long enough that a busy 2-core CI machine does not starve a live worker's heartbeat.</summary>
    private const int LeaseSeconds = 8;

    private static readonly TimeSpan Start = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WorkerKilledOrPaused_MidStage_ScanCompletesOnceOnTheOtherWorker_EqualToTheCli()
    {
        var postgres = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
        var data = Directory.CreateTempSubdirectory("assay-scale-").FullName;
        var delivery = MakeDelivery(Path.Combine(Directory.CreateTempSubdirectory("assay-scale-in-").FullName, "bundle-2.0.tar"));
        string adminKey;
        await using (var store = await AssayStore.OpenAsync(data, postgres))
            (_, adminKey) = await store.Keys.CreateAsync(null, null, Role.Admin, "fault test", "test", default);

        string[] Serve(string role) => ["serve", "--role", role, "--db", postgres, "--data", data, "--urls", "http://127.0.0.1:0", "--no-vulns", "--lease", $"{LeaseSeconds}", "--workers", "1"];
        await using var web = AssayProcess.Start(Serve("web"));
        var address = await web.ServingAsync(Start);
        var workers = new List<AssayProcess> { AssayProcess.Start(Serve("worker")), AssayProcess.Start(Serve("worker")) };
        try
        {
            foreach (var w in workers)
                await w.ServingAsync(Start);
            using var system = new Api(address, adminKey);
            var tenant = await system.CreateAsync("/api/v1/tenants", new { name = "scale" });
            var key = await system.PostAsync("/api/v1/api-keys", new { tenantId = tenant, role = Role.Admin.Name(), name = "scale admin" });
            Assert.True(key.Status == HttpStatusCode.Created, key.Text);
            using var api = new Api(address, key.Json!.Value.GetProperty("key").GetString());
            var project = await api.CreateAsync("/api/v1/projects", new { name = "Bundle", vendor = "Example", networkFunction = "UPF" });
            var expected = await CliEvaluationAsync(delivery);
            var rows = new List<string> { "| fault | scans | lost | duplicated | extra time |", "|---|---|---|---|---|" };

            foreach (var fault in new[] { "KILL", "STOP" })
            {
                var release = await api.CreateAsync($"/api/v1/projects/{project}/releases", new { version = fault });
                Assert.Equal(HttpStatusCode.OK, (await api.UploadAsync(release, delivery)).Status);
                var clock = Stopwatch.StartNew();
                var scanId = (await api.PostAsync($"/api/v1/releases/{release}/scans")).Id;

                // Mid-stage: the evaluate stage runs and has reported progress.
                var (holder, attempt) = await WaitForEvaluateAsync(postgres, scanId);
                var victim = workers.Single(w => w.Pid == holder);
                var faultAt = clock.Elapsed;
                await victim.SignalAsync(fault);
                var done = await api.WaitForScanAsync(scanId, TimeSpan.FromMinutes(3));
                var total = clock.Elapsed;
                Assert.True(done.Json?.GetProperty("status").GetString() == "succeeded", $"{fault}: {done.Text}\nweb: {web.Stderr}\nworkers: {string.Join("\n", workers.Select(w => w.Stderr))}");
                var before = await CommitsAsync(postgres, scanId);
                if (fault == "STOP")
                {
                    // The paused worker wakes up holding a lease another attempt took over: its heartbeat is refused (or
                    // Hangfire aborts its re-fetched job) and any late commit is fenced off. Give it a lease to try.
                    await victim.SignalAsync("CONT");
                    await Task.Delay(TimeSpan.FromSeconds(LeaseSeconds * 1.5));
                    Assert.False(victim.HasExited, victim.Stderr);
                }
                var (evaluations, stageAttempts, scanAttempt) = await CommitsAsync(postgres, scanId);
                Assert.Equal(1, evaluations);                                   // committed once
                Assert.Equal(before.ScanAttempt, scanAttempt);                  // nothing claimed or committed after the scan ended
                Assert.Equal(before.StageAttempts, stageAttempts);
                Assert.True(scanAttempt > attempt, $"the scan was taken over (attempt {scanAttempt} after {attempt})");
                Assert.All(stageAttempts, a => Assert.NotEqual(attempt, a));    // nothing of the failed attempt was committed
                var served = await api.GetAsync($"/api/v1/scans/{scanId}/evaluation");
                Assert.Equal(HttpStatusCode.OK, served.Status);
                Assert.Equal(expected, Masked(served.Json!.Value));
                rows.Add($"| worker SIG{fault} mid-evaluate (lease {LeaseSeconds} s) | 1 | 0 | 0 | {total - faultAt:mm\\:ss} after the fault ({total:mm\\:ss} in all) |");

                // The next round needs two live workers again.
                workers.Remove(victim);
                await victim.DisposeAsync();
                var fresh = AssayProcess.Start(Serve("worker"));
                workers.Add(fresh);
                await fresh.ServingAsync(Start);
            }
            output.WriteLine(string.Join('\n', rows));
        }
        finally
        {
            foreach (var w in workers)
                await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task RoleWeb_OnSqlite_IsAUsageError()
    {
        await using var web = AssayProcess.Start("serve", "--role", "web", "--data", Directory.CreateTempSubdirectory("assay-role-").FullName, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, await web.WaitAsync(Start));
        Assert.Contains("--role web needs a shared PostgreSQL store", web.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Polls the store until scan's evaluate stage runs with progress; returns the worker's process id and the attempt.</summary>
    private static async Task<(int Pid, long Attempt)> WaitForEvaluateAsync(string postgres, string scanId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < until)
        {
            await using (var query = new Npgsql.NpgsqlCommand("SELECT s.lease_owner, s.attempt, t.status, t.progress_done FROM scan s JOIN scan_stage t ON t.scan_id = s.id AND t.stage = 'evaluate' WHERE s.id = @scanId", connection))
            {
                query.Parameters.AddWithValue("scanId", scanId);
                await using var reader = await query.ExecuteReaderAsync();
                if (await reader.ReadAsync())
                {
                    var (owner, attempt, status, done) = (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3));
                    if (status == "succeeded")
                        throw new InvalidOperationException($"scan {scanId}: the evaluate stage ended before the fault could be injected; make the test delivery larger");
                    if (status == "running" && done > 0 && owner is not null)
                        return (int.Parse(owner.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture), attempt);
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"scan {scanId} never started its evaluate stage");
    }

    /// <summary>Evaluations committed for the scan, the attempts its stages were committed under, and the scan's attempt.</summary>
    private static async Task<(long Evaluations, IReadOnlyList<long> StageAttempts, long ScanAttempt)> CommitsAsync(string postgres, string scanId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        async Task<List<long>> Longs(string sql)
        {
            await using var query = new Npgsql.NpgsqlCommand(sql, connection);
            query.Parameters.AddWithValue("scanId", scanId);
            await using var reader = await query.ExecuteReaderAsync();
            var values = new List<long>();
            while (await reader.ReadAsync())
                values.Add(reader.GetInt64(0));
            return values;
        }
        var evaluations = (await Longs("SELECT COUNT(*) FROM evaluation WHERE scan_id = @scanId")).Single();
        var stages = await Longs("SELECT attempt FROM scan_stage WHERE scan_id = @scanId AND status = 'succeeded' ORDER BY ordinal");
        Assert.Equal(ScanStore.Stages.Count, stages.Count);
        return (evaluations, stages, (await Longs("SELECT attempt FROM scan WHERE id = @scanId")).Single());
    }

    /// <summary>What <c>assay scan FILE -f json --no-vulns</c> writes for the same file, masked.</summary>
    private static async Task<string> CliEvaluationAsync(string delivery)
    {
        var json = Path.Combine(Path.GetDirectoryName(delivery)!, "cli.json");
        await using var cli = AssayProcess.Start("scan", delivery, "-f", "json", "--no-vulns", "-o", json);
        var code = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(code is 0 or 1, cli.Stderr);
        return Masked(JsonDocument.Parse(await File.ReadAllBytesAsync(json)).RootElement);
    }

    private static string Masked(JsonElement evaluation)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(evaluation.GetRawText())!.AsObject();
        node.Remove("startedAt");
        node.Remove("finishedAt");
        node["input"]!.AsObject().Remove("path");
        return node.ToJsonString();
    }

    /// <summary>
    /// A delivery whose evaluate stage lasts seconds on a busy machine, so a fault lands in its
    /// middle: the bundled sample, 3,000 small configuration files and 24 MiB of seeded noise (hashed
    /// and carved), as a tar. Made here, deterministically (seed 15).
    /// </summary>
    private static string MakeDelivery(string path)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        tar.WriteEntry(Repo.Sample, "inner.zip");
        for (var i = 0; i < 3000; i++)
        {
            var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"option{i} = value{i}\n", 20)));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"etc/conf.d/f{i:D4}.conf") { DataStream = new MemoryStream(text) });
        }
        var noise = new byte[24 << 20];
        new Random(15).NextBytes(noise);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data/blob.bin") { DataStream = new MemoryStream(noise) });
        return path;
    }
}
