using System.Text.Json;
using System.Text.Json.Serialization;
using Assay.Core.Model;
using Assay.Store;
using Assay.Store.Data;

namespace Assay.Server.Webhooks;

/// <summary>
/// The events a webhook can subscribe to and the JSON bodies sent for them. Every body has the
/// delivery <c>id</c> (the same on every retry: receivers deduplicate on it), the <c>event</c>,
/// <c>createdAt</c> and the event's <c>data</c>; it is signed as sent (<see cref="WebhookSignature"/>).
/// </summary>
internal static class WebhookEvents
{
    /// <summary>A re-match found vulnerabilities introduced or resolved by a new vulnerability database.</summary>
    public const string FindingsChanged = "findings.changed";

    /// <summary>A scan of a delivery ended: <c>status</c> succeeded (its evaluation is in the store) or failed (<c>error</c> says why).</summary>
    public const string ScanCompleted = "scan.completed";

    /// <summary>Every event, sorted.</summary>
    public static IReadOnlyList<string> All { get; } = [FindingsChanged, ScanCompleted];

    /// <summary>At most this many changes are listed in one body (the counts are always whole; the API lists all).</summary>
    public const int MaxChangesInBody = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public sealed record Envelope<T>(string Id, string Event, DateTimeOffset CreatedAt, string TenantId, T Data);

    public sealed record Database(string? Fingerprint, string? Label);

    public sealed record ScanData(string ScanId, string ProjectId, string ReleaseId, string Kind, string Status, string? Error, Database VulnerabilityDatabase,
        long Components, long Findings, long Vulnerabilities, string Url);


    public sealed record ChangesData(string ScanId, string BaseScanId, string ProjectId, string ReleaseId, Database VulnerabilityDatabase,
        long Introduced, long Resolved, bool Truncated, IReadOnlyList<ChangeDto> Changes, string Url);

    public sealed record ChangeDto(string Change, string VulnerabilityId, string Component, string Severity, string Fingerprint);

    /// <param name="evaluation">The scan's evaluation; null when it failed (counts are 0).</param>
    public static string ScanCompletedBody(string deliveryId, ScanRow scan, Evaluation? evaluation) =>
        JsonSerializer.Serialize(new Envelope<ScanData>(deliveryId, ScanCompleted, Clock.ToTime(Clock.Now()), scan.TenantId,
            new ScanData(scan.Id, scan.ProjectId, scan.ReleaseId, scan.Kind, scan.Status, scan.Error, new Database(scan.VulndbFingerprint, scan.VulndbLabel),
                evaluation?.Components.Count ?? 0, evaluation?.Findings.Count ?? 0, evaluation?.Vulnerabilities.Count ?? 0, $"/api/v1/scans/{scan.Id}")), Json);

    public static string FindingsChangedBody(string deliveryId, ScanRow scan, IReadOnlyList<FindingsChangeRow> changes) =>
        JsonSerializer.Serialize(new Envelope<ChangesData>(deliveryId, FindingsChanged, Clock.ToTime(Clock.Now()), scan.TenantId,
            new ChangesData(scan.Id, scan.BaseScanId ?? "", scan.ProjectId, scan.ReleaseId, new Database(scan.VulndbFingerprint, scan.VulndbLabel),
                changes.Count(c => c.Change == RescanStore.Introduced), changes.Count(c => c.Change == RescanStore.Resolved), changes.Count > MaxChangesInBody,
                [.. changes.Take(MaxChangesInBody).Select(c => new ChangeDto(c.Change, c.VulnerabilityId, c.Component, c.Severity, c.Fingerprint))],
                $"/api/v1/scans/{scan.Id}/changes")), Json);
}
