using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Assay.Store.Access;

namespace Assay.Server.Tests;

/// <summary>
/// The tenant-isolation matrix: every operation of the OpenAPI document × every caller (no key,
/// the system administrator, each role of tenant A) × {A's own ids, tenant B's ids}. The expected
/// status comes from <see cref="Table"/>, written from the role table of the issue, not from the
/// code: a route added without an entry fails <see cref="ApiSuite.IsolationMatrix_EveryRouteRoleAndTenant_AnswersAsTheTable"/>.
/// </summary>
internal static class IsolationMatrix
{
    /// <summary>How one operation must answer.</summary>
    /// <param name="Needs">Permission a tenant role needs (null: open to anyone, e.g. /healthz).</param>
    /// <param name="TenantData">True: a system administrator (no tenant) gets 403.</param>
    /// <param name="Own">Statuses allowed on the caller's own ids when the role holds the permission.</param>
    /// <param name="System">For non-tenant routes: the system administrator's status on (own, other) ids.</param>
    /// <param name="Body">The request body for a world (A for own, B for other) and a counter (unique names).</param>
    /// <param name="Release">Which release the {releaseId} of this route names (the scanned one or the tiny one).</param>
    public sealed record Spec(Permission? Needs, bool TenantData, int[] Own, (int Own, int Other)? System = null,
        Func<TenantWorld, int, object?>? Body = null, bool Tiny = false, Action<HttpRequestMessage>? Headers = null, bool SystemOnly = false);

    private static readonly int[] Ok = [200];

    public static IReadOnlyDictionary<string, Spec> Table { get; } = new Dictionary<string, Spec>(StringComparer.Ordinal)
    {
        ["GET /healthz"] = new(null, false, Ok),
        ["GET /readyz"] = new(null, false, Ok),
        ["POST /api/v1/tenants"] = new(Permission.ManageKeys, false, [201], Body: (_, n) => new { name = $"matrix tenant {n}" }, SystemOnly: true),
        ["GET /api/v1/tenants"] = new(Permission.ManageKeys, false, Ok, SystemOnly: true),
        ["POST /api/v1/api-keys"] = new(Permission.ManageKeys, false, [201], System: (201, 201), Body: (w, n) => new { tenantId = w.TenantId, role = "viewer", name = $"matrix {n}" }),
        ["GET /api/v1/api-keys"] = new(Permission.ManageKeys, false, Ok, System: (200, 200)),
        ["DELETE /api/v1/api-keys/{keyId}"] = new(Permission.ManageKeys, false, [204], System: (204, 204)),
        ["POST /api/v1/projects"] = new(Permission.CreateProject, true, [201], Body: (_, n) => new { name = $"matrix {n}", vendor = "Example Networks" }),
        ["GET /api/v1/projects"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/projects/{projectId}"] = new(Permission.Read, true, Ok),
        ["POST /api/v1/projects/{projectId}/releases"] = new(Permission.Upload, true, [201], Body: (_, n) => new { version = $"matrix-{n}" }),
        ["GET /api/v1/projects/{projectId}/releases"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/releases/{releaseId}"] = new(Permission.Read, true, Ok),
        ["PUT /api/v1/releases/{releaseId}/delivery"] = new(Permission.Upload, true, Ok, Body: (_, _) => new ByteArrayContent(new byte[16]), Tiny: true),
        ["POST /api/v1/releases/{releaseId}/uploads"] = new(Permission.Upload, true, [201], Body: (_, _) => new { fileName = "x.bin", size = 10 }, Tiny: true),
        ["GET /api/v1/uploads/{uploadId}"] = new(Permission.Upload, true, Ok),
        ["PUT /api/v1/uploads/{uploadId}"] = new(Permission.Upload, true, [200, 409], Body: (_, _) => new ByteArrayContent(new byte[10]),
            Headers: m => m.Content!.Headers.ContentRange = new ContentRangeHeaderValue(0, 9, 10)),
        ["POST /api/v1/uploads/{uploadId}/complete"] = new(Permission.Upload, true, [200, 409], Body: (_, _) => new { }),
        ["POST /api/v1/releases/{releaseId}/scans"] = new(Permission.Upload, true, [202], Tiny: true, Body: (_, _) => new { }),
        ["GET /api/v1/releases/{releaseId}/scans"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/scans/{scanId}"] = new(Permission.Read, true, Ok),
        ["POST /api/v1/scans/{scanId}/cancel"] = new(Permission.Upload, true, [409], Body: (_, _) => new { }),
        ["GET /api/v1/scans/{scanId}/evaluation"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/scans/{scanId}/sbom"] = new(Permission.Export, true, Ok),
        ["GET /api/v1/scans/{scanId}/sarif"] = new(Permission.Export, true, Ok),
        ["GET /api/v1/scans/{scanId}/report.html"] = new(Permission.Export, true, Ok),
        ["GET /api/v1/releases/{releaseId}/findings"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/releases/{releaseId}/components"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/releases/{releaseId}/files"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/projects/{projectId}/triage/{fingerprint}"] = new(Permission.Read, true, Ok),
        ["PUT /api/v1/projects/{projectId}/triage/{fingerprint}"] = new(Permission.Triage, true, Ok, Body: (_, _) => new { state = "in_triage" }),
        ["GET /api/v1/projects/{projectId}/triage/{fingerprint}/history"] = new(Permission.Read, true, Ok),
        ["POST /api/v1/projects/{projectId}/triage/{fingerprint}/decision"] = new(Permission.Approve, true, [409], Body: (_, _) => new { approve = true }),
        ["GET /api/v1/compare"] = new(Permission.Export, true, Ok),
        ["GET /api/v1/search"] = new(Permission.Read, true, Ok),
        ["GET /api/v1/audit"] = new(Permission.ReadAudit, false, Ok, System: (200, 200)),
        ["POST /api/v1/webhooks"] = new(Permission.ManageKeys, true, [201], Body: (_, n) => new { url = $"https://hooks.example.invalid/matrix/{n}", events = new[] { "scan.completed" } }),
        ["GET /api/v1/webhooks"] = new(Permission.ManageKeys, true, Ok),
        ["DELETE /api/v1/webhooks/{webhookId}"] = new(Permission.ManageKeys, true, [204]),
        ["GET /api/v1/webhooks/{webhookId}/deliveries"] = new(Permission.ManageKeys, true, Ok),
        ["GET /api/v1/scans/{scanId}/changes"] = new(Permission.Read, true, Ok),
        // The scanned release is its project's first: the diff stage ran and found nothing to compare with.
        ["GET /api/v1/scans/{scanId}/diff"] = new(Permission.Export, true, [404]),
        // The lab servers of the suites run with --no-vulns: the call is allowed and answers that there is nothing to re-match.
        ["POST /api/v1/admin/vulndb/rescan"] = new(Permission.ManageKeys, false, [202, 409], Body: (_, _) => new { }, SystemOnly: true),
    };

    /// <summary>Query strings of operations that take ids or terms there.</summary>
    public static IReadOnlyDictionary<string, string> Queries { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["GET /api/v1/compare"] = "?base={releaseId}&head={releaseId}",
        ["GET /api/v1/search"] = "?q=openssl",
        ["GET /api/v1/scans/{scanId}/sbom"] = "?format=spdx",
    };

    /// <summary>Every (method, path) of the OpenAPI document.</summary>
    public static IReadOnlyList<string> Operations(JsonElement document) =>
        [.. document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).Order(StringComparer.Ordinal)];
}
