using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Blobs;
using Assay.Store.Data;
using Microsoft.AspNetCore.Http.Features;

namespace Assay.Server.Api;

/// <summary>
/// Deliveries: <c>PUT /releases/{id}/delivery</c> streams the raw body to disk while hashing it
/// (never buffered in memory), and resumable uploads (<c>POST /releases/{id}/uploads</c>, then
/// <c>PUT /uploads/{id}</c> chunks with <c>Content-Range</c>, then <c>POST /uploads/{id}/complete</c>)
/// for deliveries too large for one request.
/// </summary>
internal static class DeliveryEndpoints
{
    public sealed record CreateUpload(string? FileName, long Size);

    public sealed record UploadDto(string Id, string ReleaseId, string FileName, long Size, long ReceivedBytes, string Status);

    public sealed record CompleteUpload(string? Sha256);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPut("/releases/{releaseId}/delivery", async Task<IResult> (string releaseId, HttpContext http, AssayStore store, ServerOptions options, CancellationToken ct) =>
        {
            var release = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
            if (release is null)
                return Problems.NotFound("release", releaseId);
            var name = DeliveryName.FromHeader(http.Request.Headers.ContentDisposition, out var error);
            if (name is null)
                return Problems.BadRequest(error!);
            if (http.Request.ContentLength > options.MaxUploadBytes)
                return Problems.TooLarge(options.MaxUploadBytes);
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = options.MaxUploadBytes;
            BlobInfo blob;
            try
            {
                blob = await store.Blobs.PutAsync(http.Request.Body, options.MaxUploadBytes, ct);
            }
            catch (BlobTooLargeException)
            {
                return Problems.TooLarge(options.MaxUploadBytes);
            }
            if (http.Request.ContentLength is { } declared && declared != blob.Size)
                return Problems.BadRequest($"the body ended after {blob.Size} of the {declared} bytes Content-Length announced; send it again");
            await store.BlobIndex.RecordAsync(blob.Sha256, blob.Size, ct);
            await store.Releases.SetDeliveryAsync(release.Id, blob.Sha256, name, blob.Size, ct);
            return TypedResults.Ok(new ReleaseEndpoints.DeliveryDto(blob.Sha256, blob.Size, name));
        }).Require(Permission.Upload).WithName("PutDelivery");

        api.MapPost("/releases/{releaseId}/uploads", async Task<IResult> (string releaseId, CreateUpload body, HttpContext http, AssayStore store, ServerOptions options, CancellationToken ct) =>
        {
            var release = await store.Releases.GetAsync(http.Scope(), releaseId, ct);
            if (release is null)
                return Problems.NotFound("release", releaseId);
            var name = DeliveryName.Clean(body.FileName, out var error);
            if (name is null)
                return Problems.BadRequest(error!);
            if (body.Size <= 0)
                return Problems.BadRequest("size: give the delivery's size in bytes (more than 0)");
            if (body.Size > options.MaxUploadBytes)
                return Problems.TooLarge(options.MaxUploadBytes);
            var row = await store.Uploads.CreateAsync(release.TenantId, release.Id, name, body.Size, ct);
            await using (File.Create(store.Blobs.PartPath(row.Id)))
            {
            }
            return TypedResults.Created($"/api/v1/uploads/{row.Id}", ToDto(row));
        }).Require(Permission.Upload).Idempotent().WithName("CreateUpload");

        api.MapGet("/uploads/{uploadId}", async Task<IResult> (string uploadId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var row = await VisibleUploadAsync(http, store, uploadId, ct);
            return row is null ? Problems.NotFound("upload", uploadId) : TypedResults.Ok(ToDto(row));
        }).Require(Permission.Upload).WithName("GetUpload");

