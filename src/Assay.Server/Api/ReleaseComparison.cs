using Assay.Core.Model;
using Assay.History.Diff;
using Assay.History.Reports;
using Assay.Reports;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// The release diff of two stored evaluations: the history library's <see cref="ReleaseDiff"/>
/// (the same call as <c>assay diff</c>), written by its own report writers.
/// </summary>
internal static class ReleaseComparison
{
    public static async Task<ReleaseDiffResult> CompareAsync(AssayStore store, EvaluationRow baseEvaluation, EvaluationRow headEvaluation, CancellationToken ct)
    {
        var old = await ReadAsync(store, baseEvaluation.BlobSha256);
        var @new = await ReadAsync(store, headEvaluation.BlobSha256);
        return await Task.Run(() => ReleaseDiff.Compare(old, @new), ct);
    }

    /// <summary>The diff document as JSON (default) or the self-contained HTML page.</summary>
    public static async Task<IResult> RunAsync(AssayStore store, EvaluationRow baseEvaluation, EvaluationRow headEvaluation, string? format, CancellationToken ct)
    {
        IDiffReportWriter writer = (format ?? "json").ToLowerInvariant() switch
        {
            "json" => new DiffJsonWriter(),
            "html" => new DiffHtmlWriter(),
            _ => throw new ArgumentException($"format: '{format}' is not a diff format; use json or html"),
        };
        var diff = await CompareAsync(store, baseEvaluation, headEvaluation, ct);
        return TypedResults.Stream(async body =>
        {
            await using var buffer = new Microsoft.AspNetCore.WebUtilities.FileBufferingWriteStream();
            writer.Write(diff, buffer);
            await buffer.DrainBufferAsync(body, ct);
        }, writer.Id == "html" ? "text/html; charset=utf-8" : "application/json");
    }

    private static async Task<Evaluation> ReadAsync(AssayStore store, string sha)
    {
        await using var stream = store.Blobs.Open(sha);
        return JsonReportWriter.Read(stream);
    }
}
