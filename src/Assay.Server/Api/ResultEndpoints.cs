using Assay.Core.Model;
using Assay.Reports;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// What a scan found: the evaluation document itself (the blob <c>assay scan -f json</c> writes),
/// the reports the CLI writes from it (same writers), and the indexed rows of a release.
/// </summary>
internal static class ResultEndpoints
{
    public sealed record ComponentDto(string Name, string Version, string Type, string? Purl, string? Cpe, string Location);

    public sealed record FindingDto(string Fingerprint, string Kind, string RuleId, string Severity, string Title, string? Path, string? Component, string? TriageState, string? PendingState);

    public sealed record FileDto(string Path, string Kind, long Size, string? Sha256);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/scans/{scanId}/evaluation", async Task<IResult> (string scanId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var (evaluation, problem) = await EvaluationOfAsync(http, store, scanId, ct);
            return problem ?? TypedResults.Stream(store.Blobs.Open(evaluation!.BlobSha256), "application/json", enableRangeProcessing: false,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{evaluation.BlobSha256}\""));
        }).Require(Permission.Read).WithName("GetEvaluation");

        api.MapGet("/scans/{scanId}/diff", async Task<IResult> (string scanId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var scan = await store.Scans.GetAsync(http.Scope(), scanId, ct);
            if (scan is null)
                return Problems.NotFound("scan", scanId);
            var stage = (await store.Scans.StagesAsync(scan.Id, ct)).FirstOrDefault(s => s.Stage == ScanStore.StageNames.Diff);
            if (stage is null)
                return Problems.Conflict($"scan {scan.Id} has no diff stage (a re-match, or queued before Assay diffed every scan); compare two releases with GET /api/v1/compare?base=&head=");
            if (stage.Status != ScanStore.Status.Succeeded)
                return Problems.Conflict($"the diff stage of scan {scan.Id} is {stage.Status}; its result is there once it has succeeded (GET /api/v1/scans/{scan.Id})");
            if (stage.OutputSha256 is not { } sha)
                return TypedResults.Problem(statusCode: 404, title: "No diff", detail: $"scan {scan.Id} has no release diff: {stage.Detail}");
            return TypedResults.Stream(store.Blobs.Open(sha), "application/json", enableRangeProcessing: false,
                entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha}\""));
        }).Require(Permission.Export).WithName("GetScanDiff");

        api.MapGet("/scans/{scanId}/sbom", async Task<IResult> (string scanId, string? format, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var id = (format ?? "cyclonedx").ToLowerInvariant();
            if (id is not ("cyclonedx" or "spdx"))
                return Problems.BadRequest($"format: '{format}' is not an SBOM format; use cyclonedx or spdx");
            return await ReportAsync(http, store, scanId, id, ct);
        }).Require(Permission.Export).WithName("GetSbom");

        api.MapGet("/scans/{scanId}/sarif", (string scanId, HttpContext http, AssayStore store, CancellationToken ct) => ReportAsync(http, store, scanId, "sarif", ct))
            .Require(Permission.Export).WithName("GetSarif");

        api.MapGet("/scans/{scanId}/report.html", (string scanId, HttpContext http, AssayStore store, CancellationToken ct) => ReportAsync(http, store, scanId, "html", ct))
            .Require(Permission.Export).WithName("GetHtmlReport");

        api.MapGet("/releases/{releaseId}/findings", async Task<IResult> (string releaseId, string? kind, string? severity, string? page_token, int? limit, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var (release, evaluation, problem) = await LatestAsync(http, store, releaseId, ct);
            if (problem is not null)
                return problem;
            if (kind is not (null or EvaluationStore.FindingKind or EvaluationStore.VulnerabilityKind))
                return Problems.BadRequest($"kind: '{kind}' is not a kind; use finding or vulnerability");
            if (severity is not null && !Enum.TryParse<Severity>(severity, ignoreCase: true, out _))
                return Problems.BadRequest($"severity: '{severity}' is not a severity; use critical, high, medium, low or info");
            var minimum = severity is null ? 0 : (long)Enum.Parse<Severity>(severity, ignoreCase: true);
            if (!TryOrdinal(page_token, out var after, out var bad))
                return bad!;
            var take = PageTokens.Limit(limit);
            var rows = await store.Evaluations.FindingsAsync(evaluation!.ScanId, release!.ProjectId, after, take, kind, minimum, ct);
            return TypedResults.Ok(new Page<FindingDto>([.. rows.Select(ToDto)], rows.Count == take ? PageTokens.Encode(rows[^1].Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null));
        }).Require(Permission.Read).WithName("ListFindings");

        api.MapGet("/releases/{releaseId}/components", async Task<IResult> (string releaseId, string? page_token, int? limit, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var (_, evaluation, problem) = await LatestAsync(http, store, releaseId, ct);
            if (problem is not null)
                return problem;
            if (!TryOrdinal(page_token, out var after, out var bad))
                return bad!;
            var take = PageTokens.Limit(limit);
            var rows = await store.Evaluations.ComponentsAsync(evaluation!.ScanId, after, take, ct);
            return TypedResults.Ok(new Page<ComponentDto>([.. rows.Select(c => new ComponentDto(c.Name, c.Version, c.Type, c.Purl, c.Cpe, c.Location))],
                rows.Count == take ? PageTokens.Encode(rows[^1].Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null));
        }).Require(Permission.Read).WithName("ListComponents");

        api.MapGet("/releases/{releaseId}/files", async Task<IResult> (string releaseId, string? path, string? page_token, int? limit, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var (_, evaluation, problem) = await LatestAsync(http, store, releaseId, ct);
            if (problem is not null)
                return problem;
            if (!TryOrdinal(page_token, out var after, out var bad))
                return bad!;
            var take = PageTokens.Limit(limit);
            var rows = await store.Evaluations.FilesAsync(evaluation!.ScanId, string.IsNullOrEmpty(path) ? null : path, after, take, ct);
            return TypedResults.Ok(new Page<FileDto>([.. rows.Select(f => new FileDto(f.Path, f.Kind, f.Size, f.Sha256))],
                rows.Count == take ? PageTokens.Encode(rows[^1].Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null));
        }).Require(Permission.Read).WithName("ListFiles");
    }

    internal static FindingDto ToDto(FindingView f) => new(f.Fingerprint, f.Kind, f.RuleId, f.Severity, f.Title, f.Path, f.Component, f.TriageState, f.PendingState);

    /// <summary>The evaluation of a visible scan, or the problem to answer.</summary>
    internal static async Task<(EvaluationRow? Evaluation, IResult? Problem)> EvaluationOfAsync(HttpContext http, AssayStore store, string scanId, CancellationToken ct)
    {
        var scan = await store.Scans.GetAsync(http.Scope(), scanId, ct);
        if (scan is null)
            return (null, Problems.NotFound("scan", scanId));
        var evaluation = await store.Evaluations.GetAsync(scan.Id, ct);
        return evaluation is null
            ? (null, Problems.Conflict($"scan {scan.Id} is {scan.Status}; its evaluation is there once it has succeeded (GET /api/v1/scans/{scan.Id})"))
            : (evaluation, null);
    }

    /// <summary>The newest evaluation of a visible release, or the problem to answer.</summary>
    internal static async Task<(ReleaseRow? Release, EvaluationRow? Evaluation, IResult? Problem)> LatestAsync(HttpContext http, AssayStore store, string releaseId, CancellationToken ct)
    {
        var release = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
        if (release is null)
            return (null, null, Problems.NotFound("release", releaseId));
        var evaluation = await store.Evaluations.LatestAsync(release.Id, ct);
        return evaluation is null
            ? (release, null, Problems.Conflict($"release {release.Version} has no finished scan yet; start one (POST /api/v1/releases/{release.Id}/scans) and wait for it"))
            : (release, evaluation, null);
    }

    /// <summary>Reads the evaluation blob back and writes one report with the CLI's writer.</summary>
    private static async Task<IResult> ReportAsync(HttpContext http, AssayStore store, string scanId, string writerId, CancellationToken ct)
    {
        var (row, problem) = await EvaluationOfAsync(http, store, scanId, ct);
        if (problem is not null)
            return problem;
        Evaluation evaluation;
        await using (var stream = store.Blobs.Open(row!.BlobSha256))
            evaluation = JsonReportWriter.Read(stream);
        var writer = ReportWriters.Find(writerId)!;
        var contentType = writerId == "html" ? "text/html; charset=utf-8" : "application/json";
        // The writers are synchronous and Kestrel refuses synchronous writes: the report is written
        // to a buffer that spills to a temporary file past 32 KiB, then copied to the response.
        return TypedResults.Stream(async body =>
        {
            await using var buffer = new Microsoft.AspNetCore.WebUtilities.FileBufferingWriteStream();
            writer.Write(evaluation, buffer);
            await buffer.DrainBufferAsync(body, ct);
        }, contentType,
            fileDownloadName: writerId == "html" ? null : $"{scanId}{writer.FileExtension}");
    }

    private static bool TryOrdinal(string? token, out long after, out IResult? problem)
    {
        after = -1;
        problem = null;
        try
        {
            if (PageTokens.Decode(token, 1) is { } parts && !long.TryParse(parts[0], out after))
                throw new FormatException($"page_token '{token}' is not a token of this list; start from the first page (no page_token)");
            return true;
        }
        catch (FormatException e)
        {
            problem = Problems.BadRequest(e.Message);
            return false;
        }
    }
}
