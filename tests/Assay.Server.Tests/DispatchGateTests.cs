using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Tests;

/// <summary>
/// The dispatch gate on real PostgreSQL (the scale-out store): a scan that was inserted and never
/// dispatched is released by the next release (whoever makes it); a release is at least once (an
/// enqueue that fails leaves the scan held, a job lost for a lease is re-released); and the release
/// order is fair across tenants: tenant A queues 50 scans, tenant B one after them, and B's scan is
/// done before a tenth of A's are (plain FIFO would run it 51st).
/// </summary>
public sealed class DispatchGateTests
{
    private const int Ahead = 4;
    private const long Lease = 60_000;

    [Fact]
    public async Task InsertedButNeverDispatched_NextReleaseEnqueuesIt_AtLeastOnce()
    {
        await using var store = await OpenAsync();
        var release = await ReleaseAsync(store, "stuck");
        var scan = await store.Scans.CreateAsync(release, "test", "0", 10);   // the web process died here, before any enqueue
        Assert.Equal((1, 0), await store.DispatchGate.DepthAsync());

        // The enqueue fails (the job store is away): nothing is marked, the scan stays held.
        await Assert.ThrowsAsync<TimeoutException>(() => store.DispatchGate.ReleaseAsync(Ahead, Lease, _ => throw new TimeoutException("job store away")));
        Assert.Equal((1, 0), await store.DispatchGate.DepthAsync());

        var enqueued = new List<string>();
        var released = await store.DispatchGate.ReleaseAsync(Ahead, Lease, s => Record(enqueued, s));
        Assert.Equal(scan.Id, Assert.Single(released).Id);
        Assert.Equal([scan.Id], enqueued);
        Assert.Equal((0, 1), await store.DispatchGate.DepthAsync());
        Assert.Empty(await store.DispatchGate.ReleaseAsync(Ahead, Lease, s => Record(enqueued, s)));   // released once per lease

        // Unclaimed for longer than the re-dispatch time: its job was lost, it goes again.
        await Task.Delay(20);
        Assert.Equal(scan.Id, Assert.Single(await store.DispatchGate.ReleaseAsync(Ahead, 10, s => Record(enqueued, s))).Id);
        Assert.Equal([scan.Id, scan.Id], enqueued);

        // Claimed: no longer the gate's business.
        Assert.NotNull(await store.Scans.ClaimForStageAsync(scan.Id, 0, "w1", Lease));
        Assert.Empty(await store.DispatchGate.ReleaseAsync(Ahead, 0, s => Record(enqueued, s)));
        Assert.Equal((0, 0), await store.DispatchGate.DepthAsync());
    }

    [Fact]
    public async Task TenantWith50Queued_DoesNotStarveATenantWithOne()
    {
        await using var store = await OpenAsync();
        var a = await ReleaseAsync(store, "tenant-a");
        var b = await ReleaseAsync(store, "tenant-b");
        var jobs = new Queue<string>();   // Hangfire's queue: FIFO
        var gate = store.DispatchGate;
        Task Release() => gate.ReleaseAsync(Ahead, Lease, s =>
        {
            jobs.Enqueue(s.Id);
            return Task.CompletedTask;
        });
        var aScans = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            aScans.Add((await store.Scans.CreateAsync(a, "test", "0", 10)).Id);
            await Release();   // as the request that queued it does
        }
        var bScan = (await store.Scans.CreateAsync(b, "test", "0", 10)).Id;
        await Release();

        // Two workers drain the queue as the stage jobs do: claim, release (the gate has room), finish, release.
        var finished = new List<string>();
        var running = new List<ScanClaim>();
        while (jobs.Count > 0 || running.Count > 0)
        {
            while (running.Count < 2 && jobs.TryDequeue(out var id))
            {
                if (await store.Scans.ClaimForStageAsync(id, 0, $"w{running.Count}", Lease) is { } claim)
                {
                    running.Add(claim);
                    await Release();
                }
            }
            var done = running[0];
            running.RemoveAt(0);
            Assert.True(await store.Scans.FinishAsync(done.Scan.Id, done.Attempt, ScanStore.Status.Succeeded, null));
            finished.Add(done.Scan.Id);
            await Release();
        }

        Assert.Equal(51, finished.Count);
        Assert.Equal(51, finished.Distinct().Count());
        var aBeforeB = finished.IndexOf(bScan);
        // B waits behind the scans released before it was queued (Ahead) and those running: a handful, never A's 50.
        Assert.True(aBeforeB <= Ahead + 2, $"tenant B's scan finished after {aBeforeB} of tenant A's 50");
        Assert.True(aBeforeB < 25);
    }

    private static Task Record(List<string> enqueued, ScanRow scan)
    {
        enqueued.Add(scan.Id);
        return Task.CompletedTask;
    }

    private static async Task<AssayStore> OpenAsync() =>
        await AssayStore.OpenAsync(Directory.CreateTempSubdirectory("assay-gate-").FullName, await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync());

    private static async Task<ReleaseRow> ReleaseAsync(AssayStore store, string tenantName)
    {
        var tenant = (await store.Tenants.CreateAsync(tenantName))!;
        var project = (await store.Projects.CreateAsync(tenant.Id, "p", "v", null))!;
        return (await store.Releases.CreateAsync(tenant.Id, project.Id, "1"))!;
    }
}
