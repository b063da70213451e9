using System.Text.Json;
using Assay.Engine;
using Assay.Reports;
using Assay.Server.Work;
using Assay.Store;
using Assay.Store.Blobs;
using Assay.Store.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Assay.Server.Tests;

/// <summary>
/// A scan's stages (unpack, match, diff, report) each run from the stored outputs of the ones
/// before, on both engines: a worker lost after a stage committed costs the next attempt that stage
/// only, the evaluation still equals the CLI's, and the diff stage compares with the previous release.
/// </summary>
public sealed class StageSplitTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WorkerLostAfterUnpack_NextAttemptReusesItsOutput_AndTheDiffStageComparesWithThePreviousRelease(string engine)
    {
        var data = Directory.CreateTempSubdirectory("assay-stages-").FullName;
        var postgres = engine == "postgres" ? await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync() : null;
        await using var store = await AssayStore.OpenAsync(data, postgres);
        var options = new ServerOptions { DataDirectory = data, PostgresConnectionString = postgres, SkipVulnerabilities = true, ScanParallelism = 2 };
        var executor = new ScanExecutor(store, options, new FindingKeys(), new RescanDatabase(options), NullLogger<ScanExecutor>.Instance);
        var tenant = (await store.Tenants.CreateAsync("stages"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        BlobInfo delivery;
        await using (var file = File.OpenRead(Repo.Sample))
            delivery = await store.Blobs.PutAsync(file, long.MaxValue);
        await store.BlobIndex.RecordAsync(delivery.Sha256, delivery.Size);

        // Release 1: attempt 1 commits unpack, then its worker dies before handing the scan on.
        var first = await ReleaseAsync("1");
        var scan = await store.Scans.CreateAsync(first, "test", "0", 10);
        var lost = (await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", leaseMilliseconds: 1))!;
        Assert.Equal(StageOutcome.Continue(ScanStore.StageNames.Match), await executor.RunAsync(lost, ScanStore.StageNames.Unpack, CancellationToken.None));
        var unpacked = (await store.Scans.StagesAsync(scan.Id)).Single(s => s.Stage == ScanStore.StageNames.Unpack);
        Assert.Equal((ScanStore.Status.Succeeded, lost.Attempt), (unpacked.Status, unpacked.Attempt));
        await Task.Delay(50);
        var stale = Assert.Single(await store.Scans.TakeStaleAsync(1, 10));
        var takeover = (await store.Scans.ClaimForStageAsync(scan.Id, stale.Attempt, "w2", 60_000))!;
        Assert.True(takeover.Attempt > lost.Attempt);
        Assert.Equal(StageOutcome.Ended, await executor.RunAsync(takeover, null, CancellationToken.None));

        var stages = await store.Scans.StagesAsync(scan.Id);
        Assert.Equal(ScanStore.Stages, stages.Select(s => s.Stage));
        Assert.All(stages, s => Assert.Equal(ScanStore.Status.Succeeded, s.Status));
        Assert.Equal(unpacked, stages[0]);   // not redone: same attempt, output and times
        Assert.All(stages.Skip(1), s => Assert.Equal(takeover.Attempt, s.Attempt));
        var diff = stages.Single(s => s.Stage == ScanStore.StageNames.Diff);
        Assert.Null(diff.OutputSha256);
        Assert.Contains("first release", diff.Detail, StringComparison.Ordinal);
        var evaluation = (await store.Evaluations.GetAsync(scan.Id))!;
        Assert.Equal(stages.Single(s => s.Stage == ScanStore.StageNames.Match).OutputSha256, evaluation.BlobSha256);
        Assert.Equal(CliEvaluation(), EvaluationJson.Masked(await File.ReadAllBytesAsync(store.Blobs.LocalPath(evaluation.BlobSha256))));

        // Release 2, the same delivery, in one claim: its diff stage compares with release 1's evaluation.
        var second = await ReleaseAsync("2");
        Assert.Equal(first.Id, second.PreviousReleaseId);
        var next = await store.Scans.CreateAsync(second, "test", "0", 10);
        await executor.RunAsync((await store.Scans.ClaimForStageAsync(next.Id, 0, "w3", 60_000))!, CancellationToken.None);
        var compared = (await store.Scans.StagesAsync(next.Id)).Single(s => s.Stage == ScanStore.StageNames.Diff);
        Assert.Equal(ScanStore.Status.Succeeded, compared.Status);
        Assert.Contains($"against release 1 (scan {scan.Id})", compared.Detail, StringComparison.Ordinal);
        var document = JsonDocument.Parse(await File.ReadAllBytesAsync(store.Blobs.LocalPath(compared.OutputSha256!))).RootElement;
        using var expected = new MemoryStream();
        var stored = JsonReportWriter.Read(File.OpenRead(store.Blobs.LocalPath(evaluation.BlobSha256)));
        new Assay.History.Reports.DiffJsonWriter().Write(Assay.History.Diff.ReleaseDiff.Compare(stored, JsonReportWriter.Read(File.OpenRead(store.Blobs.LocalPath((await store.Evaluations.GetAsync(next.Id))!.BlobSha256)))), expected);
        Assert.Equal(JsonDocument.Parse(expected.ToArray()).RootElement.GetRawText(), document.GetRawText());

        async Task<ReleaseRow> ReleaseAsync(string version)
        {
            var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, version))!;
            await store.Releases.SetDeliveryAsync(release.Id, delivery.Sha256, Path.GetFileName(Repo.Sample), delivery.Size);
            return (await store.Releases.GetAsync(new Scope(tenant.Id, null), release.Id))!;
        }
    }

    [Fact]
    public async Task WorkerCache_NextReleaseOfTheSameContent_ReplaysFiles_SameEvaluation()
    {
        var data = Directory.CreateTempSubdirectory("assay-stages-").FullName;
        await using var store = await AssayStore.OpenAsync(data, null);
        var options = new ServerOptions { DataDirectory = data, SkipVulnerabilities = true, CacheDirectory = Path.Combine(data, "local-cache") };
        var executor = new ScanExecutor(store, options, new FindingKeys(), new RescanDatabase(options), NullLogger<ScanExecutor>.Instance);
        var tenant = (await store.Tenants.CreateAsync("cache"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        BlobInfo delivery;
        await using (var file = File.OpenRead(Repo.Sample))
            delivery = await store.Blobs.PutAsync(file, long.MaxValue);
        await store.BlobIndex.RecordAsync(delivery.Sha256, delivery.Size);
        var details = new List<string?>();
        var evaluations = new List<string>();
        foreach (var version in new[] { "1", "2" })
        {
            var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, version))!;
            await store.Releases.SetDeliveryAsync(release.Id, delivery.Sha256, Path.GetFileName(Repo.Sample), delivery.Size);
            var scan = await store.Scans.CreateAsync(release, "test", "0", 10);
            await executor.RunAsync((await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", 60_000))!, CancellationToken.None);
            details.Add((await store.Scans.StagesAsync(scan.Id)).Single(s => s.Stage == ScanStore.StageNames.Unpack).Detail);
            evaluations.Add(EvaluationJson.Masked(await File.ReadAllBytesAsync(store.Blobs.LocalPath((await store.Evaluations.GetAsync(scan.Id))!.BlobSha256))));
        }

        Assert.DoesNotContain("from the result cache", details[0], StringComparison.Ordinal);
        Assert.Contains("from the result cache", details[1], StringComparison.Ordinal);
        Assert.Equal(CliEvaluation(), evaluations[0]);
        Assert.Equal(evaluations[0], evaluations[1]);
    }

    [Fact]
    public async Task DiffStage_PreviousEvaluationUnreadable_TellsWhy_AndTheScanStillSucceeds()
    {
        var data = Directory.CreateTempSubdirectory("assay-stages-").FullName;
        await using var store = await AssayStore.OpenAsync(data, null);
        var options = new ServerOptions { DataDirectory = data, SkipVulnerabilities = true };
        var executor = new ScanExecutor(store, options, new FindingKeys(), new RescanDatabase(options), NullLogger<ScanExecutor>.Instance);
        var tenant = (await store.Tenants.CreateAsync("diff-fails"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        BlobInfo delivery;
        await using (var file = File.OpenRead(Repo.Sample))
            delivery = await store.Blobs.PutAsync(file, long.MaxValue);
        await store.BlobIndex.RecordAsync(delivery.Sha256, delivery.Size);
        var scans = new List<string>();
        foreach (var version in new[] { "1", "2" })
        {
            var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, version))!;
            await store.Releases.SetDeliveryAsync(release.Id, delivery.Sha256, Path.GetFileName(Repo.Sample), delivery.Size);
            var scan = await store.Scans.CreateAsync(release, "test", "0", 10);
            scans.Add(scan.Id);
            if (version == "2")
            {
                // Release 1's stored evaluation is damaged after the fact (a disk fault, a hand edit).
                var blob = store.Blobs.LocalPath((await store.Evaluations.GetAsync(scans[0]))!.BlobSha256);
                File.SetUnixFileMode(blob, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                await File.WriteAllTextAsync(blob, "{ not an evaluation");
            }
            await executor.RunAsync((await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", 60_000))!, CancellationToken.None);
        }

        var second = (await store.Scans.GetAsync(new Scope(tenant.Id, null), scans[1]))!;
        Assert.Equal(ScanStore.Status.Succeeded, second.Status);
        var diff = (await store.Scans.StagesAsync(second.Id)).Single(s => s.Stage == ScanStore.StageNames.Diff);
        Assert.Equal(ScanStore.Status.Succeeded, diff.Status);
        Assert.Null(diff.OutputSha256);
        Assert.Contains("the diff against release 1", diff.Detail, StringComparison.Ordinal);
        Assert.Contains("failed", diff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanQueuedBeforeTheSplit_WithEvaluateAndIndexStages_StillCompletes()
    {
        var data = Directory.CreateTempSubdirectory("assay-stages-").FullName;
        await using var store = await AssayStore.OpenAsync(data, null);
        var options = new ServerOptions { DataDirectory = data, SkipVulnerabilities = true };
        var executor = new ScanExecutor(store, options, new FindingKeys(), new RescanDatabase(options), NullLogger<ScanExecutor>.Instance);
        var tenant = (await store.Tenants.CreateAsync("legacy"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, "1"))!;
        BlobInfo delivery;
        await using (var file = File.OpenRead(Repo.Sample))
            delivery = await store.Blobs.PutAsync(file, long.MaxValue);
        await store.BlobIndex.RecordAsync(delivery.Sha256, delivery.Size);
        await store.Releases.SetDeliveryAsync(release.Id, delivery.Sha256, Path.GetFileName(Repo.Sample), delivery.Size);
        var scan = await store.Scans.CreateAsync(release, "test", "0", 10);
        // The rows an older Assay wrote: one evaluate stage, then index.
        await store.Database.InTransactionAsync(async (connection, transaction) =>
        {
            await Execute(connection, transaction, $"DELETE FROM scan_stage WHERE scan_id = '{scan.Id}'");
            await Execute(connection, transaction, $"INSERT INTO scan_stage (scan_id, stage, ordinal, status, attempt, progress_done, progress_total) VALUES ('{scan.Id}', 'evaluate', 0, 'pending', 0, 0, 0)");
            await Execute(connection, transaction, $"INSERT INTO scan_stage (scan_id, stage, ordinal, status, attempt, progress_done, progress_total) VALUES ('{scan.Id}', 'index', 1, 'pending', 0, 0, 0)");
            return true;
        });

        await executor.RunAsync((await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", 60_000))!, CancellationToken.None);

        var stages = await store.Scans.StagesAsync(scan.Id);
        Assert.Equal([("evaluate", ScanStore.Status.Succeeded), ("index", ScanStore.Status.Succeeded)], stages.Select(s => (s.Stage, s.Status)));
        var evaluation = (await store.Evaluations.GetAsync(scan.Id))!;
        Assert.Equal(stages[0].OutputSha256, evaluation.BlobSha256);
        Assert.Equal(CliEvaluation(), EvaluationJson.Masked(await File.ReadAllBytesAsync(store.Blobs.LocalPath(evaluation.BlobSha256))));

        static async Task Execute(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string sql)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>What <c>assay scan FILE -f json --no-vulns</c> writes for the sample: the engine call and writer the CLI uses.</summary>
    private static string CliEvaluation()
    {
        using var cli = new MemoryStream();
        new JsonReportWriter().Write(ScanEngine.Run(new ScanRequest(Repo.Sample) { SkipVulnerabilities = true }), cli);
        return EvaluationJson.Masked(cli.ToArray());
    }
}
