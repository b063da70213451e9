using Assay.Core.Model;
using Assay.Engine;
using Assay.Reports;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// Runs the stages of one claimed scan. <c>evaluate</c> is the engine library call the CLI makes
/// (<see cref="ScanEngine"/>), its output the canonical JSON (the same writer as <c>assay scan -f
/// json</c>) as a content-addressed blob; <c>index</c> writes the rows for lists, search and triage.
/// A stage that succeeded under an earlier attempt is not run again: its blob is reused. Every
/// commit names the attempt, so a worker that lost its lease commits nothing.
/// </summary>
internal sealed class ScanExecutor(AssayStore store, ServerOptions options, IFindingKeys keys, ILogger<ScanExecutor> log)
{
    private const string Evaluate = "evaluate";
    private const string Index = "index";
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long a shutting-down worker spends on the store to hand its scan on (within Hangfire's shutdown timeout).</summary>
    private static readonly TimeSpan ShutdownStoreTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs every stage still to do (in-process workers: one claim carries the scan to its end).</summary>
    public async Task RunAsync(ScanClaim claim, CancellationToken stopping) => await RunAsync(claim, null, stopping);

    /// <summary>
    /// Runs the stages of <paramref name="claim"/> still to do, or only <paramref name="only"/>
    /// (a dispatched stage job); says what comes next. A stage that an earlier attempt committed is
    /// not run again.
    /// </summary>
    public async Task<StageOutcome> RunAsync(ScanClaim claim, string? only, CancellationToken stopping)
    {
        var scan = claim.Scan;
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = HeartbeatAsync(scan.Id, claim.Attempt, lease);
        try
        {
            var stages = await store.Scans.StagesAsync(scan.Id, lease.Token);
            var evaluationSha = stages.First(s => s.Stage == Evaluate) is { Status: ScanStore.Status.Succeeded, OutputSha256: { } done } && store.Blobs.Exists(done)
                ? done
                : null;
            if (evaluationSha is null)
            {
                evaluationSha = await EvaluateAsync(scan, claim.Attempt, lease.Token);
                if (evaluationSha is null)
                    return StageOutcome.Stopped;
                if (only == Evaluate)
                    return StageOutcome.Continue(Index);
            }
            if (!await store.Scans.StartStageAsync(scan.Id, Index, claim.Attempt, lease.Token))
                return StageOutcome.Stopped;
            Evaluation evaluation;
            await using (var stream = store.Blobs.Open(evaluationSha))
                evaluation = JsonReportWriter.Read(stream);
            var size = new FileInfo(store.Blobs.LocalPath(evaluationSha)).Length;
            if (!await store.Evaluations.IndexAsync(scan, claim.Attempt, Index, evaluation, evaluationSha, size, keys, lease.Token))
            {
                var (id, attempt) = (scan.Id, claim.Attempt);
                log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the index commit; the newer attempt owns the scan", id, attempt);
                return StageOutcome.Stopped;
            }
            await store.Scans.FinishAsync(scan.Id, claim.Attempt, ScanStore.Status.Succeeded, null, CancellationToken.None);
            var (scanId, files, findings) = (scan.Id, evaluation.Files.Count, evaluation.Findings.Count);
            log.LogInformation("scan {Scan} succeeded ({Files} files, {Findings} findings)", scanId, files, findings);
            return StageOutcome.Ended;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // A clean shutdown (SIGTERM, host stop): give the lease up now so another worker takes
            // the scan over at once instead of after one lease; the attempt still fences this one.
            var stage = (await StagesOrNullAsync(scan.Id))?.FirstOrDefault(s => s.Status != ScanStore.Status.Succeeded)?.Stage ?? only ?? Evaluate;
            var released = await ReleaseLeaseAsync(scan.Id, claim.Attempt);
            log.LogWarning("scan {Scan}: attempt {Attempt} stopped by shutdown in {Stage}; lease {Released}", scan.Id, claim.Attempt, stage, released ? "released" : "already lost");
            return released ? StageOutcome.HandOver(stage) : StageOutcome.Stopped;
        }
        catch (OperationCanceledException) when (lease.IsCancellationRequested)
        {
            log.LogInformation("scan {Scan}: attempt {Attempt} stopped (cancelled or lease lost)", scan.Id, claim.Attempt);
            return StageOutcome.Stopped;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            // The store is away (restarting, network): not the scan's fault. The lease runs out and
            // the scan is taken over (the stage job is retried; the sweeper re-dispatches it).
            log.LogWarning(e, "scan {Scan}: attempt {Attempt} lost the store; the scan will be taken over", scan.Id, claim.Attempt);
            throw;
        }
        catch (Exception e)
        {
            log.LogError(e, "scan {Scan} failed", scan.Id);
            var stages = await store.Scans.StagesAsync(scan.Id, CancellationToken.None);
            if (stages.FirstOrDefault(s => s.Status == ScanStore.Status.Running) is { } running)
                await store.Scans.FailStageAsync(scan.Id, running.Stage, claim.Attempt, Describe(e), CancellationToken.None);
            await store.Scans.FinishAsync(scan.Id, claim.Attempt, ScanStore.Status.Failed, Describe(e), CancellationToken.None);
            return StageOutcome.Ended;
        }
        finally
        {
            await lease.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>The engine call; returns the evaluation blob's SHA-256, or null when the attempt may no longer commit.</summary>
    private async Task<string?> EvaluateAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, Evaluate, attempt, cancellationToken))
            return null;
        var release = await store.Releases.GetAsync(new Scope(scan.TenantId, null), scan.ReleaseId, cancellationToken)
            ?? throw new InvalidOperationException($"release {scan.ReleaseId} of scan {scan.Id} is gone");
        if (release.DeliverySha256 is null || !store.Blobs.Exists(release.DeliverySha256))
            throw new InvalidDataException($"release {release.Version} has no delivery; upload one (PUT /api/v1/releases/{release.Id}/delivery) and scan again");
        // The engine scans a file and names the tree after it: a private folder holds a link named
        // like the delivery, so the evaluation's paths read as 'assay scan NAME' would write them.
        var work = Path.Combine(store.DataDirectory, "work", $"{scan.Id}-{attempt}");
        Directory.CreateDirectory(work);
        try
        {
            var input = Path.Combine(work, release.DeliveryName ?? "delivery.bin");
            File.CreateSymbolicLink(input, store.Blobs.LocalPath(release.DeliverySha256));
            var job = ScanEngine.Prepare(new ScanRequest(input)
            {
                // The delivery as uploaded, not the per-attempt folder: a re-run gives the same evaluation.
                DisplayPath = release.DeliveryName ?? "delivery.bin",
                Parallelism = options.ScanParallelism,
                DatabasePath = options.VulnerabilityDatabase,
                SkipVulnerabilities = options.SkipVulnerabilities,
            });
            var run = Task.Run(() => job.Run(cancellationToken), cancellationToken);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(ProgressEvery, cancellationToken));
                // Cancelled (lease lost, scan cancelled, shutdown): stop waiting; the engine sees the same token.
                cancellationToken.ThrowIfCancellationRequested();
                var p = job.Progress;
                // The engine does not know the total number of files ahead: done counts files, total stays 0 (unknown).
                try
                {
                    await store.Scans.ReportProgressAsync(scan.Id, Evaluate, attempt, p.Files, 0,
                        $"{p.Files} files, {p.Containers} containers, {p.BytesHashed / (1 << 20)} MiB hashed", CancellationToken.None);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
                {
                    // Progress is for the UI: a store restarting must not stop the engine; the heartbeat decides about the lease.
                    log.LogDebug(e, "scan {Scan}: progress not recorded (store away)", scan.Id);
                }
            }
            var evaluation = await run;
            var json = Path.Combine(work, "evaluation.json");
            await using (var file = File.Create(json))
                new JsonReportWriter().Write(evaluation, file);
            Store.Blobs.BlobInfo blob;
            await using (var file = File.OpenRead(json))
                blob = await store.Blobs.PutAsync(file, long.MaxValue, cancellationToken);
            await store.BlobIndex.RecordAsync(blob.Sha256, blob.Size, cancellationToken);
            if (await store.Scans.CompleteStageAsync(scan.Id, Evaluate, attempt, blob.Sha256, cancellationToken))
                return blob.Sha256;
            // A worker paused or cut off past its lease wakes up here: another attempt owns the scan; the blob is harmless (content-addressed).
            log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the evaluate commit; the newer attempt owns the scan", scan.Id, attempt);
            return null;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Renews the lease every third of it; stops the attempt when the lease is lost or the scan cancelled.</summary>
    private async Task HeartbeatAsync(string scanId, long attempt, CancellationTokenSource lease)
    {
        var every = options.Lease / 3;
        var renewed = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!lease.IsCancellationRequested)
            {
                await Task.Delay(every, lease.Token);
                bool current;
                try
                {
                    current = await store.Scans.HeartbeatAsync(scanId, attempt, lease.Token);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
                {
                    // The store is away (restarting, network). Keep working while the lease may still
                    // be ours; past it another worker may have taken the scan over: stop.
                    if (renewed.Elapsed < options.Lease)
                    {
                        log.LogWarning("scan {Scan}: attempt {Attempt} could not renew its lease ({Message}); retrying", scanId, attempt, e.Message);
                        continue;
                    }
                    current = false;
                }
                if (current)
                {
                    renewed.Restart();
                    continue;
                }
                log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease or was cancelled; stopping", scanId, attempt);
                await lease.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The scan's stages, or null when the store cannot say now (shutting down while it is away).</summary>
    private async Task<IReadOnlyList<StageRow>?> StagesOrNullAsync(string scanId)
    {
        try
        {
            using var bounded = new CancellationTokenSource(ShutdownStoreTimeout);
            return await store.Scans.StagesAsync(scanId, bounded.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Releases the lease on shutdown; false when the attempt lost it already or the store is away (the lease then runs out as after a crash).</summary>
    private async Task<bool> ReleaseLeaseAsync(string scanId, long attempt)
    {
        try
        {
            using var bounded = new CancellationTokenSource(ShutdownStoreTimeout);
            return await store.Scans.ReleaseLeaseAsync(scanId, attempt, bounded.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            log.LogWarning(e, "scan {Scan}: attempt {Attempt} could not release its lease on shutdown; another worker takes the scan over when the lease runs out", scanId, attempt);
            return false;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        IOException or InvalidDataException or UnauthorizedAccessException => e.Message,
        _ => $"internal error ({e.GetType().Name}: {e.Message}); this is a bug in Assay, please report it",
    };
}

/// <summary>What a run of a scan's stages ended with.</summary>
/// <param name="Next">The stage to dispatch next (its job carries this attempt as the one that handed it on); null when nothing follows.</param>
internal sealed record StageOutcome(string? Next)
{
    /// <summary>The scan ended (succeeded or failed) under this attempt.</summary>
    public static StageOutcome Ended { get; } = new((string?)null);

    /// <summary>The attempt may no longer commit (lease lost, cancelled, shutting down): nothing follows from it.</summary>
    public static StageOutcome Stopped { get; } = new((string?)null);

    /// <summary>The stage committed; <paramref name="next"/> follows.</summary>
    public static StageOutcome Continue(string next) => new(next);

    /// <summary>The worker is shutting down and released its lease: <paramref name="stage"/> is dispatched again for another worker.</summary>
    public static StageOutcome HandOver(string stage) => new(stage);
}
