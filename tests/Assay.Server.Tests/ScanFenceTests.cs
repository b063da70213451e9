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
        Assert.True(await store.Scans.StartStageAsync(scan.Id, ScanStore.StageNames.Unpack, first.Attempt));
        Assert.True(await store.Scans.CompleteStageAsync(scan.Id, ScanStore.StageNames.Unpack, first.Attempt, new string('a', 64)));
        Assert.True(await store.Scans.StartStageAsync(scan.Id, ScanStore.StageNames.Report, first.Attempt));

        await Task.Delay(50);
        var second = (await store.Scans.ClaimAsync("worker-2", leaseMilliseconds: 10))!;   // worker-1 stopped heart-beating
        Assert.Equal(first.Attempt + 1, second.Attempt);

        Assert.False(await store.Scans.HeartbeatAsync(scan.Id, first.Attempt));
        Assert.False(await store.Scans.CompleteStageAsync(scan.Id, ScanStore.StageNames.Report, first.Attempt, null));
        Assert.False(await store.Scans.FinishAsync(scan.Id, first.Attempt, ScanStore.Status.Succeeded, null));
        Assert.False(await store.Scans.StartStageAsync(scan.Id, ScanStore.StageNames.Unpack, second.Attempt));     // done stays done: its output is reused
        Assert.True(await store.Scans.StartStageAsync(scan.Id, ScanStore.StageNames.Report, second.Attempt));
        Assert.True(await store.Scans.CompleteStageAsync(scan.Id, ScanStore.StageNames.Report, second.Attempt, null));
        Assert.True(await store.Scans.FinishAsync(scan.Id, second.Attempt, ScanStore.Status.Succeeded, null));

        var stages = await store.Scans.StagesAsync(scan.Id);
        Assert.Equal(new string('a', 64), stages.Single(s => s.Stage == ScanStore.StageNames.Unpack).OutputSha256);
        Assert.Equal(first.Attempt, stages.Single(s => s.Stage == ScanStore.StageNames.Unpack).Attempt);
        Assert.All(stages.Where(s => s.Stage is ScanStore.StageNames.Unpack or ScanStore.StageNames.Report), s => Assert.Equal(ScanStore.Status.Succeeded, s.Status));
        Assert.Equal(ScanStore.Status.Succeeded, (await store.Scans.GetAsync(new Scope(tenant.Id, null), scan.Id))!.Status);
        Assert.Null(await store.Scans.GetAsync(new Scope(Guid.NewGuid().ToString(), null), scan.Id));
    }

    /// <summary>
    /// The stage-job claim (scale-out): the first delivery claims the queued scan, a duplicate
    /// delivery of the same job finds a live lease and gets nothing, the job the committing attempt
    /// hands on claims at once, and a stale lease is taken over.
    /// </summary>
    [Fact]
    public async Task StageJobClaim_DuplicateDeliveryGetsNothing_HandOnAndStaleLeaseClaim()
    {
        var data = Directory.CreateTempSubdirectory("assay-fence-").FullName;
        await using var store = await AssayStore.OpenAsync(data, await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync());
        var tenant = (await store.Tenants.CreateAsync("stage-claim"))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        var release = (await store.Releases.CreateAsync(tenant.Id, project.Id, "1"))!;
        var scan = await store.Scans.CreateAsync(release, "test", "0", 10);

        var first = (await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", 60_000))!;
        Assert.Equal(1, first.Attempt);
        Assert.Null(await store.Scans.ClaimForStageAsync(scan.Id, 0, "w2", 60_000));         // duplicate delivery: w1 lives
        Assert.True(await store.Scans.StartStageAsync(scan.Id, ScanStore.StageNames.Unpack, first.Attempt));
        Assert.True(await store.Scans.CompleteStageAsync(scan.Id, ScanStore.StageNames.Unpack, first.Attempt, new string('b', 64)));
        var next = (await store.Scans.ClaimForStageAsync(scan.Id, first.Attempt, "w2", 60_000))!;   // handed on by attempt 1
        Assert.Equal(2, next.Attempt);
        Assert.Null(await store.Scans.ClaimForStageAsync(scan.Id, first.Attempt, "w3", 60_000));    // the hand-on is used up
        Assert.Empty(await store.Scans.TakeStaleAsync(60_000, 10));
        await Task.Delay(50);
        var stale = await store.Scans.TakeStaleAsync(10, 10);                                 // w2 stopped heart-beating
        Assert.Equal(scan.Id, Assert.Single(stale).Id);
        Assert.Empty(await store.Scans.TakeStaleAsync(10_000, 10));                            // renewed on the re-dispatch's behalf
        var takeover = (await store.Scans.ClaimForStageAsync(scan.Id, stale[0].Attempt, "w3", 60_000))!;
        Assert.Equal(3, takeover.Attempt);
        Assert.False(await store.Scans.HeartbeatAsync(scan.Id, next.Attempt));
        Assert.True(await store.Scans.CancelAsync(scan.Id));
        Assert.Null(await store.Scans.ClaimForStageAsync(scan.Id, takeover.Attempt, "w4", 0));     // cancelled: nothing claims it
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SingleNodeClaim_OneTenantsManyScans_DoNotStarveAnothersOne(string engine)
    {
        var data = Directory.CreateTempSubdirectory("assay-fair-").FullName;
        var postgres = engine == "postgres" ? await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync() : null;
        await using var store = await AssayStore.OpenAsync(data, postgres);
        async Task<ReleaseRow> ReleaseOf(string tenantName)
        {
            var tenant = (await store.Tenants.CreateAsync(tenantName))!;
            var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
            return (await store.Releases.CreateAsync(tenant.Id, project.Id, "1"))!;
        }
        var a = await ReleaseOf("A");
        var b = await ReleaseOf("B");
        for (var i = 0; i < 20; i++)
            await store.Scans.CreateAsync(a, "test", "0", 100);
        var lone = await store.Scans.CreateAsync(b, "test", "0", 100);
        var urgent = await store.Scans.CreateAsync(a, "test", "0", 10);

        // One worker: claim, finish, claim again. The interactive scan goes first whoever's it is;
        // then B's one scan comes right after one of A's (plain FIFO would run it 21st).
        var order = new List<string>();
        while (await store.Scans.ClaimAsync("w1", 60_000) is { } claim)
        {
            order.Add(claim.Scan.Id);
            Assert.True(await store.Scans.FinishAsync(claim.Scan.Id, claim.Attempt, ScanStore.Status.Succeeded, null));
        }
        Assert.Equal(22, order.Count);
        Assert.Equal(urgent.Id, order[0]);
        Assert.Equal(1, order.IndexOf(lone.Id));
    }
}
