using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Assay.Server.Webhooks;
using Assay.Store;
using Assay.Store.Access;
using Assay.Vulnerabilities;

namespace Assay.Server.Tests;

/// <summary>
/// Re-matching on a new vulnerability database and the webhook outbox, on a real server with a
/// real receiver (Kestrel), once on SQLite and once on PostgreSQL. The two vulnerability databases
/// are made from the snapshot bundled with Assay (real NVD records of the sample's components):
/// "old" holds records 0–29, "new" records 15–43, so the re-match both introduces and resolves.
/// </summary>
public abstract class RescanWebhookSuite
{
    /// <summary>A connection string of a fresh PostgreSQL database, or null for SQLite.</summary>
    protected abstract Task<string?> StoreAsync();

    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private sealed record Tenant(string TenantId, string AdminKey, string ProjectId, string ReleaseId, string TinyReleaseId);

    private static async Task<Tenant> TenantAsync(LabServer server, string name)
    {
        using var system = server.Client(server.AdminKey);
        var tenant = await system.CreateAsync("/api/v1/tenants", new { name });
        var r = await system.PostAsync("/api/v1/api-keys", new { tenantId = tenant, role = "admin", name = $"{name} admin" });
        var key = r.Json!.Value.GetProperty("key").GetString()!;
        using var admin = server.Client(key);
        var project = await admin.CreateAsync("/api/v1/projects", new { name = "EX1000", vendor = "Example Networks" });
        var release = await admin.CreateAsync($"/api/v1/projects/{project}/releases", new { version = "1.2.0" });
        Assert.Equal(HttpStatusCode.OK, (await admin.UploadAsync(release, Repo.Sample)).Status);
        var tiny = await admin.CreateAsync($"/api/v1/projects/{project}/releases", new { version = "tiny" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/releases/{tiny}/delivery", new ByteArrayContent(new byte[16]))).Status);
        return new Tenant(tenant, key, project, release, tiny);
    }

    /// <summary>A vulnerability database of lines [<paramref name="from"/>, <paramref name="to"/>) of the bundled NVD snapshot.</summary>
    private static string Database(string folder, string name, int from, int to)
    {
        var lines = new List<string>();
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(Repo.Root, "src", "Assay.Vulnerabilities", "Data", "snapshot", "nvd.jsonl.gz")), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            while (reader.ReadLine() is { } line)
                lines.Add(line);
        }
        var feed = Path.Combine(folder, $"{name}.jsonl");
        File.WriteAllLines(feed, lines.Skip(from).Take(to - from));
        var db = Path.Combine(folder, $"{name}.db");
        VulnerabilityDatabase.Import(db, [feed], new ImportOptions { Strict = true });
        return db;
    }

    private static async Task<string> WaitAsync(Api api, string scanId)
    {
        var done = await api.WaitForScanAsync(scanId, TimeSpan.FromMinutes(2));
        Assert.True(done.Json?.GetProperty("status").GetString() == "succeeded", done.Text);
        return scanId;
    }

    /// <summary>The database a server matches against (lines 0-30 of the snapshot) and a newer one to replace it with (lines 15-44).</summary>
    private static (string Live, string Fresh) LiveAndNewer(string folder)
    {
        var live = Path.Combine(folder, "vulnerabilities.db");
        File.Copy(Database(folder, "old", 0, 30), live);
        return (live, Database(folder, "new", 15, 44));
    }