        api.MapPut("/uploads/{uploadId}", async Task<IResult> (string uploadId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var row = await VisibleUploadAsync(http, store, uploadId, ct);
            if (row is null)
                return Problems.NotFound("upload", uploadId);
            if (row.Status != UploadStore.Open)
                return Problems.Conflict($"upload {uploadId} is {row.Status}; start a new upload to send the delivery again");
            if (!TryRange(http.Request.Headers.ContentRange.ToString(), out var from, out var to, out var total) || total != row.ExpectedSize)
                return Problems.BadRequest($"Content-Range must read 'bytes FROM-TO/{row.ExpectedSize}' (inclusive byte positions of this chunk)");
            if (from != row.ReceivedBytes)
            {
                http.Response.Headers["Upload-Offset"] = row.ReceivedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.Conflict($"the server holds {row.ReceivedBytes} bytes of this upload; send the chunk that starts there (Content-Range: bytes {row.ReceivedBytes}-…/{row.ExpectedSize})");
            }
            var length = to - from + 1;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = length;
            long written = 0;
            await using (var part = new FileStream(store.Blobs.PartPath(row.Id), FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                // A chunk cut off halfway leaves its bytes past the mark; the next chunk at the mark overwrites them.
                part.Seek(from, SeekOrigin.Begin);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await http.Request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - written)), ct)) > 0)
                {
                    await part.WriteAsync(buffer.AsMemory(0, read), ct);
                    written += read;
                    if (written == length)
                        break;
                }
                if (written < length)
                    return Problems.BadRequest($"the chunk ended after {written} of its {length} bytes; send it again from byte {from}");
                part.SetLength(to + 1);
            }
            if (!await store.Uploads.AdvanceAsync(row.Id, from, to + 1, ct))
                return Problems.Conflict("another chunk of this upload arrived at the same time; ask GET /api/v1/uploads/{id} where to go on");
            return TypedResults.Ok(ToDto(row with { ReceivedBytes = to + 1 }));
        }).Require(Permission.Upload).WithName("PutUploadChunk");

        api.MapPost("/uploads/{uploadId}/complete", async Task<IResult> (string uploadId, CompleteUpload body, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var row = await VisibleUploadAsync(http, store, uploadId, ct);
            if (row is null)
                return Problems.NotFound("upload", uploadId);
            if (row.Status != UploadStore.Open)
                return Problems.Conflict($"upload {uploadId} is {row.Status} already");
            if (row.ReceivedBytes != row.ExpectedSize)
                return Problems.Conflict($"the server holds {row.ReceivedBytes} of {row.ExpectedSize} bytes; send the rest first");
            var blob = await store.Blobs.CommitPartAsync(row.Id, ct);
            if (body.Sha256 is { Length: > 0 } expected && !string.Equals(expected, blob.Sha256, StringComparison.OrdinalIgnoreCase))
                return Problems.BadRequest($"the received bytes hash to {blob.Sha256}, not {expected}; the upload was corrupted, start a new one");
            await store.BlobIndex.RecordAsync(blob.Sha256, blob.Size, ct);
            await store.Uploads.CompleteAsync(row.Id, blob.Sha256, ct);
            await store.Releases.SetDeliveryAsync(row.ReleaseId, blob.Sha256, row.FileName, blob.Size, ct);
            return TypedResults.Ok(new ReleaseEndpoints.DeliveryDto(blob.Sha256, blob.Size, row.FileName));
        }).Require(Permission.Upload).WithName("CompleteUpload");
    }

    private static async Task<UploadRow?> VisibleUploadAsync(HttpContext http, AssayStore store, string uploadId, CancellationToken ct)
    {
        var scope = http.Scope();
        var row = await store.Uploads.GetAsync(scope.TenantId, uploadId, ct);
        return row is not null && await store.Releases.GetAsync(scope, row.ReleaseId, ct) is not null ? row : null;
    }

    /// <summary>Parses <c>bytes FROM-TO/TOTAL</c>.</summary>
    internal static bool TryRange(string header, out long from, out long to, out long total)
    {
        from = to = total = 0;
        if (!header.StartsWith("bytes ", StringComparison.Ordinal))
            return false;
        var parts = header[6..].Split('/', 2);
        var span = parts[0].Split('-', 2);
        return parts.Length == 2 && span.Length == 2
            && long.TryParse(span[0], System.Globalization.NumberStyles.None, null, out from)
            && long.TryParse(span[1], System.Globalization.NumberStyles.None, null, out to)
            && long.TryParse(parts[1], System.Globalization.NumberStyles.None, null, out total)
            && from <= to && to < total;
    }

    private static UploadDto ToDto(UploadRow r) => new(r.Id, r.ReleaseId, r.FileName, r.ExpectedSize, r.ReceivedBytes, r.Status);
}
