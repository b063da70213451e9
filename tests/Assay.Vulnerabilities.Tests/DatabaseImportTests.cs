using System.IO.Compression;
using Assay.Core.Model;
using Assay.Vulnerabilities.Import;
using Assay.Vulnerabilities.Matching;

namespace Assay.Vulnerabilities.Tests;

public sealed class DatabaseImportTests : IDisposable
{
    private readonly string _dir = Fixture.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "v.db");

    private IReadOnlyList<string> Ids(string component, string version, string? cpe = null)
    {
        using var db = VulnerabilityDatabase.Open(Db);
        var c = new Component { Name = component, Version = version, Location = "/x", Cpe = cpe };
        return new VulnerabilityMatcher(db).Match([c]).Select(v => v.Id).ToList();
    }

    [Fact]
    public void Import_JsonLinesPageAndSingleFile_AddsEveryRecord()
    {
        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("nvd/page.json"), Fixture.Path("nvd/CVE-2099-0010.json")]);
        Assert.Equal(3, result.Files);
        Assert.Equal(11, result.Added);
        Assert.Empty(result.Issues);
        using var db = VulnerabilityDatabase.Open(Db);
        var status = db.GetStatus();
        Assert.Equal(11, status.Vulnerabilities);
        var nvd = Assert.Single(status.Sources);
        Assert.Equal(("nvd", 11L, 3L), (nvd.Name, nvd.Records, nvd.Files));
        Assert.Equal(new DateTimeOffset(2099, 1, 2, 0, 0, 0, TimeSpan.Zero), nvd.NewestModified);
    }

    [Fact]
    public void Import_GzipJsonLines_ReadsLikePlain()
    {
        var gz = Path.Combine(_dir, "sample.jsonl.gz");
        using (var output = File.Create(gz))
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
            zip.Write(File.ReadAllBytes(Fixture.Path("nvd/sample.jsonl")));
        var result = VulnerabilityDatabase.Import(Db, [gz]);
        Assert.Equal(8, result.Added);
        Assert.Contains("CVE-2014-0160", Ids("openssl", "1.0.1f"));
    }

    [Fact]
    public void Import_NewerRecord_ReplacesAndOlderIsIgnoredAndRejectedIsRemoved()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl")]);
        Assert.Contains("CVE-2014-0224", Ids("openssl", "1.0.1g"));
        Assert.Contains("CVE-2099-0005", Ids("dropbear", "2018.76"));

        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/update.jsonl")]);

        Assert.Equal((0, 1, 1, 1), (result.Added, result.Updated, result.Unchanged, result.Withdrawn));
        // Updated range ends at 1.0.1g (exclusive) now.
        Assert.DoesNotContain("CVE-2014-0224", Ids("openssl", "1.0.1g"));
        Assert.Contains("CVE-2014-0224", Ids("openssl", "1.0.1f"));
        // The older copy of CVE-2014-0160 (no configurations) did not replace the stored one.
        Assert.Contains("CVE-2014-0160", Ids("openssl", "1.0.1f"));
        Assert.DoesNotContain("CVE-2099-0005", Ids("dropbear", "2018.76"));
    }

    [Fact]
    public void Import_SameFilesTwice_ChangesNothing()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl")]);
        var second = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl")]);
        Assert.Equal((0, 0, 8), (second.Added, second.Updated, second.Unchanged));
    }

    [Fact]
    public void Import_MalformedRecords_ReportsFileAndLineAndKeepsTheRest()
    {
        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/malformed.jsonl")]);

        Assert.Equal(2, result.Added);
        Assert.Equal(3, result.Issues.Count);
        Assert.All(result.Issues, i => Assert.EndsWith("malformed.jsonl", i.Path));
        Assert.Equal(["line 2", "line 3 (CVE-2099-0022)", "line 4 (CVE-2099-0023)"], result.Issues.Select(i => i.Location));
        Assert.Contains("not valid JSON", result.Issues[0].Message);
        Assert.Contains("lastModified", result.Issues[1].Message);
        Assert.Contains("'lighttpd 1.4.19' is not a CPE 2.3 name", result.Issues[2].Message);
        Assert.Equal(["CVE-2099-0020", "CVE-2099-0024"], Ids("lighttpd", "1.4.19"));
    }

    [Fact]
    public void Import_StrictWithMalformedRecord_AbortsAndKeepsPreviousDatabase()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl")]);
        var before = File.ReadAllBytes(Db);

        var e = Assert.Throws<ImportAbortedException>(() =>
            VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/page.json"), Fixture.Path("nvd/malformed.jsonl")], new ImportOptions { Strict = true }));

        Assert.Contains("malformed.jsonl: line 2", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Db));
        Assert.Empty(Ids("dnsmasq", "2.77"));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Import_CancelledMidway_KeepsPreviousDatabase()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/CVE-2099-0010.json")]);
        var before = File.ReadAllBytes(Db);
        using var cts = new CancellationTokenSource();
        var options = new ImportOptions { OnFileDone = (_, _) => cts.Cancel() };

        Assert.Throws<ImportAbortedException>(() =>
            VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/page.json"), Fixture.Path("nvd/sample.jsonl")], options, cts.Token));

        Assert.Equal(before, File.ReadAllBytes(Db));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Import_OrphanedWorkingCopy_IsRemoved()
    {
        // PID 0x7FFFFFF0 is above Linux's pid_max (2^22), so no process has it.
        var orphan = Db + ".import-2147483632-deadbeef.tmp";
        File.WriteAllText(orphan, "left by a killed import");
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/CVE-2099-0010.json")]);
        Assert.False(File.Exists(orphan));
        Assert.Equal([Db], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Import_GzipBomb_StopsAtLimitWithClearIssue()
    {
        var bomb = Path.Combine(_dir, "bomb.jsonl.gz");
        using (var output = File.Create(bomb))
        using (var zip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
                zip.Write(zeros);
        }
        var limits = new ImportLimits { MaxDecompressedBytes = 8 << 20, MaxRecordBytes = 1 << 20 };

        var result = VulnerabilityDatabase.Import(Db, [bomb], new ImportOptions { Limits = limits });

        Assert.Equal(0, result.Added);
        Assert.Contains(result.Issues, i => i.Message.Contains("longer than the limit", StringComparison.Ordinal));
        Assert.Contains(result.Issues, i => i.Message.Contains("larger than the limit of 8,388,608 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_OsvJsonAndZip_StoresPackageRanges()
    {
        var zipPath = Path.Combine(_dir, "all.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
            zip.CreateEntryFromFile(Fixture.Path("osv/DEBIAN-TEST-0001.json"), "DEBIAN-TEST-0001.json");

        var result = VulnerabilityDatabase.Import(Db, [zipPath]);

        Assert.Equal(1, result.Added);
        using var db = VulnerabilityDatabase.Open(Db);
        var status = db.GetStatus();
        Assert.Equal("osv", Assert.Single(status.Sources).Name);
        // Debian ECOSYSTEM range, npm SEMVER range, npm version list; the GIT range is skipped.
        Assert.Equal(3, status.OsvRanges);
    }

    [Fact]
    public void Import_OsvVersionList_IsStoredAsAJsonArrayAndReadBack()
    {
        var osv = Path.Combine(_dir, "TEST-0002.json");
        File.WriteAllText(osv, """
            {"id": "TEST-0002", "modified": "2099-01-02T00:00:00Z",
             "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0", "1.1.0+build.1", "2.0.0-é"]}]}
            """);

        VulnerabilityDatabase.Import(Db, [osv]);

        // The stored form is the reflection serializer's with default options: '+' and non-ASCII
        // escaped by the default encoder. Databases built by earlier versions hold exactly this.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT versions FROM osv_range";
            Assert.Equal("""["1.0.0","1.1.0\u002Bbuild.1","2.0.0-\u00E9"]""", (string)command.ExecuteScalar()!);
        }
        using var db = VulnerabilityDatabase.Open(Db);
        var range = Assert.Single(db.GetOsvRanges("npm", "left-pad"));
        Assert.Equal(["1.0.0", "1.1.0+build.1", "2.0.0-é"], range.Row.Versions);
    }

    [Fact]
    public void Import_NvdRecordWithOnlyRequiredFields_StoresNoOptionalValues()
    {
        // The NVD API omits what a record lacks (no published date, metrics, weaknesses, configurations).
        var nvd = Path.Combine(_dir, "bare.jsonl");
        File.WriteAllText(nvd, """{"id":"CVE-2099-0200","lastModified":"2099-03-01T00:00:00.000"}""" + "\n");

        var result = VulnerabilityDatabase.Import(Db, [nvd]);

        Assert.Equal(1, result.Added);
        Assert.Empty(result.Issues);
        using var db = VulnerabilityDatabase.Open(Db);
        var stored = db.GetVulnerability(1);   // the first row of a new database
        Assert.Equal(("CVE-2099-0200", "nvd", (DateTimeOffset?)null, Severity.None), (stored.Id, stored.Source, stored.Published, stored.Severity));
        Assert.Equal(((double?)null, (string?)null, (double?)null, (string?)null, (string?)null), (stored.CvssV31Score, stored.CvssV31Vector, stored.CvssV40Score, stored.CvssV40Vector, stored.Description));
        Assert.Empty(stored.Cwes);
        Assert.Empty(stored.Aliases);
        Assert.Equal(0, db.GetStatus().CpeMatches);
    }

    [Fact]
    public void Import_Nvd11Feed_ReadsItemsAndChildNodes()
    {
        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/legacy-1.1.json")]);
        Assert.Equal(2, result.Added);
        Assert.Empty(result.Issues);
        using var db = VulnerabilityDatabase.Open(Db);
        var dropbear = Assert.Single(new VulnerabilityMatcher(db).Match([new Component { Name = "dropbear", Version = "2016.73", Location = "/x" }]));
        Assert.Equal(("CVE-2099-0030", 9.8, Severity.Critical), (dropbear.Id, dropbear.CvssV31Score!.Value, dropbear.Severity));
        Assert.Equal(["CWE-134"], dropbear.Cwes);
        var uboot = Assert.Single(new VulnerabilityMatcher(db).MatchAll([new Component { Name = "u-boot", Version = "2019.10", Location = "/x" }]).PlatformConditional);
        Assert.Equal(Severity.Medium, uboot.Severity);
        Assert.StartsWith("cpe:2.3:h:example:board", uboot.AppliesOnlyOn);
        Assert.Empty(new VulnerabilityMatcher(db).MatchAll([new Component { Name = "u-boot", Version = "2020.01", Location = "/x" }]).PlatformConditional);
    }

    [Fact]
    public void Import_NotAFeed_ReportsWhatItExpected()
    {
        var other = Path.Combine(_dir, "other.json");
        File.WriteAllText(other, """{"hello": "world"}""");
        var result = VulnerabilityDatabase.Import(Db, [other]);
        var issue = Assert.Single(result.Issues);
        Assert.Contains("neither an NVD API 2.0 cve object", issue.Message);
    }

    [Fact]
    public void Import_MissingInput_ThrowsNamingThePath()
    {
        var e = Assert.Throws<FileNotFoundException>(() => VulnerabilityDatabase.Import(Db, [Path.Combine(_dir, "nope.json")]));
        Assert.Contains("nope.json", e.Message);
        Assert.False(File.Exists(Db));
    }

    [Fact]
    public void Import_IntoNonDatabaseFile_FailsClearlyAndLeavesFile()
    {
        File.WriteAllText(Db, "these bytes are not a SQLite database, but they are long enough to be read as a header..");
        var e = Assert.Throws<InvalidDataException>(() => VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/CVE-2099-0010.json")]));
        Assert.Contains("the database is unchanged", e.Message);
        Assert.StartsWith("these bytes", File.ReadAllText(Db));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Open_MissingFile_SaysHowToCreateIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => VulnerabilityDatabase.Open(Db));
        Assert.Contains("assay db import", e.Message);
    }

    [Fact]
    public void Open_NotADatabase_IsRejectedClearly()
    {
        File.WriteAllText(Db, "not sqlite");
        var e = Assert.Throws<InvalidDataException>(() => VulnerabilityDatabase.Open(Db));
        Assert.Contains(Db, e.Message);
    }

    [Fact]
    public void DefaultPath_XdgDataHome_IsUsed()
    {
        var old = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", "/tmp/xdg-test");
            Assert.Equal(Path.Combine("/tmp/xdg-test", "assay", "vulnerabilities.db"), VulnerabilityDatabase.DefaultPath);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_DATA_HOME", old);
        }
    }
}
