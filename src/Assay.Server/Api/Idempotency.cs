using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Api;

/// <summary>
/// <c>Idempotency-Key</c> on creating POSTs: the first 2xx response is stored by (key owner, key)
/// and replayed for the same request; the same key with a different request is a 422.
/// </summary>
internal static class Idempotency
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;

    public static TBuilder Idempotent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var key = http.Request.Headers[Header].ToString();
            var caller = http.Caller();
            if (string.IsNullOrEmpty(key) || caller is null)
                return await next(context);
            if (key.Length > MaxKeyLength || key.Any(c => c < 0x21 || c > 0x7e))
                return Problems.BadRequest($"{Header} must be 1 to {MaxKeyLength} printable ASCII characters without spaces (a UUID is a good choice)");
            var store = http.RequestServices.GetRequiredService<AssayStore>();
            var json = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            var request = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
                $"{http.Request.Method} {http.Request.Path}\n{JsonSerializer.Serialize(context.Arguments.Where(a => a is not HttpContext and not CancellationToken).ToList(), json)}")));
            var scope = caller.KeyId;
            if (await store.Idempotency.GetAsync(scope, key, http.RequestAborted) is { } seen)
            {
                if (seen.RequestSha256 != request)
                    return TypedResults.Problem(statusCode: 422, title: "Idempotency-Key reused", detail: $"{Header} '{key}' was used for a different request; use a new key for a new request");
                http.Response.Headers["Idempotent-Replayed"] = "true";
                if (seen.Location is not null)
                    http.Response.Headers.Location = seen.Location;
                return TypedResults.Content(seen.Body, "application/json", Encoding.UTF8, (int)seen.Status);
            }
            var result = await next(context);
            if (result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } status && result is IValueHttpResult value)
            {
                var location = result.GetType().GetProperty("Location")?.GetValue(result) as string;
                await store.Idempotency.SaveAsync(new IdempotencyRow
                {
                    Scope = scope, Key = key, RequestSha256 = request, Status = status.StatusCode ?? 200, Location = location,
                    Body = JsonSerializer.Serialize(value.Value, json),
                }, http.RequestAborted);
            }
            return result;
        });
}
