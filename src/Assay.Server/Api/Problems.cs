using Microsoft.AspNetCore.Http.HttpResults;

namespace Assay.Server.Api;

/// <summary>
/// RFC 9457 problem responses with messages that name the thing, the value and the next step.
/// A 404 reads the same whether the object does not exist or belongs to someone else.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: 404, title: "Not found",
            detail: $"no {what} with id '{Trim(id)}' is visible to this key; check the id, or ask an administrator of its tenant for a key that covers it");

    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(statusCode: 400, title: "Bad request", detail: detail);

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: 413, title: "Payload too large", detail: $"the delivery is larger than this server accepts ({limit} bytes); start the server with a larger --max-upload");

    private static string Trim(string id) => id.Length > 80 ? id[..80] + "…" : id;
}
