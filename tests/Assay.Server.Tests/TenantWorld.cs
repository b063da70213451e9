using System.Net;
using Assay.Store.Access;

namespace Assay.Server.Tests;

/// <summary>
/// One tenant set up through the API as a lab would: a key per role (tenant-wide), a project, a
/// release with the sample delivery uploaded and scanned to the end.
/// </summary>
public sealed record TenantWorld(string TenantId, IReadOnlyDictionary<Role, string> Keys, string ProjectId, string ReleaseId, string ScanId)
{
    /// <summary>A second release with a 16-byte delivery (scans of it are quick), and an open upload to it.</summary>
    public string TinyReleaseId { get; init; } = "";
    public string UploadId { get; init; } = "";

    /// <summary>The fingerprint of a low or medium finding of the scanned release.</summary>
    public string Fingerprint { get; init; } = "";
}

/// <summary>Sets up a <see cref="TenantWorld"/> through the API.</summary>
public static class TenantWorlds
{
    public static async Task<TenantWorld> CreateAsync(LabServer server, string name, bool scan = true)
    {
        using var system = server.Client(server.AdminKey);
        var tenant = await system.CreateAsync("/api/v1/tenants", new { name });
        var keys = new Dictionary<Role, string>();
        foreach (var role in Enum.GetValues<Role>())
        {
            var r = await system.PostAsync("/api/v1/api-keys", new { tenantId = tenant, role = role.Name(), name = $"{name} {role.Name()}" });
            Assert.True(r.Status == HttpStatusCode.Created, r.Text);
            keys[role] = r.Json!.Value.GetProperty("key").GetString()!;
        }
        using var admin = server.Client(keys[Role.Admin]);
        var project = await admin.CreateAsync("/api/v1/projects", new { name = "EX1000", vendor = "Example Networks", networkFunction = "gNB" });
        var release = await admin.CreateAsync($"/api/v1/projects/{project}/releases", new { version = "1.2.0" });
        var scanId = "";
        if (scan)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.UploadAsync(release, Repo.Sample)).Status);
            scanId = (await admin.PostAsync($"/api/v1/releases/{release}/scans")).Id;
            var done = await admin.WaitForScanAsync(scanId);
            if (done.Json?.GetProperty("status").GetString() != "succeeded")
                Assert.Fail($"{done.Text}\n{await server.ExplainAsync(scanId)}");
        }
        var tiny = await admin.CreateAsync($"/api/v1/projects/{project}/releases", new { version = "tiny" });
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/releases/{tiny}/delivery", new ByteArrayContent(new byte[16]))).Status);
        var upload = await admin.CreateAsync($"/api/v1/releases/{tiny}/uploads", new { fileName = "tiny.bin", size = 10 });
        var fingerprint = "";
        if (scan)
        {
            var findings = (await admin.GetAsync($"/api/v1/releases/{release}/findings?limit=500&kind=finding")).Json!.Value.GetProperty("items").EnumerateArray();
            fingerprint = findings.First(f => f.GetProperty("severity").GetString() is "low" or "info").GetProperty("fingerprint").GetString()!;
        }
        return new TenantWorld(tenant, keys, project, release, scanId) { TinyReleaseId = tiny, UploadId = upload, Fingerprint = fingerprint };
    }
}
