using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Tests;

/// <summary>
/// The scan queue's attempt fence on both engines: a worker whose lease expired and was taken over
/// cannot commit a stage or finish the scan; the newer attempt can; a finished stage is kept.
/// </summary>
public sealed class ScanFenceTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task StaleAttempt_AfterTakeover_CommitsNothing(string engine)
    {
        var data = Directory.CreateTempSubdirectory("assay-fence-").FullName;
        var postgres = engine == "postgres" ? await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync() : null;
        await using var store = await AssayStore.OpenAsync(data, postgres);
        var tenant = (await store.Tenants.CreateAsync("fence"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, "1"))!;
        var scan = await store.Scans.CreateAsync(release, "test", "0", 10);

        var first = (await store.Scans.ClaimAsync("worker-1", leaseMilliseconds: 60_000))!;
        Assert.Equal(scan.Id, first.Scan.Id);
        Assert.Null(await store.Scans.ClaimAsync("worker-2", leaseMilliseconds: 60_000));   // the lease holds
        Assert.True(await store.Scans.StartStageAsync(scan.Id, "evaluate", first.Attempt));
        Assert.True(await store.Scans.CompleteStageAsync(scan.Id, "evaluate", first.Attempt, new string('a', 64)));
        Assert.True(await store.Scans.StartStageAsync(scan.Id, "index", first.Attempt));

        await Task.Delay(50);
        var second = (await store.Scans.ClaimAsync("worker-2", leaseMilliseconds: 10))!;   // worker-1 stopped heart-beating
        Assert.Equal(first.Attempt + 1, second.Attempt);

        Assert.False(await store.Scans.HeartbeatAsync(scan.Id, first.Attempt));
        Assert.False(await store.Scans.CompleteStageAsync(scan.Id, "index", first.Attempt, null));
        Assert.False(await store.Scans.FinishAsync(scan.Id, first.Attempt, ScanStore.Status.Succeeded, null));
        Assert.False(await store.Scans.StartStageAsync(scan.Id, "evaluate", second.Attempt));     // done stays done: its output is reused
        Assert.True(await store.Scans.StartStageAsync(scan.Id, "index", second.Attempt));
        Assert.True(await store.Scans.CompleteStageAsync(scan.Id, "index", second.Attempt, null));
        Assert.True(await store.Scans.FinishAsync(scan.Id, second.Attempt, ScanStore.Status.Succeeded, null));

        var stages = await store.Scans.StagesAsync(scan.Id);
        Assert.Equal(new string('a', 64), stages.Single(s => s.Stage == "evaluate").OutputSha256);
        Assert.Equal(first.Attempt, stages.Single(s => s.Stage == "evaluate").Attempt);
        Assert.All(stages, s => Assert.Equal(ScanStore.Status.Succeeded, s.Status));
        Assert.Equal(ScanStore.Status.Succeeded, (await store.Scans.GetAsync(new Scope(tenant.Id, null), scan.Id))!.Status);
        Assert.Null(await store.Scans.GetAsync(new Scope(Guid.NewGuid().ToString(), null), scan.Id));
    }
}
