using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Engine;
using Assay.History.Diff;
using Assay.History.Reports;
using Assay.Reports;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// Runs the stages of one claimed scan, each from the stored outputs of the ones before it, each
/// output a content-addressed blob (<see cref="ScanStore.Stages"/>): <c>unpack</c> reads the
/// delivery once, with the catalogers and analyzers fused into the walk
/// (<see cref="ScanStages.UnpackAndInspect"/>); <c>match</c> assembles the evaluation and runs the
/// evaluation steps, vulnerability matching among them (<see cref="ScanStages.Match"/>; its output
/// is the canonical JSON <c>assay scan -f json</c> writes); <c>diff</c> compares it with the
/// newest evaluation of the nearest earlier release that has one (<c>assay diff -f json</c>); <c>report</c> writes the
/// rows for lists, search and triage and ends the scan. A re-match runs <c>rematch</c> (the
/// vulnerability step alone on a stored evaluation) and <c>report</c>. Scans queued before the
/// split keep their <c>evaluate</c> and <c>index</c> stages. A stage that succeeded under an
/// earlier attempt is not run again; every commit names the attempt, so a worker that lost its
/// lease commits nothing.
/// </summary>
internal sealed class ScanExecutor(AssayStore store, ServerOptions options, IFindingKeys keys, RescanDatabase vulnerabilityDatabase, ILogger<ScanExecutor> log)
{
    /// <summary>Scans queued before the stage split: unpack and match in one stage.</summary>
    private const string LegacyEvaluate = "evaluate";

    /// <summary>Scans queued before the stage split: the report stage's old name.</summary>
    private const string LegacyIndex = "index";

    private const string Rematch = "rematch";

