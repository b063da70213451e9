using System.Security.Cryptography;
using Assay.Server.Api;
using Assay.Server.Security;
using Assay.Store;
using Assay.Store.Access;
using Assay.Store.Data;

namespace Assay.Server.Webhooks;

/// <summary>
/// <c>/webhooks</c>: a tenant administrator registers endpoints (URL, events, secret), lists and
/// deletes them, and reads each one's recent deliveries (status, attempts, last answer).
/// </summary>
internal static class WebhookEndpoints
{
    /// <summary>Shortest and longest secret a caller may choose (none given: the server makes one).</summary>
    private const int MinSecretLength = 16, MaxSecretLength = 256;

    /// <summary>Deliveries listed per endpoint.</summary>
    private const int DeliveryListLimit = 100;

    public sealed record CreateWebhook(string? Url, IReadOnlyList<string>? Events, string? Secret);

    /// <summary>The endpoint as created; <see cref="Secret"/> is shown this once.</summary>
    public sealed record WebhookCreated(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

    public sealed record WebhookDto(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, string CreatedBy);

    public sealed record DeliveryDto(string Id, string Event, string Status, long Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt,
        DateTimeOffset? DeliveredAt, long? LastStatus, string? LastError, string? ResponseExcerpt);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/webhooks", async Task<IResult> (CreateWebhook body, HttpContext http, AssayStore store, ServerOptions options, CancellationToken ct) =>
        {
            var scope = http.Scope();
            if (scope.ProjectId is not null)
                return Problems.Forbidden("webhooks are tenant-wide; use a tenant-wide administrator key");
            var (refusal, created) = await CreateAsync(body, scope.TenantId, http.Caller()!.Actor, store, options, ct);
            return refusal is not null ? Problems.BadRequest(refusal) : TypedResults.Created($"/api/v1/webhooks/{created!.Id}", created);
        }).Require(Permission.ManageKeys).WithName("CreateWebhook");

        api.MapGet("/webhooks", async Task<IResult> (HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var rows = await store.Webhooks.ListAsync(http.Scope().TenantId, ct);
            return TypedResults.Ok(new Page<WebhookDto>([.. rows.Select(ToDto)], null));
        }).Require(Permission.ManageKeys).WithName("ListWebhooks");

        api.MapDelete("/webhooks/{webhookId}", async Task<IResult> (string webhookId, HttpContext http, AssayStore store, CancellationToken ct) =>
            await store.Webhooks.DeleteAsync(http.Scope().TenantId, webhookId, ct) ? TypedResults.NoContent() : Problems.NotFound("webhook", webhookId))
            .Require(Permission.ManageKeys).WithName("DeleteWebhook");

        api.MapGet("/webhooks/{webhookId}/deliveries", async Task<IResult> (string webhookId, HttpContext http, AssayStore store, CancellationToken ct) =>
        {
            var hook = await store.Webhooks.GetAsync(http.Scope().TenantId, webhookId, ct);
            if (hook is null)
                return Problems.NotFound("webhook", webhookId);
            var rows = await store.Outbox.ListAsync(hook.Id, DeliveryListLimit, ct);
            return TypedResults.Ok(new Page<DeliveryDto>([.. rows.Select(d => new DeliveryDto(d.Id, d.Event, d.Status, d.Attempts, Clock.ToTime(d.CreatedAt),
                d.Status == OutboxStore.Status.Pending ? Clock.ToTime(d.NextAttemptAt) : null, d.DeliveredAt is { } t ? Clock.ToTime(t) : null,
                d.LastStatus, d.LastError, d.ResponseExcerpt))], null));
        }).Require(Permission.ManageKeys).WithName("ListWebhookDeliveries");
    }

    /// <summary>Validates and registers an endpoint (the API and the admin page): a refusal saying what to change, or the endpoint with its secret.</summary>
    internal static async Task<(string? Refusal, WebhookCreated? Created)> CreateAsync(CreateWebhook body, string tenantId, string actor, AssayStore store, ServerOptions options, CancellationToken ct)
    {
        if (WebhookTargets.Refusal(body.Url, options.AllowPrivateWebhookTargets) is { } refusal)
            return (refusal, null);
        var events = (body.Events ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (events.Count == 0 || events.Any(e => !WebhookEvents.All.Contains(e, StringComparer.Ordinal)))
            return ($"events: give one or more of {string.Join(", ", WebhookEvents.All)}, e.g. {{\"events\": [\"findings.changed\"]}}", null);
        var secret = body.Secret;
        if (secret is not null && (secret.Length < MinSecretLength || secret.Length > MaxSecretLength))
            return ($"secret: give {MinSecretLength} to {MaxSecretLength} characters, or leave it out and the server makes one", null);
        secret ??= "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var row = await store.Webhooks.CreateAsync(tenantId, body.Url!, secret, events, actor, ct);
        return (null, new WebhookCreated(row.Id, row.Url, row.EventList, secret, Clock.ToTime(row.CreatedAt)));
    }

    internal static WebhookDto ToDto(WebhookRow r) => new(r.Id, r.Url, r.EventList, Clock.ToTime(r.CreatedAt), r.CreatedBy);
}
