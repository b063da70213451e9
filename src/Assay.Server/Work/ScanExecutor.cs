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
internal sealed class ScanExecutor(AssayStore store, ServerOptions options, IFindingKeys keys, RescanDatabase vulnerabilityDatabase, ILogger<ScanExecutor> log)
{
    private const string Evaluate = "evaluate";
    private const string Rematch = "rematch";
    private const string Index = "index";
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a shutting-down worker spends on the store to hand its scan on (within Hangfire's
    /// shutdown timeout, <see cref="HangfireSetup.ShutdownTimeout"/>). 3 s was too short at load 25:
    /// the release timed out and the scan waited one whole lease.
    /// </summary>
    private static readonly TimeSpan ShutdownStoreTimeout = TimeSpan.FromSeconds(10);

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
            // The first stage makes the evaluation: the engine on the delivery (evaluate), or the
            // vulnerability step alone on a stored evaluation (rematch). A dispatched job names the
            // first stage as 'evaluate' whatever the scan's kind (the dispatcher does not read rows).
            var stages = await store.Scans.StagesAsync(scan.Id, lease.Token);
            var evaluationSha = stages[0] is { Status: ScanStore.Status.Succeeded, OutputSha256: { } done } && store.Blobs.Exists(done)
                ? done
                : null;
            if (evaluationSha is null)
            {
                evaluationSha = scan.Kind == ScanKinds.Rematch
                    ? await RematchAsync(scan, claim.Attempt, lease.Token)
                    : await EvaluateAsync(scan, claim.Attempt, lease.Token);
                if (evaluationSha is null)
                    return StageOutcome.Stopped;
                if (only is not null && only != Index)
                    return StageOutcome.Continue(Index);
            }
            if (!await store.Scans.StartStageAsync(scan.Id, Index, claim.Attempt, lease.Token))
                return StageOutcome.Stopped;
            var evaluation = await ReadAsync(evaluationSha);
            var size = new FileInfo(store.Blobs.LocalPath(evaluationSha)).Length;
            var ending = await EndingAsync(scan, evaluation, lease.Token);
            // The scan's end, the re-match's changes and the webhook deliveries they cause commit with the index, or none of them does.
            if (!await store.Evaluations.IndexAsync(scan, claim.Attempt, Index, evaluation, evaluationSha, size, keys,
                    (connection, transaction) => ending(connection, transaction, claim.Attempt), lease.Token))
            {
                var (id, attempt) = (scan.Id, claim.Attempt);
                log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the index commit; the newer attempt owns the scan", id, attempt);
                return StageOutcome.Stopped;
            }
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
            var error = Describe(e);
            // The failure and its scan.completed delivery commit together (a re-match's failure notifies no one: nothing changed).
            await store.Database.InTransactionAsync(async (connection, transaction) =>
            {
                if (await ScanStore.FinishAsync(connection, transaction, scan.Id, claim.Attempt, ScanStore.Status.Failed, error) && scan.Kind == ScanKinds.Scan)
                {
                    var failed = scan with { Status = ScanStore.Status.Failed, Error = error };
                    await OutboxStore.EnqueueAsync(connection, transaction, scan.TenantId, Webhooks.WebhookEvents.ScanCompleted, id => Webhooks.WebhookEvents.ScanCompletedBody(id, failed, null));
                }
                return true;
            }, CancellationToken.None);
            return StageOutcome.Ended;
        }
        finally
        {
            await lease.CancelAsync();
            await heartbeat;
        }
    }

    private async Task<Evaluation> ReadAsync(string sha256)
    {
        await using var stream = store.Blobs.Open(sha256);
        return JsonReportWriter.Read(stream);
    }

    /// <summary>
    /// What commits with the index: the scan's end and, for a scan, a <c>scan.completed</c>
    /// delivery; for a re-match, the vulnerabilities it introduced and resolved against its base
    /// and, when there are any, a <c>findings.changed</c> delivery.
    /// </summary>
    private async Task<Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, long, Task>> EndingAsync(ScanRow scan, Evaluation evaluation, CancellationToken cancellationToken)
    {
        IReadOnlyList<FindingsChangeRow> changes = [];
        if (scan.Kind == ScanKinds.Rematch)
        {
            var baseRow = await store.Evaluations.GetAsync(scan.BaseScanId!, cancellationToken)
                ?? throw new InvalidDataException($"re-match {scan.Id}: the evaluation of base scan {scan.BaseScanId} is gone; scan the release again");
            changes = RescanChanges.Between(scan.BaseScanId!, await ReadAsync(baseRow.BlobSha256), evaluation, keys);
        }
        var database = await store.Scans.GetForWorkerAsync(scan.Id, cancellationToken);
        return async (connection, transaction, attempt) =>
        {
            await ScanStore.FinishAsync(connection, transaction, scan.Id, attempt, ScanStore.Status.Succeeded, null);
            var ended = scan with { Status = ScanStore.Status.Succeeded, VulndbFingerprint = database?.VulndbFingerprint, VulndbLabel = database?.VulndbLabel };
            if (scan.Kind == ScanKinds.Rematch)
            {
                await RescanStore.RecordChangesAsync(connection, transaction, scan, changes);
                if (changes.Count > 0)
                    await OutboxStore.EnqueueAsync(connection, transaction, scan.TenantId, Webhooks.WebhookEvents.FindingsChanged, id => Webhooks.WebhookEvents.FindingsChangedBody(id, ended, changes));
            }
            else
            {
                await OutboxStore.EnqueueAsync(connection, transaction, scan.TenantId, Webhooks.WebhookEvents.ScanCompleted, id => Webhooks.WebhookEvents.ScanCompletedBody(id, ended, evaluation));
            }
        };
    }

    /// <summary>
    /// The re-match: the engine's vulnerability step alone (<see cref="ScanStages.Evaluate"/>) on the
    /// base scan's stored evaluation, against the database the service uses now; nothing is
    /// unpacked. Returns the new evaluation blob's SHA-256, or null when the attempt may no longer commit.
    /// </summary>
    private async Task<string?> RematchAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, Rematch, attempt, cancellationToken))
            return null;
        var baseRow = await store.Evaluations.GetAsync(scan.BaseScanId ?? "", cancellationToken)
            ?? throw new InvalidDataException($"re-match {scan.Id}: the evaluation of base scan {scan.BaseScanId} is gone; scan the release again");
        var database = vulnerabilityDatabase.Current();
        if (!await store.Rescans.RecordDatabaseAsync(scan.Id, attempt, database.Fingerprint, database.Label, cancellationToken))
            return null;
        var evaluation = await ReadAsync(baseRow.BlobSha256);
        var rematched = database.Path is null
            ? evaluation with { Vulnerabilities = [], PlatformConditional = [] }
            : ScanStages.Evaluate(new ScanRequest(evaluation.Input.Path) { DatabasePath = database.Path }, evaluation, "vulnerabilities");
        var work = Path.Combine(store.DataDirectory, "work", $"{scan.Id}-{attempt}");
        Directory.CreateDirectory(work);
        try
        {
            var sha = await PutAsync(rematched, work, cancellationToken);
            if (await store.Scans.CompleteStageAsync(scan.Id, Rematch, attempt, sha, cancellationToken))
                return sha;
            log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the rematch commit; the newer attempt owns the scan", scan.Id, attempt);
            return null;
        }
        finally
        {
            DeleteWork(work);
        }
    }

    /// <summary>Writes an evaluation as the canonical JSON into the blob store; returns its SHA-256.</summary>
    private async Task<string> PutAsync(Evaluation evaluation, string work, CancellationToken cancellationToken)
    {
        var json = Path.Combine(work, "evaluation.json");
        await using (var file = File.Create(json))
            new JsonReportWriter().Write(evaluation, file);
        Store.Blobs.BlobInfo blob;
        await using (var file = File.OpenRead(json))
            blob = await store.Blobs.PutAsync(file, long.MaxValue, cancellationToken);
        await store.BlobIndex.RecordAsync(blob.Sha256, blob.Size, cancellationToken);
        return blob.Sha256;
    }

    private static void DeleteWork(string work)
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The engine call; returns the evaluation blob's SHA-256, or null when the attempt may no longer commit.</summary>
    private async Task<string?> EvaluateAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, Evaluate, attempt, cancellationToken))
            return null;
        var database = vulnerabilityDatabase.Current();
        if (!await store.Rescans.RecordDatabaseAsync(scan.Id, attempt, database.Fingerprint, database.Label, cancellationToken))
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
                DatabasePath = database.Path ?? options.VulnerabilityDatabase,
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
            var sha = await PutAsync(evaluation, work, cancellationToken);
            if (await store.Scans.CompleteStageAsync(scan.Id, Evaluate, attempt, sha, cancellationToken))
                return sha;
            // A worker paused or cut off past its lease wakes up here: another attempt owns the scan; the blob is harmless (content-addressed).
            log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the evaluate commit; the newer attempt owns the scan", scan.Id, attempt);
            return null;
        }
        finally
        {
            DeleteWork(work);
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
