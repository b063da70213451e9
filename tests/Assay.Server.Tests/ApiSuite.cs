using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Assay.Engine;
using Assay.Reports;
using Assay.Store;
using Assay.Store.Access;

namespace Assay.Server.Tests;

/// <summary>
/// The API contract on a real server, run once on SQLite (<see cref="SqliteApiTests"/>) and once on
/// PostgreSQL (<see cref="PostgresApiTests"/>): the same requests, the same answers.
/// </summary>
public abstract class ApiSuite(LabWorld world)
{
    protected LabServer Server => world.Server;
    protected TenantWorld A => world.A;
    protected TenantWorld B => world.B;

    private Api As(TenantWorld world, Role role) => Server.Client(world.Keys[role]);

    [Fact]
    public async Task Evaluation_SameFile_EqualsTheCliJsonApartFromTimestampsAndWhereTheFileSat()
    {
        using var viewer = As(A, Role.Viewer);
        var served = await viewer.GetAsync($"/api/v1/scans/{A.ScanId}/evaluation");
        Assert.Equal(HttpStatusCode.OK, served.Status);
        // What 'assay scan FILE -f json --no-vulns' writes: the engine call and the JSON writer the CLI uses (ScanRunner, ReportOutput).
        var copy = Path.Combine(Directory.CreateTempSubdirectory("assay-cli-").FullName, Path.GetFileName(Repo.Sample));
        File.Copy(Repo.Sample, copy);
        using var cli = new MemoryStream();
        new JsonReportWriter().Write(ScanEngine.Run(new ScanRequest(copy) { SkipVulnerabilities = true }), cli);
        Assert.Equal(EvaluationJson.Masked(JsonDocument.Parse(cli.ToArray()).RootElement), EvaluationJson.Masked(served.Json!.Value));
        // The input is named as uploaded, not by the worker's per-attempt folder (a re-run would differ).
        Assert.Equal(Path.GetFileName(Repo.Sample), served.Json!.Value.GetProperty("input").GetProperty("path").GetString());
    }

