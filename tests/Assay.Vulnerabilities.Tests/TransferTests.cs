using System.IO.Compression;
using Microsoft.Data.Sqlite;

namespace Assay.Vulnerabilities.Tests;

public sealed class TransferTests : IDisposable
{
    private readonly string _dir = Fixture.TempDir();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private string P(string name) => Path.Combine(_dir, name);

    private string Source()
    {
        VulnerabilityDatabase.Import(P("lab.db"), [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("kev/catalog.json"), Fixture.Path("epss/epss.csv")]);
        return P("lab.db");
    }

    [Fact]
    public void ExportThenImport_AirGappedCopyHasSameRecordsSourcesAndDates()
    {
        var exported = DatabaseTransfer.Export(Source(), P("carry.assaydb.gz"));
        Assert.True(DatabaseTransfer.IsDatabaseFile(P("carry.assaydb.gz")));
        Assert.Equal(64, exported.Sha256.Length);

        var imported = DatabaseTransfer.Import(P("gapped/vulns.db"), P("carry.assaydb.gz"));

        Assert.Equal(exported.Sha256, imported.Sha256);
        using var db = VulnerabilityDatabase.Open(P("gapped/vulns.db"));
        var status = db.GetStatus();
        Assert.Equal(8, status.Vulnerabilities);
        Assert.Equal(exported.Status.Sources, status.Sources);
    }

    [Fact]
    public void Import_TruncatedExport_RefusedAndDatabaseUnchanged()
    {
        DatabaseTransfer.Export(Source(), P("carry.gz"));
        var whole = File.ReadAllBytes(P("carry.gz"));
        File.WriteAllBytes(P("cut.gz"), whole[..(whole.Length / 2)]);
        VulnerabilityDatabase.Import(P("target.db"), [Fixture.Path("nvd/CVE-2099-0010.json")]);
        var before = File.ReadAllBytes(P("target.db"));

        var e = Assert.Throws<InvalidDataException>(() => DatabaseTransfer.Import(P("target.db"), P("cut.gz")));

        Assert.Contains("truncated or corrupt", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(P("target.db")));
    }

    [Fact]
    public void Import_DatabaseWithATrigger_Refused()
    {
        File.Copy(Source(), P("evil.db"));
        using (var c = new SqliteConnection($"Data Source={P("evil.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TRIGGER t AFTER INSERT ON kev BEGIN DELETE FROM vulnerability; END;";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<InvalidDataException>(() => DatabaseTransfer.Import(P("target.db"), P("evil.db")));
        Assert.Contains("trigger 't'", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(P("target.db")));
    }

    [Theory]
    // fuzz smoke vulns:db-export: a last_import of ':099-01-02T00:00:00.000Z' threw FormatException out of the import
    [InlineData("UPDATE source SET last_import = ':099-01-02T00:00:00.000Z'")]
    [InlineData("UPDATE source SET newest_modified = 'yesterday'")]
    public void Import_ValuesAssayNeverWrites_AreRefusedAsDamaged(string damage)
    {
        File.Copy(Source(), P("odd.db"));
        using (var c = new SqliteConnection($"Data Source={P("odd.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = damage;
            Assert.True(cmd.ExecuteNonQuery() > 0, "the fixture database has source rows to damage");
        }
        var e = Assert.Throws<InvalidDataException>(() => DatabaseTransfer.Import(P("target.db"), P("odd.db")));
        Assert.Contains("not a sound Assay database export", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(P("target.db")));
    }

    [Fact]
    public void IsDatabaseFile_FeedFilesAndGzipOfOtherData_AreNot()
    {
        using (var gz = new GZipStream(File.Create(P("x.json.gz")), CompressionLevel.Fastest))
            gz.Write(File.ReadAllBytes(Fixture.Path("kev/catalog.json")));
        Assert.False(DatabaseTransfer.IsDatabaseFile(P("x.json.gz")));
        Assert.False(DatabaseTransfer.IsDatabaseFile(Fixture.Path("epss/epss.csv")));
        Assert.True(DatabaseTransfer.IsDatabaseFile(Source()));
    }
}
