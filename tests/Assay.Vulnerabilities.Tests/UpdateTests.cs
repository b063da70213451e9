using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Assay.Core.Model;
using Assay.Vulnerabilities.Update;

namespace Assay.Vulnerabilities.Tests;

/// <summary>
/// <c>db update</c> against a local server replaying the real formats: NVD API 2.0 pages built
/// from the NVD fixtures, an OSV all.zip of the OSV fixture, the KEV catalog and a gzip EPSS file.
/// Waits are recorded, not slept.
/// </summary>
public sealed class UpdateTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2099, 1, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Fixture.TempDir();
    private readonly List<TimeSpan> _waits = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "db", "vulns.db");

    /// <summary>The 11 NVD fixture records (sample.jsonl, page.json, CVE-2099-0010.json) as <c>cve</c> objects.</summary>
    private static readonly Lazy<List<JsonNode>> Records = new(() =>
    {
        var list = File.ReadAllLines(Fixture.Path("nvd/sample.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();
        list.AddRange(JsonNode.Parse(File.ReadAllText(Fixture.Path("nvd/page.json")))!["vulnerabilities"]!.AsArray().Select(v => v!["cve"]!.DeepClone()));
        list.Add(JsonNode.Parse(File.ReadAllText(Fixture.Path("nvd/CVE-2099-0010.json")))!);
        return list;
    });

    private static byte[] Page(IReadOnlyList<JsonNode> records, int start, int size)
    {
        var page = new JsonObject
        {
            ["resultsPerPage"] = Math.Min(size, Math.Max(0, records.Count - start)),
            ["startIndex"] = start,
            ["totalResults"] = records.Count,
            ["format"] = "NVD_CVE",
            ["version"] = "2.0",
            ["timestamp"] = "2099-01-05T12:00:00.000",
            ["vulnerabilities"] = new JsonArray([.. records.Skip(start).Take(size).Select(r => (JsonNode)new JsonObject { ["cve"] = r.DeepClone() })]),
        };
        return Encoding.UTF8.GetBytes(page.ToJsonString());
    }

    private static int StartIndex(SeenRequest r) =>
        int.Parse(r.Query.Split('&').Single(p => p.StartsWith("startIndex=", StringComparison.Ordinal))["startIndex=".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] OsvZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("DEBIAN-TEST-0001.json");
            using var s = entry.Open();
            s.Write(File.ReadAllBytes(Fixture.Path("osv/DEBIAN-TEST-0001.json")));
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(data);
        return buffer.ToArray();
    }

    private static readonly Lazy<byte[]> EpssGz = new(() => Gzip(File.ReadAllBytes(Fixture.Path("epss/epss.csv"))));

    /// <summary>The replay of every source; <paramref name="nvd"/> may answer NVD requests differently.</summary>
    private static Func<SeenRequest, Reply> Sources(Func<SeenRequest, Reply?>? nvd = null, Func<SeenRequest, Reply?>? other = null, int pageSize = 4) => r =>
    {
        if (r.Path == "/nvd/cves/2.0")
        {
            if (nvd?.Invoke(r) is { } special)
                return special;
            var inWindow = r.Query.Contains("lastModStartDate", StringComparison.Ordinal) ? [] : Records.Value;
            return Reply.Ok(Page(inWindow, StartIndex(r), pageSize));
        }
        if (other?.Invoke(r) is { } replaced)
            return replaced;
        var etag = new Dictionary<string, string> { ["ETag"] = "\"v1\"" };
        if (r.Headers.TryGetValue("If-None-Match", out var match) && match == "\"v1\"")
            return Reply.Code(304);
        return r.Path switch
        {
            "/osv/Debian/all.zip" => Reply.Ok(OsvZip(), etag),
            "/kev/known_exploited_vulnerabilities.json" => Reply.Ok(File.ReadAllBytes(Fixture.Path("kev/catalog.json")), etag),
            "/epss/epss_scores-current.csv.gz" => Reply.Ok(EpssGz.Value),
            _ => Reply.Code(404),
        };
    };

    /// <summary>The test clock: starts at the given time and moves forward by every recorded wait.</summary>
    private DateTimeOffset _clock;

    private UpdateOptions Options(ReplayServer server, DateTimeOffset? now = null)
    {
        _clock = now ?? T0;
        return new UpdateOptions
        {
        Sources = UpdateSources.Mirror(server.Base),
        OsvEcosystems = ["Debian"],
        NvdPageSize = 4,
        RequestsPerWindow = 1000,
        RetryDelay = TimeSpan.FromSeconds(6),
        Delay = (t, _) =>
        {
            lock (_waits)
            {
                _waits.Add(t);
                _clock += t;
            }
            return Task.CompletedTask;
        },
        Now = () => _clock,
        };
    }

    private IReadOnlyList<Vulnerability> Match(string name, string version, string? purl = null)
    {
        using var db = VulnerabilityDatabase.Open(Db);
        var evaluation = new Evaluation
        {
            Tool = new ToolInfo("assay", "0"),
            Input = new InputInfo("x", 0, new string('0', 64)),
            Components = [new Component { Name = name, Version = version, Location = "/x", Purl = purl }],
        };
        return VulnerabilityEnricher.Apply(evaluation, db).Vulnerabilities;
    }

    [Fact]
    public void Update_FirstRun_FetchesEveryPageAndFeedAndRecordsTheWindowEnd()
    {
        using var server = new ReplayServer(Sources());
        var result = DatabaseUpdater.Run(Db, Options(server) with { NvdApiKey = "test-key" });

        Assert.Equal(11, result.Import.Added - 1);  // 11 NVD records and the OSV record
        Assert.Equal([0, 4, 8], server.Requests.Where(r => r.Path.StartsWith("/nvd", StringComparison.Ordinal)).Select(StartIndex).Order());
        Assert.All(server.Requests.Where(r => r.Path.StartsWith("/nvd", StringComparison.Ordinal)), r => Assert.Equal("test-key", r.Headers["apiKey"]));
        Assert.DoesNotContain(server.Requests, r => r.Query.Contains("lastMod", StringComparison.Ordinal));
        var heartbleed = Match("openssl", "1.0.1f").Single(v => v.Id == "CVE-2014-0160");
        Assert.NotNull(heartbleed.Kev);
        Assert.Equal(0.94468, heartbleed.Epss!.Score);
        using var db = VulnerabilityDatabase.Open(Db);
        var status = db.GetStatus();
        Assert.Equal(["epss", "kev", "nvd", "osv"], status.Sources.Select(s => s.Name));
        Assert.Equal("2099-01-05T12:00:00.000+00:00", status.State[NvdApiDownloader.StateKey]);
        Assert.Equal("\"v1\"", status.State["kev.etag"]);
        Assert.False(Directory.Exists(Db + ".update"));
    }

    [Fact]
    public void Update_SecondRun_AsksForChangesSinceTheLastEndIn120DayWindowsAndSkipsUnmodifiedFeeds()
    {
        using var server = new ReplayServer(Sources());
        DatabaseUpdater.Run(Db, Options(server));
        while (server.Requests.TryDequeue(out _)) { }

        var later = T0.AddDays(200);
        var result = DatabaseUpdater.Run(Db, Options(server, later));

        var windows = server.Requests.Where(r => r.Path.StartsWith("/nvd", StringComparison.Ordinal)).Select(r => r.Query).ToList();
        Assert.Equal(2, windows.Count);
        Assert.Contains("lastModStartDate=2099-01-05T12:00:00.000+00:00&lastModEndDate=2099-05-05T12:00:00.000+00:00", windows[0], StringComparison.Ordinal);
        Assert.Contains("lastModStartDate=2099-05-05T12:00:00.000+00:00&lastModEndDate=2099-07-24T12:00:00.000+00:00", windows[1], StringComparison.Ordinal);
        Assert.Equal(["kev", "osv.Debian"], result.NotModified);
        using var db = VulnerabilityDatabase.Open(Db);
        Assert.Equal("2099-07-24T12:00:00.000+00:00", db.GetStatus().State[NvdApiDownloader.StateKey]);
        Assert.NotNull(Match("openssl", "1.0.1f").Single(v => v.Id == "CVE-2014-0160").Kev);
    }

    [Fact]
    public void Update_RateLimitedAndUnavailable_RetriesAfterBackOffAndRetryAfter()
    {
        var calls = 0;
        using var server = new ReplayServer(Sources(nvd: r => Interlocked.Increment(ref calls) switch
        {
            1 => Reply.Code(403),
            2 => Reply.Code(503, new Dictionary<string, string> { ["Retry-After"] = "7" }),
            _ => null,
        }));
        DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"] });

        Assert.Equal([TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(7)], _waits);
        using var db = VulnerabilityDatabase.Open(Db);
        Assert.Equal(11, db.GetStatus().Vulnerabilities);
    }

    [Fact]
    public void Update_WithoutApiKey_KeepsToFiveRequestsPer30Seconds()
    {
        using var server = new ReplayServer(Sources(pageSize: 1));
        DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"], NvdPageSize = 1, RequestsPerWindow = null });
        // 11 pages, 5 per window: the 6th and the 11th request wait for the window to roll.
        Assert.Equal(2, _waits.Count(w => w == TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Update_ConnectionDroppedMidPage_FetchesThePageAgain()
    {
        var dropped = 0;
        using var server = new ReplayServer(Sources(nvd: r => StartIndex(r) == 4 && Interlocked.Increment(ref dropped) == 1
            ? Reply.Ok(Page(Records.Value, 4, 4)) with { DropAfter = 300 }
            : null));
        var result = DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"] });
        Assert.Equal(11, result.Import.Added);
        Assert.Equal(2, server.Requests.Count(r => r.Path.StartsWith("/nvd", StringComparison.Ordinal) && StartIndex(r) == 4));
    }

    [Fact]
    public void Update_InterruptedThenRunAgain_LeavesDatabaseIntactAndResumesFetchedPages()
    {
        using (var first = new ReplayServer(Sources()))
            DatabaseUpdater.Run(Db, Options(first) with { Feeds = ["kev"] });
        var before = File.ReadAllBytes(Db);
        var failing = true;
        using var server = new ReplayServer(Sources(nvd: r => failing && StartIndex(r) == 8 ? Reply.Code(503) : null));

        var e = Assert.Throws<UpdateException>(() => DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"], MaxAttempts = 2 }));

        Assert.Contains("run 'assay db update' again to resume", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Db));
        failing = false;
        var result = DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"] });
        Assert.Equal(2, result.Resumed);
        Assert.Equal(1, server.Requests.Count(r => r.Path.StartsWith("/nvd", StringComparison.Ordinal) && StartIndex(r) == 0));
        Assert.Equal(11, result.Import.Added);
    }

    [Fact]
    public void Update_Interrupted_RunFileKeepsItsStoredFormAndIsResumedFrom()
    {
        using var server = new ReplayServer(Sources(nvd: r => StartIndex(r) == 4 ? Reply.Code(503) : null));
        Assert.Throws<UpdateException>(() => DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["nvd"], MaxAttempts = 1 }));

        // The form the reflection serializer wrote (default options: names as declared, '+' escaped
        // by the default encoder), which work folders left by earlier versions hold.
        var runFile = Path.Combine(Db + ".update", "nvd-run.json");
        Assert.Equal("""{"Start":null,"End":"2099-01-05T12:00:00.000\u002B00:00"}""", File.ReadAllText(runFile));

        // An earlier version's run, with an end of its own: the resumed update keeps that end.
        File.WriteAllText(runFile, """{"Start":null,"End":"2099-01-04T00:00:00.000\u002B00:00"}""");
        using (var again = new ReplayServer(Sources()))
            DatabaseUpdater.Run(Db, Options(again) with { Feeds = ["nvd"] });
        using var db = VulnerabilityDatabase.Open(Db);
        Assert.Equal("2099-01-04T00:00:00.000+00:00", db.GetStatus().State[NvdApiDownloader.StateKey]);
    }

    [Fact]
    public void Update_CorruptDownload_RefusedWithClearErrorAndOldDatabaseKept()
    {
        using (var good = new ReplayServer(Sources()))
            DatabaseUpdater.Run(Db, Options(good));
        var before = File.ReadAllBytes(Db);
        var truncated = EpssGz.Value[..(EpssGz.Value.Length - 12)];
        using var server = new ReplayServer(Sources(other: r => r.Path.StartsWith("/epss", StringComparison.Ordinal) ? Reply.Ok(truncated) : null));

        var e = Assert.Throws<UpdateException>(() => DatabaseUpdater.Run(Db, Options(server, T0.AddDays(1))));

        Assert.StartsWith("update refused: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or corrupt", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Db));
        Assert.False(File.Exists(Path.Combine(Db + ".update", "epss.csv.gz")));
    }

    [Fact]
    public void Update_WhileAReaderHasTheDatabaseOpen_ReaderKeepsTheOldDataAndNewOpensSeeTheNew()
    {
        using (var first = new ReplayServer(Sources()))
            DatabaseUpdater.Run(Db, Options(first) with { Feeds = ["nvd"] });
        using var reader = VulnerabilityDatabase.Open(Db);
        using (var server = new ReplayServer(Sources()))
            DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["kev"] });

        Assert.Equal(11, reader.GetStatus().Vulnerabilities);
        Assert.DoesNotContain(reader.GetStatus().Sources, s => s.Name == "kev");
        using var fresh = VulnerabilityDatabase.Open(Db);
        Assert.Contains(fresh.GetStatus().Sources, s => s.Name == "kev");
    }

    [Fact]
    public void Update_ServerSays404_StopsWithTheAddressAndNoRetries()
    {
        using var server = new ReplayServer(_ => Reply.Code(404));
        var e = Assert.Throws<UpdateException>(() => DatabaseUpdater.Run(Db, Options(server) with { Feeds = ["kev"] }));
        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.False(File.Exists(Db));
    }
}
