using System.IO.Compression;
using Assay.Core.Model;
using Assay.Vulnerabilities.Matching;

namespace Assay.Vulnerabilities.Tests;

public sealed class KevEpssImportTests : IDisposable
{
    private readonly string _dir = Fixture.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "v.db");

    private IReadOnlyList<Vulnerability> Match(string component, string version)
    {
        using var db = VulnerabilityDatabase.Open(Db);
        var evaluation = new Evaluation
        {
            Tool = new ToolInfo("assay", "0"),
            Input = new InputInfo("x", 0, new string('0', 64)),
            Components = [new Component { Name = component, Version = version, Location = "/x" }],
        };
        return VulnerabilityEnricher.Apply(evaluation, db).Vulnerabilities;
    }

    [Fact]
    public void Import_KevAndEpss_MatchesCarryListingAndScore()
    {
        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("kev/catalog.json"), Fixture.Path("epss/epss.csv")]);
        Assert.Empty(result.Issues);
        Assert.Equal(6, result.ExploitRows);

        var heartbleed = Assert.Single(Match("openssl", "1.0.1f"), v => v.Id == "CVE-2014-0160");
        Assert.Equal(new DateOnly(2022, 5, 4), heartbleed.Kev!.DateAdded);
        Assert.Equal(new DateOnly(2022, 5, 25), heartbleed.Kev.DueDate);
        Assert.False(heartbleed.Kev.KnownRansomwareUse);
        Assert.Equal(0.94468, heartbleed.Epss!.Score);
        Assert.Equal(0.99976, heartbleed.Epss.Percentile);
        Assert.Equal(new DateOnly(2099, 1, 3), heartbleed.Epss.Date);

        var busybox = Assert.Single(Match("busybox", "1.31.0"), v => v.Id == "CVE-2099-0004");
        Assert.True(busybox.Kev!.KnownRansomwareUse);
        // CVE-2014-0224 has an EPSS score but is not in KEV.
        var ccs = Assert.Single(Match("openssl", "1.0.1f"), v => v.Id == "CVE-2014-0224");
        Assert.Null(ccs.Kev);
        Assert.NotNull(ccs.Epss);
    }

    [Fact]
    public void Import_KevAndEpss_StatusShowsReleaseDatesAndVersions()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("kev/catalog.json"), Fixture.Path("epss/epss.csv")]);
        using var db = VulnerabilityDatabase.Open(Db);
        var status = db.GetStatus();
        Assert.Equal(["epss", "kev", "nvd"], status.Sources.Select(s => s.Name));
        var kev = status.Sources.Single(s => s.Name == "kev");
        Assert.Equal((3L, "2099.01.03"), (kev.Records, kev.Version));
        // stored at millisecond precision
        Assert.Equal(new DateTimeOffset(2099, 1, 3, 17, 4, 19, 979, TimeSpan.Zero), kev.NewestModified);
        var epss = status.Sources.Single(s => s.Name == "epss");
        Assert.Equal((3L, "v2025.03.14"), (epss.Records, epss.Version));
        Assert.False(epss.IsStale(new DateTimeOffset(2099, 1, 9, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(epss.IsStale(new DateTimeOffset(2099, 1, 11, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Import_NewCatalog_ReplacesTheOldOneWhole()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("kev/catalog.json")]);
        var smaller = Path.Combine(_dir, "kev.json");
        File.WriteAllText(smaller, File.ReadAllText(Fixture.Path("kev/catalog.json")).Replace("\"CVE-2014-0160\"", "\"CVE-2014-0224\"", StringComparison.Ordinal));
        VulnerabilityDatabase.Import(Db, [smaller]);
        var found = Match("openssl", "1.0.1f");
        Assert.Null(found.Single(v => v.Id == "CVE-2014-0160").Kev);
        Assert.NotNull(found.Single(v => v.Id == "CVE-2014-0224").Kev);
    }

    [Fact]
    public void Import_MalformedEpssRows_AreReportedAndTheRestKept()
    {
        var result = VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("epss/malformed.csv")]);
        Assert.Equal(3, result.Issues.Count);
        Assert.Contains(result.Issues, i => i.Location == "line 4" && i.Message.Contains("not a CVE id", StringComparison.Ordinal));
        Assert.Contains(result.Issues, i => i.Location == "line 5" && i.Message.Contains("between 0 and 1", StringComparison.Ordinal));
        Assert.Contains(result.Issues, i => i.Location == "line 6" && i.Message.Contains("columns", StringComparison.Ordinal));
        Assert.Equal(2, result.ExploitRows);
    }

    [Fact]
    public void Import_TruncatedGzipEpss_KeepsThePreviousScores()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl"), Fixture.Path("epss/epss.csv")]);
        var full = new MemoryStream();
        using (var gz = new GZipStream(full, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(File.ReadAllBytes(Fixture.Path("epss/epss.csv")).Concat(Enumerable.Range(0, 20_000).SelectMany(i => System.Text.Encoding.ASCII.GetBytes($"CVE-2098-{i},0.5,0.5\n"))).ToArray());
        var cut = Path.Combine(_dir, "epss.csv.gz");
        File.WriteAllBytes(cut, full.ToArray()[..(int)(full.Length / 2)]);

        var result = VulnerabilityDatabase.Import(Db, [cut]);

        Assert.Contains(result.Issues, i => i.Message.Contains("previously stored", StringComparison.Ordinal));
        Assert.Equal(0.94468, Match("openssl", "1.0.1f").Single(v => v.Id == "CVE-2014-0160").Epss!.Score);
    }

    [Fact]
    public void Import_TruncatedDownloadWithRejectIncomplete_LeavesDatabaseUnchanged()
    {
        VulnerabilityDatabase.Import(Db, [Fixture.Path("nvd/sample.jsonl")]);
        var before = File.ReadAllBytes(Db);
        var cut = Path.Combine(_dir, "kev.json");
        File.WriteAllText(cut, File.ReadAllText(Fixture.Path("kev/catalog.json"))[..700]);
        var e = Assert.Throws<ImportAbortedException>(() => VulnerabilityDatabase.Import(Db, [cut], new ImportOptions { RejectIncompleteFiles = true }));
        Assert.Contains("incomplete or corrupt", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Db));
    }
}
