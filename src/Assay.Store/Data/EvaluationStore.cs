using Assay.Core.Model;
using Dapper;

namespace Assay.Store.Data;

public sealed record EvaluationRow
{
    public string ScanId { get; init; } = "";
    public string TenantId { get; init; } = "";
    public string ReleaseId { get; init; } = "";
    public string BlobSha256 { get; init; } = "";
    public long Files { get; init; }
    public long Components { get; init; }
    public long Findings { get; init; }
    public long Vulnerabilities { get; init; }
    public long Errors { get; init; }
    public long Critical { get; init; }
    public long High { get; init; }
    public long Medium { get; init; }
    public long Low { get; init; }
    public long CreatedAt { get; init; }
}

public sealed record ComponentRow
{
    public string ScanId { get; init; } = "";
    public long Ordinal { get; init; }
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string Type { get; init; } = "";
    public string? Purl { get; init; }
    public string? Cpe { get; init; }
    public string Location { get; init; } = "";
}

/// <summary>A finding or vulnerability of a release with the project's triage decision for its fingerprint.</summary>
public sealed record FindingView
{
    public string ScanId { get; init; } = "";
    public long Ordinal { get; init; }
    public string Fingerprint { get; init; } = "";
    public string Kind { get; init; } = "";
    public string RuleId { get; init; } = "";
    public string Severity { get; init; } = "";
    public long SeverityRank { get; init; }
    public string Title { get; init; } = "";
    public string? Path { get; init; }
    public string? Component { get; init; }
    public string? TriageState { get; init; }
    public string? PendingState { get; init; }
}

public sealed record FileRow
{
    public long Ordinal { get; init; }
    public string Path { get; init; } = "";
    public string Kind { get; init; } = "";
    public long Size { get; init; }
    public string? Sha256 { get; init; }
}

/// <summary>The triage keys of one evaluation's findings and vulnerabilities.</summary>
public sealed record EvaluationKeys(Func<Finding, string> Finding, Func<Vulnerability, string> Vulnerability);

/// <summary>How the index names findings for triage: the stable fingerprint of a finding and of a vulnerability.</summary>
public interface IFindingKeys
{
    EvaluationKeys For(Evaluation evaluation);
}

/// <summary>
/// Evaluations: the canonical document stays a blob; its components, findings, vulnerabilities
/// and files are indexed as rows for lists, search and triage.
/// </summary>
public sealed class EvaluationStore(AssayDatabase database)
{
    public const string FindingKind = "finding";
    public const string VulnerabilityKind = "vulnerability";