    /// <summary>How many earlier releases the diff stage walks back to find one with an evaluation.</summary>
    private const int MaxDiffLookBack = 100;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a shutting-down worker spends on the store to hand its scan on (within Hangfire's
    /// shutdown timeout, <see cref="HangfireSetup.ShutdownTimeout"/>). 3 s was too short at load 25:
    /// the release timed out and the scan waited one whole lease.
    /// </summary>
    private static readonly TimeSpan ShutdownStoreTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What a stage left: committed (with its output blob, or none), or not (the attempt may no longer commit).</summary>
    private readonly record struct StageResult(bool Committed, string? Output)
    {
        public static StageResult Stopped => new(false, null);
        public static StageResult Done(string? output) => new(true, output);
    }

    /// <summary>Runs every stage still to do (in-process workers: one claim carries the scan to its end).</summary>
    public async Task RunAsync(ScanClaim claim, CancellationToken stopping) => await RunAsync(claim, null, stopping);

    /// <summary>
    /// Runs the stages of <paramref name="claim"/> still to do, or only the next one when
    /// <paramref name="only"/> names the dispatched stage job; says what comes next. A stage that an
    /// earlier attempt committed is not run again: its output is read from the blob store.
    /// </summary>
    public async Task<StageOutcome> RunAsync(ScanClaim claim, string? only, CancellationToken stopping)
    {
        var scan = claim.Scan;
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = HeartbeatAsync(scan.Id, claim.Attempt, lease);
        try
        {
            var stages = await store.Scans.StagesAsync(scan.Id, lease.Token);
            var outputs = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var done in stages.Where(s => s.Status == ScanStore.Status.Succeeded))
                outputs[done.Stage] = done.OutputSha256;
            var ran = false;
            foreach (var stage in stages.Select(s => s.Stage).Where(s => !outputs.ContainsKey(s)))
            {
                // A dispatched job runs one stage and hands the next to a job of its own (any worker may take it).
                if (ran && only is not null)
                    return StageOutcome.Continue(stage);
                var result = await RunStageAsync(scan, claim.Attempt, stage, outputs, lease.Token);
                if (!result.Committed)
                    return StageOutcome.Stopped;
                outputs[stage] = result.Output;
                ran = true;
            }
            return StageOutcome.Ended;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // A clean shutdown (SIGTERM, host stop): give the lease up now so another worker takes
            // the scan over at once instead of after one lease; the attempt still fences this one.
            var stage = (await StagesOrNullAsync(scan.Id))?.FirstOrDefault(s => s.Status != ScanStore.Status.Succeeded)?.Stage ?? only ?? ScanStore.Stages[0];
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

    /// <summary>Runs one stage from the outputs of the stages before it.</summary>
    private Task<StageResult> RunStageAsync(ScanRow scan, long attempt, string stage, IReadOnlyDictionary<string, string?> outputs, CancellationToken cancellationToken) => stage switch
    {
        ScanStore.StageNames.Unpack => UnpackAsync(scan, attempt, cancellationToken),
        ScanStore.StageNames.Match => MatchAsync(scan, attempt, Output(outputs, ScanStore.StageNames.Unpack), cancellationToken),
        ScanStore.StageNames.Diff => DiffAsync(scan, attempt, EvaluationOf(outputs), cancellationToken),
        ScanStore.StageNames.Report or LegacyIndex => ReportAsync(scan, attempt, stage, EvaluationOf(outputs), cancellationToken),
        Rematch => RematchAsync(scan, attempt, cancellationToken),
        LegacyEvaluate => EvaluateAsync(scan, attempt, cancellationToken),
        _ => throw new InvalidDataException($"scan {scan.Id} has a stage '{stage}' this version of Assay does not know; finish it with the version that queued it, or scan the release again"),
    };

    /// <summary>The stored output of a stage that must have run before.</summary>
    private static string Output(IReadOnlyDictionary<string, string?> outputs, string stage) =>
        outputs.GetValueOrDefault(stage) ?? throw new InvalidDataException($"stage '{stage}' left no output; scan the release again");

    /// <summary>The evaluation blob: the output of whichever stage made it (match, a re-match, or a scan queued before the split).</summary>
    private static string EvaluationOf(IReadOnlyDictionary<string, string?> outputs) =>
        outputs.GetValueOrDefault(ScanStore.StageNames.Match) ?? outputs.GetValueOrDefault(Rematch) ?? outputs.GetValueOrDefault(LegacyEvaluate)
        ?? throw new InvalidDataException("no stage of this scan made an evaluation; scan the release again");

    /// <summary>
    /// Reads the delivery once: identify, unpack, catalog and analyze in one walk (progress reported
    /// every second); the output is the stored <see cref="InspectedDelivery"/>.
    /// </summary>
    private async Task<StageResult> UnpackAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        const string stage = ScanStore.StageNames.Unpack;
        if (!await store.Scans.StartStageAsync(scan.Id, stage, attempt, cancellationToken))
            return StageResult.Stopped;
        var delivery = await WalkDeliveryAsync(scan, attempt, stage, cancellationToken);
        var sha = await PutAsync(StageDocument.Write(delivery), cancellationToken);
        return await CommitAsync(scan, attempt, stage, sha, cancellationToken);
    }

    /// <summary>The evaluation from the unpack stage's output: assembled, then every evaluation step against the vulnerability database of now.</summary>
    private async Task<StageResult> MatchAsync(ScanRow scan, long attempt, string unpacked, CancellationToken cancellationToken)
    {
        const string stage = ScanStore.StageNames.Match;
        if (!await store.Scans.StartStageAsync(scan.Id, stage, attempt, cancellationToken))
            return StageResult.Stopped;
        var database = vulnerabilityDatabase.Current();
        if (!await store.Rescans.RecordDatabaseAsync(scan.Id, attempt, database.Fingerprint, database.Label, cancellationToken))
            return StageResult.Stopped;
        var delivery = StageDocument.Read<InspectedDelivery>(await ReadBytesAsync(unpacked, cancellationToken));
        var evaluation = await Task.Run(() => ScanStages.Match(Request(delivery.Identity.Input.Path, delivery.Identity.Input.Path, database), delivery, cancellationToken: cancellationToken), cancellationToken);
        return await CommitAsync(scan, attempt, stage, await PutAsync(evaluation, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The release diff against the newest evaluation of the nearest earlier release that has one
    /// (the history library's diff, as <c>assay diff -f json</c> writes it); no output when no
    /// earlier release of the project has an evaluation. The stage's detail names what it compared with.
    /// </summary>
    private async Task<StageResult> DiffAsync(ScanRow scan, long attempt, string evaluationSha, CancellationToken cancellationToken)
    {
        const string stage = ScanStore.StageNames.Diff;
        if (!await store.Scans.StartStageAsync(scan.Id, stage, attempt, cancellationToken))
            return StageResult.Stopped;
        var scope = new Scope(scan.TenantId, null);
        var release = await store.Releases.GetAsync(scope, scan.ReleaseId, cancellationToken)
            ?? throw new InvalidOperationException($"release {scan.ReleaseId} of scan {scan.Id} is gone");
        // The nearest earlier release with an evaluation (a release in between may never have been scanned).
        var (previous, baseline) = ((ReleaseRow?)null, (EvaluationRow?)null);
        var seen = new HashSet<string>(StringComparer.Ordinal) { release.Id };
        for (var id = release.PreviousReleaseId; id is not null && seen.Add(id) && seen.Count <= MaxDiffLookBack; id = previous.PreviousReleaseId)
        {
            previous = await store.Releases.GetAsync(scope, id, cancellationToken);
            if (previous is null)
                break;
            baseline = await store.Evaluations.LatestAsync(previous.Id, cancellationToken);
            if (baseline is not null)
                break;
        }
        if (previous is null || baseline is null)
        {
            await DetailAsync(scan.Id, stage, attempt, release.PreviousReleaseId is null
                ? "first release of this project: nothing to compare with"
                : "no earlier release of this project has an evaluation: nothing to compare with");
            return await CommitAsync(scan, attempt, stage, null, cancellationToken);
        }
        byte[] document;
        try
        {
            var older = await ReadAsync(baseline.BlobSha256);
            var newer = await ReadAsync(evaluationSha);
            var diff = await Task.Run(() => ReleaseDiff.Compare(older, newer), cancellationToken);
            using var json = new MemoryStream();
            new DiffJsonWriter().Write(diff, json);
            document = json.ToArray();
        }
        catch (Exception e) when (e is not (OperationCanceledException or System.Data.Common.DbException or TimeoutException))
        {
            // The diff is a view on two evaluations, not the scan's result: its failure is told, never the scan's end.
            log.LogWarning(e, "scan {Scan}: the diff against release {Version} failed", scan.Id, previous.Version);
            await DetailAsync(scan.Id, stage, attempt, $"the diff against release {previous.Version} (scan {baseline.ScanId}) failed: {Describe(e)}");
            return await CommitAsync(scan, attempt, stage, null, cancellationToken);
        }
        await DetailAsync(scan.Id, stage, attempt, $"against release {previous.Version} (scan {baseline.ScanId})");
        return await CommitAsync(scan, attempt, stage, await PutAsync(document, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The rows for lists, search and triage, and the scan's end: the re-match's changes and the
    /// webhook deliveries they cause commit with them, or none of them does.
    /// </summary>
    private async Task<StageResult> ReportAsync(ScanRow scan, long attempt, string stage, string evaluationSha, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, stage, attempt, cancellationToken))
            return StageResult.Stopped;
        var evaluation = await ReadAsync(evaluationSha);
        var size = new FileInfo(store.Blobs.LocalPath(evaluationSha)).Length;
        var ending = await EndingAsync(scan, evaluation, cancellationToken);
        if (!await store.Evaluations.IndexAsync(scan, attempt, stage, evaluation, evaluationSha, size, keys,
                (connection, transaction) => ending(connection, transaction, attempt), cancellationToken))
        {
            log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the {Stage} commit; the newer attempt owns the scan", scan.Id, attempt, stage);
            return StageResult.Stopped;
        }
        var (scanId, files, findings) = (scan.Id, evaluation.Files.Count, evaluation.Findings.Count);
        log.LogInformation("scan {Scan} succeeded ({Files} files, {Findings} findings)", scanId, files, findings);
        return StageResult.Done(null);
    }

    /// <summary>A scan queued before the stage split: unpack and match as one stage.</summary>
    private async Task<StageResult> EvaluateAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, LegacyEvaluate, attempt, cancellationToken))
            return StageResult.Stopped;
        var database = vulnerabilityDatabase.Current();
        if (!await store.Rescans.RecordDatabaseAsync(scan.Id, attempt, database.Fingerprint, database.Label, cancellationToken))
            return StageResult.Stopped;
        var delivery = await WalkDeliveryAsync(scan, attempt, LegacyEvaluate, cancellationToken);
        var evaluation = ScanStages.Match(Request(delivery.Identity.Input.Path, delivery.Identity.Input.Path, database), delivery, cancellationToken: cancellationToken);
        return await CommitAsync(scan, attempt, LegacyEvaluate, await PutAsync(evaluation, cancellationToken), cancellationToken);
    }

    /// <summary>Commits a stage's output under this attempt; a worker paused or cut off past its lease wakes up here and commits nothing (its blob is harmless: content-addressed).</summary>
    private async Task<StageResult> CommitAsync(ScanRow scan, long attempt, string stage, string? output, CancellationToken cancellationToken)
    {
        if (await store.Scans.CompleteStageAsync(scan.Id, stage, attempt, output, cancellationToken))
            return StageResult.Done(output);
        log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the {Stage} commit; the newer attempt owns the scan", scan.Id, attempt, stage);
        return StageResult.Stopped;
    }

    /// <summary>The engine request of this service for an input (the vulnerability database of now, the service's parallelism).</summary>
    private ScanRequest Request(string input, string displayPath, VulnerabilityDatabaseVersion database) => new(input)
    {
        // The delivery as uploaded, not the per-attempt folder: a re-run gives the same evaluation.
        DisplayPath = displayPath,
        Parallelism = options.ScanParallelism,
        DatabasePath = database.Path ?? options.VulnerabilityDatabase,
        SkipVulnerabilities = options.SkipVulnerabilities,
    };

    /// <summary>The one read of the delivery (<see cref="ScanStages.UnpackAndInspect"/>), its progress written to the stage row every second.</summary>
    private async Task<InspectedDelivery> WalkDeliveryAsync(ScanRow scan, long attempt, string stage, CancellationToken cancellationToken)
    {
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
            var name = release.DeliveryName ?? "delivery.bin";
            var input = Path.Combine(work, name);
            File.CreateSymbolicLink(input, store.Blobs.LocalPath(release.DeliverySha256));
            var request = Request(input, name, new VulnerabilityDatabaseVersion(null, null, null)) with { CacheDirectory = options.CacheDirectory };
            var progress = new ScanProgress();
            var notices = new List<string>();   // filled when the walk ends (the session's notices), read after it
            var run = Task.Run(() => ScanStages.UnpackAndInspect(request, progress, notices, cancellationToken), cancellationToken);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(ProgressEvery, cancellationToken));
                // Cancelled (lease lost, scan cancelled, shutdown): stop waiting; the engine sees the same token.
                cancellationToken.ThrowIfCancellationRequested();
                // The engine does not know the total number of files ahead: done counts files, total stays 0 (unknown).
                await ProgressAsync(scan.Id, stage, attempt, progress.Files, Describe(progress));
            }
            var delivery = await run;
            await ProgressAsync(scan.Id, stage, attempt, progress.Files, Describe(progress));
            foreach (var notice in notices)
                log.LogInformation("scan {Scan}: {Notice}", scan.Id, notice);
            return delivery;
        }
        finally
        {
            DeleteWork(work);
        }
    }

    private static string Describe(ScanProgress p) =>
        $"{p.Files} files, {p.Containers} containers, {p.BytesHashed / (1 << 20)} MiB hashed" + (p.FromCache > 0 ? $", {p.FromCache} from the result cache" : "");

    /// <summary>Progress is for the UI: a store restarting must not stop the engine; the heartbeat decides about the lease.</summary>
    private async Task ProgressAsync(string scanId, string stage, long attempt, long done, string detail)
    {
        try
        {
            await store.Scans.ReportProgressAsync(scanId, stage, attempt, done, 0, detail, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            log.LogDebug(e, "scan {Scan}: progress not recorded (store away)", scanId);
        }
    }

    /// <summary>A stage's one-line detail for the UI (what the diff compared with).</summary>
    private Task DetailAsync(string scanId, string stage, long attempt, string detail) => ProgressAsync(scanId, stage, attempt, 0, detail);

    private async Task<Evaluation> ReadAsync(string sha256)
    {
        await using var stream = store.Blobs.Open(sha256);
        return JsonReportWriter.Read(stream);
    }

    private async Task<byte[]> ReadBytesAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var stream = store.Blobs.Open(sha256);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
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
    /// unpacked; its output is the new evaluation.
    /// </summary>
    private async Task<StageResult> RematchAsync(ScanRow scan, long attempt, CancellationToken cancellationToken)
    {
        if (!await store.Scans.StartStageAsync(scan.Id, Rematch, attempt, cancellationToken))
            return StageResult.Stopped;
        var baseRow = await store.Evaluations.GetAsync(scan.BaseScanId ?? "", cancellationToken)
            ?? throw new InvalidDataException($"re-match {scan.Id}: the evaluation of base scan {scan.BaseScanId} is gone; scan the release again");
        var database = vulnerabilityDatabase.Current();
        if (!await store.Rescans.RecordDatabaseAsync(scan.Id, attempt, database.Fingerprint, database.Label, cancellationToken))
            return StageResult.Stopped;
        var evaluation = await ReadAsync(baseRow.BlobSha256);
        var rematched = database.Path is null
            ? evaluation with { Vulnerabilities = [], PlatformConditional = [] }
            : ScanStages.Evaluate(new ScanRequest(evaluation.Input.Path) { DatabasePath = database.Path }, evaluation, "vulnerabilities");
        return await CommitAsync(scan, attempt, Rematch, await PutAsync(rematched, cancellationToken), cancellationToken);
    }

    /// <summary>Writes an evaluation as the canonical JSON (the writer of <c>assay scan -f json</c>) into the blob store; returns its SHA-256.</summary>
    private async Task<string> PutAsync(Evaluation evaluation, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        new JsonReportWriter().Write(evaluation, json);
        return await PutAsync(json.ToArray(), cancellationToken);
    }

    /// <summary>Writes a stage's output into the blob store (temp file + atomic rename); returns its SHA-256.</summary>
    private async Task<string> PutAsync(byte[] document, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(document, writable: false);
        var blob = await store.Blobs.PutAsync(content, long.MaxValue, cancellationToken);
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
