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

    /// <summary>What <c>assay scan FILE -f json --no-vulns</c> writes for the sample: the engine call and writer the CLI uses.</summary>
    private static string CliEvaluation()
    {
        using var cli = new MemoryStream();
        new JsonReportWriter().Write(ScanEngine.Run(new ScanRequest(Repo.Sample) { SkipVulnerabilities = true }), cli);
        return EvaluationJson.Masked(cli.ToArray());
    }
}