    /// <summary>
    /// Writes the index of an evaluation and commits the index stage in the same transaction,
    /// fenced by the scan's attempt. False (and nothing written) when the attempt is no longer current.
    /// <paramref name="onCommit"/> runs in the same transaction after the stage commit succeeded
    /// (the scan's end and the outbox rows it causes commit with the index or not at all).
    /// </summary>
    public async Task<bool> IndexAsync(ScanRow scan, long attempt, string stage, Evaluation evaluation, string blobSha256, long blobSize, IFindingKeys keys,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task>? onCommit = null, CancellationToken cancellationToken = default)
    {
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var current = await connection.ExecuteScalarAsync<long?>("SELECT attempt FROM scan WHERE id = @id AND status = 'running'", new { id = scan.Id }, transaction);
            if (current != attempt)
                return false;
            foreach (var table in new[] { "component", "finding", "file_entry", "evaluation" })
                await connection.ExecuteAsync($"DELETE FROM {table} WHERE scan_id = @id", new { id = scan.Id }, transaction);
            await BlobIndex.RecordAsync(connection, transaction, blobSha256, blobSize);
            var severities = evaluation.Findings.Select(f => f.Severity).Concat(evaluation.Vulnerabilities.Select(v => v.Severity)).ToList();
            await connection.ExecuteAsync(
                "INSERT INTO evaluation (scan_id, tenant_id, release_id, blob_sha256, files, components, findings, vulnerabilities, errors, critical, high, medium, low, created_at) " +
                "VALUES (@ScanId, @TenantId, @ReleaseId, @BlobSha256, @Files, @Components, @Findings, @Vulnerabilities, @Errors, @Critical, @High, @Medium, @Low, @CreatedAt)",
                new EvaluationRow
                {
                    ScanId = scan.Id, TenantId = scan.TenantId, ReleaseId = scan.ReleaseId, BlobSha256 = blobSha256,
                    Files = evaluation.Files.Count, Components = evaluation.Components.Count, Findings = evaluation.Findings.Count,
                    Vulnerabilities = evaluation.Vulnerabilities.Count, Errors = evaluation.Errors.Count,
                    Critical = severities.Count(s => s == Severity.Critical), High = severities.Count(s => s == Severity.High),
                    Medium = severities.Count(s => s == Severity.Medium), Low = severities.Count(s => s == Severity.Low), CreatedAt = Clock.Now(),
                }, transaction);
            await BatchInsert.RunAsync(connection, transaction, "component",
                ["scan_id", "ordinal", "tenant_id", "name", "version", "type", "purl", "cpe", "location"],
                evaluation.Components.Select((c, i) => (c, i)),
                x => [scan.Id, (long)x.i, scan.TenantId, x.c.Name, x.c.Version, x.c.Type, x.c.Purl, x.c.Cpe, x.c.Location]);
            var key = keys.For(evaluation);
            var findings = evaluation.Findings.Select(f => (Key: key.Finding(f), Kind: FindingKind, Rule: f.RuleId, f.Severity, f.Title, Path: (string?)f.Path, Component: (string?)null))
                .Concat(evaluation.Vulnerabilities.Select(v => (Key: key.Vulnerability(v), Kind: VulnerabilityKind, Rule: v.Id, v.Severity, Title: $"{v.Id} in {v.Component} {v.Version}", Path: v.Location, Component: (string?)$"{v.Component}@{v.Version}")));
            await BatchInsert.RunAsync(connection, transaction, "finding",
                ["scan_id", "ordinal", "tenant_id", "fingerprint", "kind", "rule_id", "severity", "severity_rank", "title", "path", "component"],
                findings.Select((f, i) => (f, i)),
                x => [scan.Id, (long)x.i, scan.TenantId, x.f.Key, x.f.Kind, x.f.Rule, x.f.Severity.ToString().ToLowerInvariant(), (long)x.f.Severity, x.f.Title, x.f.Path, x.f.Component]);
            await BatchInsert.RunAsync(connection, transaction, "file_entry",
                ["scan_id", "ordinal", "tenant_id", "path", "name", "kind", "size", "sha256"],
                evaluation.Files.Select((f, i) => (f, i)),
                x => [scan.Id, (long)x.i, scan.TenantId, x.f.Path, FileName(x.f.Path), x.f.Kind.ToString().ToLowerInvariant(), x.f.Size ?? 0, x.f.Sha256]);
            if (!await ScanStore.CompleteStageAsync(connection, transaction, scan.Id, stage, attempt, blobSha256))
                return false;
            if (onCommit is not null)
                await onCommit(connection, transaction);
            return true;
        }, cancellationToken);
    }

    /// <summary>The evaluation of a scan (the caller has checked the scan's scope).</summary>
    public async Task<EvaluationRow?> GetAsync(string scanId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EvaluationRow>("SELECT * FROM evaluation WHERE scan_id = @scanId", new { scanId });
    }

    /// <summary>The newest evaluation of a release (the caller has checked the release's scope).</summary>
    public async Task<EvaluationRow?> LatestAsync(string releaseId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EvaluationRow>(
            "SELECT * FROM evaluation WHERE release_id = @releaseId ORDER BY created_at DESC, scan_id DESC LIMIT 1", new { releaseId });
    }

    public async Task<IReadOnlyList<ComponentRow>> ComponentsAsync(string scanId, long afterOrdinal, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ComponentRow>(
            "SELECT scan_id, ordinal, name, version, type, purl, cpe, location FROM component WHERE scan_id = @scanId AND ordinal > @afterOrdinal ORDER BY ordinal LIMIT @limit",
            new { scanId, afterOrdinal, limit = (long)limit })];
    }

    /// <summary>Findings and vulnerabilities of a scan with the project's triage, worst first within the page order (ordinal).</summary>
    public async Task<IReadOnlyList<FindingView>> FindingsAsync(string scanId, string projectId, long afterOrdinal, int limit, string? kind = null, long minimumSeverity = 0, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<FindingView>(
            """
            SELECT f.scan_id, f.ordinal, f.fingerprint, f.kind, f.rule_id, f.severity, f.severity_rank, f.title, f.path, f.component,
                   t.state AS triage_state, t.pending_state
            FROM finding f LEFT JOIN triage t ON t.project_id = @projectId AND t.fingerprint = f.fingerprint
            WHERE f.scan_id = @scanId AND f.ordinal > @afterOrdinal AND (@kind IS NULL OR f.kind = @kind) AND f.severity_rank >= @minimumSeverity
            ORDER BY f.ordinal LIMIT @limit
            """,
            new { scanId, projectId, afterOrdinal, kind, minimumSeverity, limit = (long)limit })];
    }

    /// <summary>One finding of a scan by fingerprint (the first when a fingerprint repeats).</summary>
    public async Task<FindingView?> FindingAsync(string scanId, string projectId, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<FindingView>(
            "SELECT f.scan_id, f.ordinal, f.fingerprint, f.kind, f.rule_id, f.severity, f.severity_rank, f.title, f.path, f.component, t.state AS triage_state, t.pending_state " +
            "FROM finding f LEFT JOIN triage t ON t.project_id = @projectId AND t.fingerprint = f.fingerprint WHERE f.scan_id = @scanId AND f.fingerprint = @fingerprint ORDER BY f.ordinal LIMIT 1",
            new { scanId, projectId, fingerprint });
    }

    /// <summary>The highest severity a fingerprint has in any evaluation of a project (four eyes look at it).</summary>
    public async Task<long> WorstSeverityAsync(string tenantId, string projectId, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT MAX(f.severity_rank) FROM finding f JOIN scan s ON s.id = f.scan_id WHERE f.tenant_id = @tenantId AND s.project_id = @projectId AND f.fingerprint = @fingerprint",
            new { tenantId, projectId, fingerprint }) ?? 0;
    }

    /// <summary>Files of a scan under a folder of the virtual tree (prefix match), in path order.</summary>
    public async Task<IReadOnlyList<FileRow>> FilesAsync(string scanId, string? prefix, long afterOrdinal, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<FileRow>(
            "SELECT ordinal, path, kind, size, sha256 FROM file_entry WHERE scan_id = @scanId AND ordinal > @afterOrdinal AND (@prefix IS NULL OR substr(path, 1, CAST(@length AS INTEGER)) = @prefix) ORDER BY ordinal LIMIT @limit",
            new { scanId, prefix, length = (long)(prefix?.Length ?? 0), afterOrdinal, limit = (long)limit })];
    }

    private static string FileName(string path)
    {
        var cut = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('!'));
        return cut < 0 ? path : path[(cut + 1)..];
    }
}