    private static JsonElement Body(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public async Task Watch_DatabaseReplacedWhileServing_ReMatchesWithoutAnyoneAsking()
    {
        var folder = Directory.CreateTempSubdirectory("assay-rescan-").FullName;
        try
        {
            var (live, fresh) = LiveAndNewer(folder);
            await using var server = await LabServer.StartAsync(await StoreAsync(), o => o with
            {
                SkipVulnerabilities = false, VulnerabilityDatabase = live, VulnerabilityDatabaseCheck = TimeSpan.FromSeconds(1),
            });
            var tenant = await TenantAsync(server, "watch");
            using var admin = server.Client(tenant.AdminKey);
            var first = await WaitAsync(admin, (await admin.PostAsync($"/api/v1/releases/{tenant.ReleaseId}/scans")).Id);
            await Task.Delay(TimeSpan.FromSeconds(2.5));   // checks with the same database queue nothing
            Assert.Equal(first, (await admin.GetAsync($"/api/v1/releases/{tenant.ReleaseId}")).Json!.Value.GetProperty("latestScanId").GetString());

            File.Copy(fresh, live + ".tmp");
            File.Move(live + ".tmp", live, overwrite: true);
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            string? latest = first;
            while (latest == first && DateTime.UtcNow < until)
            {
                await Task.Delay(200);
                latest = (await admin.GetAsync($"/api/v1/releases/{tenant.ReleaseId}")).Json!.Value.GetProperty("latestScanId").GetString();
            }
            Assert.NotEqual(first, latest);
            var rematch = (await admin.GetAsync($"/api/v1/scans/{await WaitAsync(admin, latest!)}")).Json!.Value;
            Assert.Equal("rematch", rematch.GetProperty("kind").GetString());
            Assert.Equal(first, rematch.GetProperty("baseScanId").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Rescan_NewVulnerabilityDatabase_RematchEqualsAFreshScan_ChangesStored_AndSignedWebhooksRetried()
    {
        var folder = Directory.CreateTempSubdirectory("assay-rescan-").FullName;
        try
        {
            var (live, fresh) = LiveAndNewer(folder);
            await using var receiver = await WebhookReceiver.StartAsync();
            receiver.FailFirst = 1;   // the first delivery is refused once: it must come again
            await using var server = await LabServer.StartAsync(await StoreAsync(), o => o with
            {
                SkipVulnerabilities = false, VulnerabilityDatabase = live, AllowPrivateWebhookTargets = true,
                WebhookRetryBase = TimeSpan.FromMilliseconds(300),
            });
            var tenant = await TenantAsync(server, "rescan");
            using var admin = server.Client(tenant.AdminKey);
            var hook = await admin.PostAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "scan.completed", "findings.changed" } });
            Assert.Equal(HttpStatusCode.Created, hook.Status);
            var secret = hook.Json!.Value.GetProperty("secret").GetString()!;
            Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

            var first = await WaitAsync(admin, (await admin.PostAsync($"/api/v1/releases/{tenant.ReleaseId}/scans")).Id);
            var completed = await receiver.WaitAsync(r => r.Event == "scan.completed");
            Assert.True(WebhookSignature.Verify(secret, completed.Signature, completed.Body, DateTimeOffset.UtcNow, Tolerance), completed.Signature);
            Assert.Equal(first, Body(completed).GetProperty("data").GetProperty("scanId").GetString());
            Assert.Equal(completed.DeliveryId, Body(completed).GetProperty("id").GetString());
            // The refused attempt and the accepted one carry the same delivery id (receivers dedupe on it).
            Assert.Equal(2, receiver.Requests.Count(r => r.DeliveryId == completed.DeliveryId));
            var oldDb = (await admin.GetAsync($"/api/v1/scans/{first}")).Json!.Value.GetProperty("vulnerabilityDatabase").GetProperty("fingerprint").GetString();
            Assert.StartsWith("sha256:", oldDb, StringComparison.Ordinal);

            // Nothing to do while the database is the one the evaluation came from.
            using var system = server.Client(server.AdminKey);
            var idle = await system.PostAsync("/api/v1/admin/vulndb/rescan");
            Assert.Equal(HttpStatusCode.Accepted, idle.Status);
            Assert.Equal(0, idle.Json!.Value.GetProperty("queued").GetInt32());

            // 'assay db update' replaces the file with one rename; the admin call re-matches.
            File.Copy(fresh, live + ".tmp");
            File.Move(live + ".tmp", live, overwrite: true);
            var plan = await system.PostAsync("/api/v1/admin/vulndb/rescan");
            Assert.Equal(HttpStatusCode.Accepted, plan.Status);
            Assert.Equal(1, plan.Json!.Value.GetProperty("queued").GetInt32());
            var rematch = await WaitAsync(admin, plan.Json.Value.GetProperty("scans")[0].GetString()!);
            var scan = (await admin.GetAsync($"/api/v1/scans/{rematch}")).Json!.Value;
            Assert.Equal("rematch", scan.GetProperty("kind").GetString());
            Assert.Equal(first, scan.GetProperty("baseScanId").GetString());
            Assert.Equal(["rematch", "report"], scan.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            var newDb = scan.GetProperty("vulnerabilityDatabase").GetProperty("fingerprint").GetString();
            Assert.NotEqual(oldDb, newDb);
            Assert.Equal(newDb, plan.Json.Value.GetProperty("database").GetProperty("fingerprint").GetString());

            // The re-matched evaluation is what a full scan with the new database gives.
            var full = await WaitAsync(admin, (await admin.PostAsync($"/api/v1/releases/{tenant.ReleaseId}/scans")).Id);
            var rematched = (await admin.GetAsync($"/api/v1/scans/{rematch}/evaluation")).Json!.Value;
            var scanned = (await admin.GetAsync($"/api/v1/scans/{full}/evaluation")).Json!.Value;
            Assert.Equal(EvaluationJson.Masked(scanned), EvaluationJson.Masked(rematched));
            var before = (await admin.GetAsync($"/api/v1/scans/{first}/evaluation")).Json!.Value.GetProperty("vulnerabilities").GetArrayLength();
            var after = rematched.GetProperty("vulnerabilities").GetArrayLength();

            // Changes: stored, in the API, and notified.
            var changes = (await admin.GetAsync($"/api/v1/scans/{rematch}/changes")).Json!.Value;
            var introduced = changes.GetProperty("introduced").GetInt32();
            var resolved = changes.GetProperty("resolved").GetInt32();
            Assert.True(introduced > 0 && resolved > 0, changes.GetRawText());
            Assert.Equal(after - before, introduced - resolved);
            var changed = await receiver.WaitAsync(r => r.Event == "findings.changed");
            Assert.True(WebhookSignature.Verify(secret, changed.Signature, changed.Body, DateTimeOffset.UtcNow, Tolerance));
            var data = Body(changed).GetProperty("data");
            Assert.Equal(rematch, data.GetProperty("scanId").GetString());
            Assert.Equal(introduced, data.GetProperty("introduced").GetInt32());
            Assert.Equal(newDb, data.GetProperty("vulnerabilityDatabase").GetProperty("fingerprint").GetString());

            // A tampered body or another secret does not verify.
            var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(changed.Body).Replace("introduced", "introduceD", StringComparison.Ordinal));
            Assert.False(WebhookSignature.Verify(secret, changed.Signature, tampered, DateTimeOffset.UtcNow, Tolerance));
            Assert.False(WebhookSignature.Verify("whsec_another_secret_entirely", changed.Signature, changed.Body, DateTimeOffset.UtcNow, Tolerance));

            var deliveries = (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}/deliveries")).Json!.Value.GetProperty("items").EnumerateArray().ToList();
            var retried = deliveries.Single(d => d.GetProperty("id").GetString() == completed.DeliveryId);
            Assert.Equal("delivered", retried.GetProperty("status").GetString());
            Assert.Equal(2, retried.GetProperty("attempts").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Outbox_ProcessDiesBetweenCommitAndSend_TheDeliveryIsInTheTableAndSentLater()
    {
        var data = Directory.CreateTempSubdirectory("assay-outbox-").FullName;
        var postgres = await StoreAsync();
        try
        {
            await using var receiver = await WebhookReceiver.StartAsync();
            string scanId;
            await using (var first = await LabServer.StartAsync(postgres, o => o with { SendWebhooks = false, AllowPrivateWebhookTargets = true }, data))
            {
                var tenant = await TenantAsync(first, "outbox");
                using var admin = first.Client(tenant.AdminKey);
                Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "scan.completed" } })).Status);
                scanId = await WaitAsync(admin, (await admin.PostAsync($"/api/v1/releases/{tenant.TinyReleaseId}/scans")).Id);
                // The scan committed; this process never sends (as if it died right after the commit).
                Assert.Equal(1, await first.Store.Outbox.PendingAsync());
            }
            Assert.Empty(receiver.Requests);
            await using var second = await LabServer.StartAsync(postgres, o => o with { AllowPrivateWebhookTargets = true }, data);
            var sent = await receiver.WaitAsync(r => r.Event == "scan.completed");
            Assert.Equal(scanId, Body(sent).GetProperty("data").GetProperty("scanId").GetString());
            Assert.Single(receiver.Requests);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Webhooks_InternalTargets_RefusedAtRegistrationAndAtConnection()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await LabServer.StartAsync(await StoreAsync(), o => o with { WebhookRetryBase = TimeSpan.FromMinutes(10) });
        var tenant = await TenantAsync(server, "ssrf");
        using var admin = server.Client(tenant.AdminKey);
        foreach (var url in new[] { "ftp://hooks.example.com/x", "file:///etc/passwd", "http://127.0.0.1:8080/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                     "http://10.1.2.3/x", "http://192.168.0.1/x", "http://localhost/x", "http://user:pw@hooks.example.com/x", "not a url", receiver.Url })
        {
            var r = await admin.PostAsync("/api/v1/webhooks", new { url, events = new[] { "scan.completed" } });
            Assert.True(r.Status == HttpStatusCode.BadRequest, $"{url}: {(int)r.Status} {r.Text}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/x", events = new[] { "scan.exploded" } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/x", events = new[] { "scan.completed" }, secret = "short" })).Status);
        using var system = server.Client(server.AdminKey);
        using var viewer = server.Client((await system.PostAsync("/api/v1/api-keys", new { tenantId = tenant.TenantId, role = "viewer", name = "v" })).Json!.Value.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/webhooks", new { url = "https://hooks.example.com/x", events = new[] { "scan.completed" } })).Status);

        // A name that resolves to this machine at send time (DNS changed after registration) is refused when connecting.
        var port = new Uri(receiver.Url).Port;
        var hook = await server.Store.Webhooks.CreateAsync(tenant.TenantId, $"http://localhost:{port}/hook", "whsec_test_secret_0123456789", ["scan.completed"], "test");
        await WaitAsync(admin, (await admin.PostAsync($"/api/v1/releases/{tenant.TinyReleaseId}/scans")).Id);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement delivery;
        do
        {
            await Task.Delay(100);
            delivery = (await admin.GetAsync($"/api/v1/webhooks/{hook.Id}/deliveries")).Json!.Value.GetProperty("items")[0];
        }
        while (delivery.GetProperty("attempts").GetInt32() == 0 && DateTime.UtcNow < until);
        Assert.Contains("internal addresses", delivery.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }
}

public sealed class SqliteRescanWebhookTests : RescanWebhookSuite
{
    protected override Task<string?> StoreAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresRescanWebhookTests : RescanWebhookSuite
{
    protected override async Task<string?> StoreAsync() => await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync();
}

/// <summary>The signature header as a receiver parses it: malformed, forged, stale and replayed headers are refused, never thrown on.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_0123456789abcdef";
    private static readonly byte[] Body = "{\"id\":\"x\"}"u8.ToArray();
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_765_000_000);

    [Fact]
    public void Sign_ThenVerify_Accepts_AndTheHeaderHasTheDocumentedShape()
    {
        var header = WebhookSignature.Sign(Secret, Now.ToUnixTimeSeconds(), Body);
        Assert.Matches("^t=1765000000,v1=[0-9a-f]{64}$", header);
        Assert.True(WebhookSignature.Verify(Secret, header, Body, Now, TimeSpan.FromMinutes(5)));
        // HMAC-SHA256(key, "1765000000." + body), computed independently of the production code path.
        using var mac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = Convert.ToHexStringLower(mac.ComputeHash([.. "1765000000."u8.ToArray(), .. Body]));
        Assert.EndsWith(expected, header, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("t=,v1=")]
    [InlineData("t=1765000000")]
    [InlineData("v1=00")]
    [InlineData("t=-5,v1=zz")]
    [InlineData("t=99999999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1765000000,v1=gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    [InlineData("=,=,=,,,t==1765000000")]
    public void Verify_MalformedHeader_IsRefusedWithoutThrowing(string? header) =>
        Assert.False(WebhookSignature.Verify(Secret, header, Body, Now, TimeSpan.FromMinutes(5)));

    [Fact]
    public void Verify_StaleTimestamp_IsRefused()
    {
        var header = WebhookSignature.Sign(Secret, Now.ToUnixTimeSeconds() - 3600, Body);
        Assert.False(WebhookSignature.Verify(Secret, header, Body, Now, TimeSpan.FromMinutes(5)));
    }
}

/// <summary>Which addresses a webhook may reach without --allow-private-webhooks.</summary>
public sealed class WebhookTargetTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.169.254", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.1.1.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("193.0.14.129", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void IsForbidden_InternalAddresses(string address, bool forbidden) =>
        Assert.Equal(forbidden, WebhookTargets.IsForbidden(System.Net.IPAddress.Parse(address)));

    [Fact]
    public void Refusal_PublicHttpsUrl_IsAccepted_AndPrivateOnesOnlyWithTheOption()
    {
        Assert.Null(WebhookTargets.Refusal("https://hooks.example.com/assay?x=1", allowPrivate: false));
        Assert.NotNull(WebhookTargets.Refusal("http://10.0.0.5:8080/hook", allowPrivate: false));
        Assert.Null(WebhookTargets.Refusal("http://10.0.0.5:8080/hook", allowPrivate: true));
        Assert.NotNull(WebhookTargets.Refusal("gopher://10.0.0.5/", allowPrivate: true));
        Assert.NotNull(WebhookTargets.Refusal("https://hooks.example.com/" + new string('a', 3000), allowPrivate: false));
    }

    /// <summary>Fuzz finding (server:webhook-url): a host System.Uri parses but cannot map to ASCII made IdnHost throw (a 500 on POST /webhooks).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Refusal_HostWithoutAnIdnaForm_IsRefusedNotThrown(bool allowPrivate)
    {
        var url = Encoding.UTF8.GetString([.. "https://hooks"u8.ToArray(), 0xff, 0xff, 0xff, 0xff, .. "mple.com/aesay?y=1"u8.ToArray()]);
        Assert.Contains("not a valid internationalized host name", WebhookTargets.Refusal(url, allowPrivate), StringComparison.Ordinal);
    }
}
