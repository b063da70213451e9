using Assay.Store;
using Assay.Store.Migrations;

namespace Assay.Server.Api;

/// <summary><c>/healthz</c> (the process serves) and <c>/readyz</c> (the store answers at the newest schema).</summary>
internal static class HealthEndpoints
{
    public sealed record Readiness(string Status, string Store, long SchemaVersion, long QueuedScans, long RunningScans);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok\n")).WithName("Health").AllowAnonymous();
        app.MapGet("/readyz", async Task<IResult> (AssayStore store, CancellationToken ct) =>
        {
            try
            {
                var version = await Migrator.VersionAsync(store.Database, ct);
                var (queued, running) = await store.Scans.DepthAsync(ct);
                var ready = version == Migrator.All.Max(m => m.Version);
                var body = new Readiness(ready ? "ready" : "migrating", store.Database.Description, version, queued, running);
                return ready ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: 503);
            }
            catch (System.Data.Common.DbException e)
            {
                return TypedResults.Problem(statusCode: 503, title: "Store unavailable", detail: $"{store.Database.Description}: {e.Message}");
            }
        }).WithName("Ready").AllowAnonymous();
    }
}
