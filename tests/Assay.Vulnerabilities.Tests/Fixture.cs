namespace Assay.Vulnerabilities.Tests;

/// <summary>Locates committed fixtures (copied beside the test assembly from <c>Fixtures/</c>) and makes scratch folders.</summary>
internal static class Fixture
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    public static string TempDir()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "assay-vuln-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>A database imported from the NVD fixtures, shared by the tests of one class.</summary>
public sealed class SampleDatabase : IDisposable
{
    public string Dir { get; } = Fixture.TempDir();
    public string DbPath => System.IO.Path.Combine(Dir, "vulns.db");
    public VulnerabilityDatabase Db { get; }

    public SampleDatabase()
    {
        VulnerabilityDatabase.Import(DbPath, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("nvd/page.json"), Fixture.Path("nvd/CVE-2099-0010.json"), Fixture.Path("nvd/CVE-2099-0100.json"), Fixture.Path("nvd/unbounded.jsonl"), Fixture.Path("osv")]);
        Db = VulnerabilityDatabase.Open(DbPath);
    }

    public void Dispose()
    {
        Db.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
