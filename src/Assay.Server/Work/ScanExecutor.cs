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

    public async Task RunAsync(ScanClaim claim, CancellationToken stopping)
    {
        var scan = claim.Scan;
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = HeartbeatAsync(scan.Id, claim.Attempt, lease);
        try
        {
            var stages = await store.Scans.StagesAsync(scan.Id, lease.Token);
            var evaluationSha = stages.First(s => s.Stage == Evaluate) is { Status: ScanStore.Status.Succeeded, OutputSha256: { } done } && store.Blobs.Exists(done)
                ? done
                : await EvaluateAsync(scan, claim.Attempt, lease.Token);
            if (evaluationSha is null)
                return;
            if (!await store.Scans.StartStageAsync(scan.Id, Index, claim.Attempt, lease.Token))
                return;
            Evaluation evaluation;
            await using (var stream = store.Blobs.Open(evaluationSha))
                evaluation = JsonReportWriter.Read(stream);
            var size = new FileInfo(store.Blobs.LocalPath(evaluationSha)).Length;
            if (!await store.Evaluations.IndexAsync(scan, claim.Attempt, Index, evaluation, evaluationSha, size, keys, lease.Token))
            {
                var (id, attempt) = (scan.Id, claim.Attempt);
                log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease before the index commit; the newer attempt owns the scan", id, attempt);
                return;
            }
            await store.Scans.FinishAsync(scan.Id, claim.Attempt, ScanStore.Status.Succeeded, null, CancellationToken.None);
            var (scanId, files, findings) = (scan.Id, evaluation.Files.Count, evaluation.Findings.Count);
            log.LogInformation("scan {Scan} succeeded ({Files} files, {Findings} findings)", scanId, files, findings);
        }
        catch (OperationCanceledException) when (lease.IsCancellationRequested)
        {
            log.LogInformation("scan {Scan}: attempt {Attempt} stopped (cancelled, lease lost or shutting down)", scan.Id, claim.Attempt);
        }
        catch (Exception e)
        {
            log.LogError(e, "scan {Scan} failed", scan.Id);
            var stages = await store.Scans.StagesAsync(scan.Id, CancellationToken.None);
            if (stages.FirstOrDefault(s => s.Status == ScanStore.Status.Running) is { } running)
                await store.Scans.FailStageAsync(scan.Id, running.Stage, claim.Attempt, Describe(e), CancellationToken.None);
            await store.Scans.FinishAsync(scan.Id, claim.Attempt, ScanStore.Status.Failed, Describe(e), CancellationToken.None);
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
                Parallelism = options.ScanParallelism,
                DatabasePath = options.VulnerabilityDatabase,
                SkipVulnerabilities = options.SkipVulnerabilities,
            });
            var run = Task.Run(() => job.Run(cancellationToken), cancellationToken);
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(ProgressEvery, cancellationToken));
                var p = job.Progress;
                // The engine does not know the total number of files ahead: done counts files, total stays 0 (unknown).
                await store.Scans.ReportProgressAsync(scan.Id, Evaluate, attempt, p.Files, 0,
                    $"{p.Files} files, {p.Containers} containers, {p.BytesHashed / (1 << 20)} MiB hashed", CancellationToken.None);
            }
            var evaluation = await run;
            var json = Path.Combine(work, "evaluation.json");
            await using (var file = File.Create(json))
                new JsonReportWriter().Write(evaluation, file);
            Store.Blobs.BlobInfo blob;
            await using (var file = File.OpenRead(json))
                blob = await store.Blobs.PutAsync(file, long.MaxValue, cancellationToken);
            await store.BlobIndex.RecordAsync(blob.Sha256, blob.Size, cancellationToken);
            return await store.Scans.CompleteStageAsync(scan.Id, Evaluate, attempt, blob.Sha256, cancellationToken) ? blob.Sha256 : null;
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
        try
        {
            while (!lease.IsCancellationRequested)
            {
                await Task.Delay(every, lease.Token);
                if (!await store.Scans.HeartbeatAsync(scanId, attempt, lease.Token))
                {
                    log.LogWarning("scan {Scan}: attempt {Attempt} lost its lease or was cancelled; stopping", scanId, attempt);
                    await lease.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Describe(Exception e) => e switch
    {
        IOException or InvalidDataException or UnauthorizedAccessException => e.Message,
        _ => $"internal error ({e.GetType().Name}: {e.Message}); this is a bug in Assay, please report it",
    };
}