    [Fact]
    public async Task JobsDashboard_OnPostgres_IsForSystemAdministratorsOnly()
    {
        using var system = Server.Client(Server.AdminKey);
        using var tenantAdmin = As(A, Role.Admin);
        var dashboard = await system.GetAsync("/admin/jobs");
        if (Server.Store.Database.Kind != StoreKind.Postgres)
        {
            Assert.NotEqual(HttpStatusCode.OK, dashboard.Status);   // no Hangfire on SQLite: scans run in process
            return;
        }
        Assert.Equal(HttpStatusCode.OK, dashboard.Status);
        Assert.Contains("Assay jobs", dashboard.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.GetAsync("/admin/jobs")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client(null).GetAsync("/admin/jobs")).Status);
    }

    [Fact]
    public async Task Scan_Status_HasStagesAndEndsSucceeded()
    {
        using var viewer = As(A, Role.Viewer);
        var scan = await viewer.GetAsync($"/api/v1/scans/{A.ScanId}");
        Assert.Equal("succeeded", scan.Json!.Value.GetProperty("status").GetString());
        var stages = scan.Json.Value.GetProperty("stages").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("status").GetString())).ToList();
        Assert.Equal([("unpack", "succeeded"), ("match", "succeeded"), ("diff", "succeeded"), ("report", "succeeded")], stages);
    }

    [Fact]
    public async Task NoKey_Is401_AndOtherTenantsObjectsAre404()
    {
        using var anonymous = Server.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/projects")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client("ask_000000000000_" + new string('A', 43)).GetAsync("/api/v1/projects")).Status);
        using var b = As(B, Role.Admin);
        foreach (var path in new[] { $"/api/v1/projects/{A.ProjectId}", $"/api/v1/releases/{A.ReleaseId}", $"/api/v1/scans/{A.ScanId}", $"/api/v1/scans/{A.ScanId}/evaluation", $"/api/v1/releases/{A.ReleaseId}/findings" })
        {
            var r = await b.GetAsync(path);
            Assert.True(r.Status == HttpStatusCode.NotFound, $"{path}: {(int)r.Status}");
            // The 404 for another tenant's id reads like the 404 for an id that never existed.
            var missing = await b.GetAsync(path.Replace(A.ProjectId, Guid.CreateVersion7().ToString()).Replace(A.ReleaseId, Guid.CreateVersion7().ToString()).Replace(A.ScanId, Guid.CreateVersion7().ToString()));
            Assert.Equal(r.Json!.Value.GetProperty("title").GetString(), missing.Json!.Value.GetProperty("title").GetString());
        }
        var list = await b.GetAsync("/api/v1/projects");
        Assert.DoesNotContain(A.ProjectId, list.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdempotencyKey_SameRequest_ReplaysTheFirstResponse_DifferentRequestIs422()
    {
        using var admin = As(A, Role.Admin);
        void Key(HttpRequestMessage m) => m.Headers.Add("Idempotency-Key", "create-ex2000");
        var first = await admin.PostAsync("/api/v1/projects", new { name = "EX2000", vendor = "Example Networks" }, Key);
        var again = await admin.PostAsync("/api/v1/projects", new { name = "EX2000", vendor = "Example Networks" }, Key);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Location, again.Location);
        var other = await admin.PostAsync("/api/v1/projects", new { name = "EX3000", vendor = "Example Networks" }, Key);
        Assert.Equal((HttpStatusCode)422, other.Status);
    }

    [Fact]
    public async Task ChunkedUpload_WrongOffsetIs409_ResumesWhereItStopped_HashIsChecked()
    {
        using var uploader = As(A, Role.Uploader);
        var release = await uploader.CreateAsync($"/api/v1/projects/{A.ProjectId}/releases", new { version = "chunked" });
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var upload = await uploader.CreateAsync($"/api/v1/releases/{release}/uploads", new { fileName = "big.bin", size = bytes.Length });
        async Task<Response> Chunk(int from, int to) => await uploader.PutAsync($"/api/v1/uploads/{upload}", new ByteArrayContent(bytes[from..(to + 1)]),
            m => m.Content!.Headers.ContentRange = new ContentRangeHeaderValue(from, to, bytes.Length));
        Assert.Equal(HttpStatusCode.OK, (await Chunk(0, 99_999)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Chunk(200_000, 299_999)).Status);
        Assert.Equal(100_000, (await uploader.GetAsync($"/api/v1/uploads/{upload}")).Json!.Value.GetProperty("receivedBytes").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await Chunk(100_000, 199_999)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await uploader.PostAsync($"/api/v1/uploads/{upload}/complete", new { })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Chunk(200_000, 299_999)).Status);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var done = await uploader.PostAsync($"/api/v1/uploads/{upload}/complete", new { sha256 = sha });
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Equal(sha, done.Json!.Value.GetProperty("sha256").GetString());
        var r = await uploader.GetAsync($"/api/v1/releases/{release}");
        Assert.Equal(sha, r.Json!.Value.GetProperty("delivery").GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Triage_FourEyes_HashChain_AndViewerCannotWrite()
    {
        using var analyst = As(A, Role.Analyst);
        var findings = (await analyst.GetAsync($"/api/v1/releases/{A.ReleaseId}/findings?severity=high&kind=finding")).Json!.Value.GetProperty("items");
        var high = findings.EnumerateArray().First(f => f.GetProperty("severity").GetString() is "high" or "critical").GetProperty("fingerprint").GetString()!;
        var path = $"/api/v1/projects/{A.ProjectId}/triage/{high}";

        using var viewer = As(A, Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsync(path, new { state = "exploitable" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await analyst.PutAsync(path, new { state = "exploitable", detail = "reachable from the web UI" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.PutAsync(path, new { state = "not_affected" })).Status);
        var proposed = await analyst.PutAsync(path, new { state = "not_affected", justification = "code_not_reachable" });
        Assert.Equal(HttpStatusCode.Accepted, proposed.Status);
        Assert.Equal("exploitable", proposed.Json!.Value.GetProperty("state").GetString());
        Assert.Equal("not_affected", proposed.Json.Value.GetProperty("pendingState").GetString());
        using var analystDecides = As(A, Role.Analyst);
        Assert.Equal(HttpStatusCode.Forbidden, (await analystDecides.PostAsync($"{path}/decision", new { approve = true })).Status);
        using var lead = As(A, Role.Lead);
        var approved = await lead.PostAsync($"{path}/decision", new { approve = true, comment = "checked the call graph" });
        Assert.Equal(HttpStatusCode.OK, approved.Status);
        Assert.Equal("not_affected", approved.Json!.Value.GetProperty("state").GetString());
        Assert.True(approved.Json.Value.GetProperty("chainIntact").GetBoolean());
        Assert.Equal(["set", "propose", "approve"], approved.Json.Value.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        // A lead's own proposal waits for another lead.
        Assert.Equal(HttpStatusCode.Accepted, (await lead.PutAsync(path, new { state = "false_positive" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PostAsync($"{path}/decision", new { approve = true })).Status);
        // Stale If-Match.
        var stale = await analyst.PutAsync(path, new { state = "in_triage" }, m => m.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\"")));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
    }

    [Fact]
    public async Task Triage_CarriesToTheNextReleaseByFingerprint()
    {
        using var admin = As(A, Role.Admin);
        var items = (await admin.GetAsync($"/api/v1/releases/{A.ReleaseId}/findings?kind=finding&severity=medium")).Json!.Value.GetProperty("items").EnumerateArray().ToList();
        var fingerprint = items.First(f => f.GetProperty("severity").GetString() == "medium").GetProperty("fingerprint").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/projects/{A.ProjectId}/triage/{fingerprint}", new { state = "resolved", detail = "fixed in 1.3.0 build" })).Status);
        var next = await admin.CreateAsync($"/api/v1/projects/{A.ProjectId}/releases", new { version = "1.3.0" });
        var renamed = Path.Combine(Directory.CreateTempSubdirectory("assay-rel-").FullName, "delivery-EX1000_1.3.0.zip");
        File.Copy(Repo.Sample, renamed);
        Assert.Equal(HttpStatusCode.OK, (await admin.UploadAsync(next, renamed)).Status);
        var scan = (await admin.PostAsync($"/api/v1/releases/{next}/scans")).Id;
        Assert.Equal("succeeded", (await admin.WaitForScanAsync(scan)).Json!.Value.GetProperty("status").GetString());
        var carried = (await admin.GetAsync($"/api/v1/releases/{next}/findings?limit=500")).Json!.Value.GetProperty("items").EnumerateArray()
            .First(f => f.GetProperty("fingerprint").GetString() == fingerprint);
        Assert.Equal("resolved", carried.GetProperty("triageState").GetString());
    }

    [Fact]
    public async Task Mutations_AreAudited_AuditorReadsTheLog_ViewerDoesNot()
    {
        using var auditor = As(A, Role.Auditor);
        var log = await auditor.GetAsync("/api/v1/audit?limit=500");
        Assert.Equal(HttpStatusCode.OK, log.Status);
        var actions = log.Json!.Value.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("POST /api/v1/projects", actions);
        Assert.Contains("PUT /api/v1/releases/{releaseId}/delivery", actions);
        Assert.Contains("POST /api/v1/releases/{releaseId}/scans", actions);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(A, Role.Viewer).GetAsync("/api/v1/audit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync("/api/v1/projects", new { name = "x", vendor = "y" })).Status);
    }

    [Fact]
    public async Task Search_FindsComponentsFilesAndRules_OnlyInTheCallersTenant()
    {
        using var viewer = As(A, Role.Viewer);
        var component = (await viewer.GetAsync($"/api/v1/releases/{A.ReleaseId}/components")).Json!.Value.GetProperty("items")[0];
        var purl = component.GetProperty("purl").GetString()!;
        var hits = await viewer.GetAsync($"/api/v1/search?q={Uri.EscapeDataString(purl)}");
        Assert.Contains(hits.Json!.Value.GetProperty("items").EnumerateArray(), h => h.GetProperty("kind").GetString() == "component" && h.GetProperty("releaseId").GetString() == A.ReleaseId);
        var file = (await viewer.GetAsync($"/api/v1/releases/{A.ReleaseId}/files?limit=500")).Json!.Value.GetProperty("items").EnumerateArray().First(f => f.GetProperty("sha256").ValueKind == JsonValueKind.String);
        var bySha = await viewer.GetAsync($"/api/v1/search?q={file.GetProperty("sha256").GetString()}");
        Assert.NotEmpty(bySha.Json!.Value.GetProperty("items").EnumerateArray());
        // B scanned the same delivery: it finds the component in its own release, never in A's.
        var theirs = await As(B, Role.Admin).GetAsync($"/api/v1/search?q={Uri.EscapeDataString(purl)}");
        Assert.Contains(B.ReleaseId, theirs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(A.ReleaseId, theirs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_AreTheCliWriters()
    {
        using var auditor = As(A, Role.Auditor);
        var cdx = await auditor.GetAsync($"/api/v1/scans/{A.ScanId}/sbom?format=cyclonedx");
        Assert.Equal("CycloneDX", cdx.Json!.Value.GetProperty("bomFormat").GetString());
        var spdx = await auditor.GetAsync($"/api/v1/scans/{A.ScanId}/sbom?format=spdx");
        Assert.Equal("SPDX-2.3", spdx.Json!.Value.GetProperty("spdxVersion").GetString());
        var sarif = await auditor.GetAsync($"/api/v1/scans/{A.ScanId}/sarif");
        Assert.Equal("2.1.0", sarif.Json!.Value.GetProperty("version").GetString());
        var html = await auditor.GetAsync($"/api/v1/scans/{A.ScanId}/report.html");
        Assert.StartsWith("<!DOCTYPE html>", html.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(A, Role.Viewer).GetAsync($"/api/v1/scans/{A.ScanId}/sarif")).Status);
    }

    [Fact]
    public async Task IsolationMatrix_EveryRouteRoleAndTenant_AnswersAsTheTable()
    {
        using var anonymous = Server.Client(null);
        var document = (await anonymous.GetAsync("/openapi/v1.json")).Json!.Value;
        var operations = IsolationMatrix.Operations(document);
        Assert.Empty(operations.Except(IsolationMatrix.Table.Keys));   // a route without a table entry
        Assert.Empty(IsolationMatrix.Table.Keys.Except(operations));   // a table entry without a route

        var callers = new List<(string Name, string? Key, Role? Role, bool System)> { ("anonymous", null, null, false), ("system admin", Server.AdminKey, null, true) };
        callers.AddRange(Enum.GetValues<Role>().Select(r => ($"A {r.Name()}", (string?)A.Keys[r], (Role?)r, false)));
        var leaks = new List<string>();
        var mismatches = new List<string>();
        var counter = 0;
        var checks = 0;
        using var system = Server.Client(Server.AdminKey);
        foreach (var operation in operations)
        {
            var spec = IsolationMatrix.Table[operation];
            var method = new HttpMethod(operation[..operation.IndexOf(' ', StringComparison.Ordinal)]);
            var template = operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..] + IsolationMatrix.Queries.GetValueOrDefault(operation, "");
            var hasIds = template.Contains('{', StringComparison.Ordinal);
            foreach (var (name, key, role, isSystem) in callers)
            {
                foreach (var other in hasIds ? new[] { false, true } : [false])
                {
                    var world = other ? B : A;
                    var path = template.Replace("{projectId}", world.ProjectId).Replace("{releaseId}", spec.Tiny ? world.TinyReleaseId : world.ReleaseId)
                        .Replace("{scanId}", world.ScanId).Replace("{uploadId}", world.UploadId).Replace("{fingerprint}", world.Fingerprint);
                    if (path.Contains("{webhookId}", StringComparison.Ordinal))
                    {
                        using var owner = Server.Client(world.Keys[Role.Admin]);
                        path = path.Replace("{webhookId}", (await owner.PostAsync("/api/v1/webhooks", new { url = "https://hooks.example.invalid/sacrificial", events = new[] { "scan.completed" } })).Id);
                    }
                    if (path.Contains("{keyId}", StringComparison.Ordinal))
                        path = path.Replace("{keyId}", (await system.PostAsync("/api/v1/api-keys", new { tenantId = world.TenantId, role = "viewer", name = "sacrificial" })).Id);
                    int[] expected;
                    if (spec.Needs is null)
                        expected = spec.Own;
                    else if (key is null)
                        expected = [401];
                    else if (spec.SystemOnly)
                        expected = isSystem ? spec.Own : [403];
                    else if (isSystem)
                        expected = spec.TenantData ? [403] : [other ? spec.System!.Value.Other : spec.System!.Value.Own];
                    else if (!RolePermissions.Has(role!.Value, spec.Needs.Value))
                        expected = [403];
                    else
                        expected = other ? [404] : spec.Own;
                    using var client = Server.Client(key);
                    var body = spec.Body?.Invoke(world, Interlocked.Increment(ref counter));
                    var response = await client.SendAsync(method, path, body, spec.Headers);
                    checks++;
                    if (!expected.Contains((int)response.Status))
                        mismatches.Add($"{name} {(other ? "other" : "own")}: {method} {path} -> {(int)response.Status}, expected {string.Join("/", expected)}");
                    // A's callers must never read B's identifiers, whatever the route answers.
                    if (!isSystem && key is not null && !other && response.Status == HttpStatusCode.OK)
                    {
                        foreach (var id in new[] { B.TenantId, B.ProjectId, B.ReleaseId, B.ScanId, B.TinyReleaseId, B.UploadId })
                        {
                            if (response.Text.Contains(id, StringComparison.Ordinal))
                                leaks.Add($"{name}: {method} {path} returned B's id {id}");
                        }
                    }
                }
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checks} answers differ from the table:\n{string.Join("\n", mismatches)}");
        Assert.True(leaks.Count == 0, $"{leaks.Count} leaks:\n{string.Join("\n", leaks)}");
        Assert.True(checks > 400, $"only {checks} checks ran");
    }

    [Fact]
    public async Task Compare_IsTheHistoryLibrarysReleaseDiff()
    {
        using var analyst = As(A, Role.Analyst);
        var diff = await analyst.GetAsync($"/api/v1/compare?base={A.ReleaseId}&head={A.ReleaseId}");
        Assert.Equal(HttpStatusCode.OK, diff.Status);
        Assert.Equal("https://assay.dev/schemas/release-diff/1.0", diff.Json!.Value.GetProperty("schema").GetString());
        Assert.Empty(diff.Json.Value.GetProperty("findings").GetProperty("new").EnumerateArray());
        Assert.True(diff.Json.Value.GetProperty("findings").GetProperty("unchanged").GetInt32() > 0);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(A, Role.Viewer).GetAsync($"/api/v1/compare?base={A.ReleaseId}&head={A.ReleaseId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync($"/api/v1/compare?base={A.ReleaseId}&head={B.ReleaseId}")).Status);
    }

    [Fact]
    public async Task ScanDiff_IsTheReleaseDiffAgainstTheNearestEarlierReleaseWithAnEvaluation()
    {
        using var admin = As(A, Role.Admin);
        var project = await admin.CreateAsync("/api/v1/projects", new { name = "EX-diff", vendor = "Example Networks", networkFunction = "UPF" });
        async Task<string> ScanAsync(string version, bool upload)
        {
            var release = await admin.CreateAsync($"/api/v1/projects/{project}/releases", new { version });
            if (!upload)
                return release;
            Assert.Equal(HttpStatusCode.OK, (await admin.UploadAsync(release, Repo.Sample)).Status);
            var scanId = (await admin.PostAsync($"/api/v1/releases/{release}/scans")).Id;
            var done = await admin.WaitForScanAsync(scanId);
            Assert.True(done.Json?.GetProperty("status").GetString() == "succeeded", done.Text);
            return scanId;
        }
        var first = await ScanAsync("1.0", upload: true);
        await ScanAsync("1.1-never-scanned", upload: false);
        var third = await ScanAsync("1.2", upload: true);

        var none = await admin.GetAsync($"/api/v1/scans/{first}/diff");
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Contains("first release", none.Text, StringComparison.Ordinal);
        var diff = await admin.GetAsync($"/api/v1/scans/{third}/diff");
        Assert.Equal(HttpStatusCode.OK, diff.Status);
        Assert.Equal("https://assay.dev/schemas/release-diff/1.0", diff.Json!.Value.GetProperty("schema").GetString());
        Assert.Empty(diff.Json.Value.GetProperty("findings").GetProperty("new").EnumerateArray());
        Assert.True(diff.Json.Value.GetProperty("findings").GetProperty("unchanged").GetInt32() > 0);
        var stage = (await admin.GetAsync($"/api/v1/scans/{third}")).Json!.Value.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "diff");
        Assert.Contains($"against release 1.0 (scan {first})", stage.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(A, Role.Viewer).GetAsync($"/api/v1/scans/{third}/diff")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await As(B, Role.Admin).GetAsync($"/api/v1/scans/{third}/diff")).Status);
    }

    [Fact]
    public async Task Keys_ShownOnce_StoredHashed_RevokedKeyIs401()
    {
        using var admin = As(A, Role.Admin);
        var created = await admin.PostAsync("/api/v1/api-keys", new { role = "viewer", name = "temporary" });
        var key = created.Json!.Value.GetProperty("key").GetString()!;
        var list = await admin.GetAsync("/api/v1/api-keys");
        Assert.DoesNotContain(key, list.Text, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(Server.DataDirectory, "assay.db*"))
            Assert.DoesNotContain(key[^20..], File.ReadAllText(file, System.Text.Encoding.Latin1), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Server.Client(key).GetAsync("/api/v1/projects")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"/api/v1/api-keys/{created.Id}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client(key).GetAsync("/api/v1/projects")).Status);
        // A tenant admin cannot make keys for another tenant: it does not see it.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/api-keys", new { tenantId = B.TenantId, role = "admin" })).Status);
    }
}

public sealed class SqliteApiTests(SqliteWorld world) : ApiSuite(world), IClassFixture<SqliteWorld>;

public sealed class PostgresApiTests(PostgresWorld world) : ApiSuite(world), IClassFixture<PostgresWorld>;
