using Assay.Engine.Cache;
using Microsoft.Data.Sqlite;

namespace Assay.Engine.Tests;

/// <summary>The result cache: same evaluation with and without it, damaged entries recomputed, bounded, shared.</summary>
public sealed class CacheTests
{
    [Fact]
    public void Cache_ColdThenWarm_SameEvaluationAsWithout_AndWarmReplays()
    {
        var dir = Sample.TempDirectory();
        try
        {
            var without = Sample.Canonical(ScanEngine.Run(Sample.Request()));
            var cold = ScanEngine.Prepare(Sample.Request(cache: dir));
            Assert.Equal(without, Sample.Canonical(cold.Run()));
            Assert.Equal(0, cold.Progress.FromCache);
            var warm = ScanEngine.Prepare(Sample.Request(cache: dir));
            Assert.Equal(without, Sample.Canonical(warm.Run()));
            Assert.True(warm.Progress.FromCache > 0, "the warm scan replayed nothing");
            Assert.Empty(warm.Notices);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cache_NextReleaseZip_ReplaysTheUnchangedEntry_SameEvaluationAsWithout()
    {
        // the next release of a delivery zip: a new first entry moves every other entry, one image is
        // rebuilt; the unchanged image is answered by its stored form (PackedIdentity), and the
        // evaluation equals a scan without the cache
        var dir = Sample.TempDirectory();
        try
        {
            var image = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7 % 251)).ToArray();
            var release1 = Path.Combine(dir, "delivery-1.0.zip");
            var release2 = Path.Combine(dir, "delivery-1.1.zip");
            WriteZip(release1, ("images/app.img", image), ("images/boot.img", Enumerable.Repeat((byte)1, 100_000).ToArray()));
            WriteZip(release2, ("RELEASE-NOTES.txt", "1.1: boot image rebuilt\n"u8.ToArray()), ("images/app.img", image), ("images/boot.img", Enumerable.Repeat((byte)2, 100_000).ToArray()));
            var cache = Path.Combine(dir, "cache");
            ScanEngine.Run(Sample.Request(cache: cache) with { InputPath = release1 });
            var without = Sample.Canonical(ScanEngine.Run(Sample.Request() with { InputPath = release2 }));
            var warm = ScanEngine.Prepare(Sample.Request(cache: cache) with { InputPath = release2 });
            Assert.Equal(without, Sample.Canonical(warm.Run()));
            Assert.Equal(1, warm.Progress.FromCache);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void WriteZip(string path, params (string Name, byte[] Content)[] entries)
    {
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            var entry = zip.CreateEntry(name, System.IO.Compression.CompressionLevel.Optimal);
            entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var s = entry.Open();
            s.Write(content);
        }
    }

    [Fact]
    public void Cache_DamagedEntries_AreDetectedDroppedAndRecomputed()
    {
        var dir = Sample.TempDirectory();
        try
        {
            var without = Sample.Canonical(ScanEngine.Run(Sample.Request()));
            ScanEngine.Run(Sample.Request(cache: dir));
            int damaged;
            using (var db = new SqliteConnection($"Data Source={SqliteScanCache.FileIn(dir)};Pooling=False"))
            {
                db.Open();
                using var flip = db.CreateCommand();
                // one byte of every stored value changed: each must fail its checksum
                flip.CommandText = "UPDATE entries SET value = CAST(zeroblob(1) || substr(value, 2) AS BLOB)";
                damaged = flip.ExecuteNonQuery();
            }
            Assert.True(damaged > 0);
            var job = ScanEngine.Prepare(Sample.Request(cache: dir));
            Assert.Equal(without, Sample.Canonical(job.Run()));
            Assert.Equal(0, job.Progress.FromCache);
            Assert.Contains(job.Notices, n => n.Contains("damaged entries", StringComparison.Ordinal));
            // recomputed entries were stored again
            var again = ScanEngine.Prepare(Sample.Request(cache: dir));
            Assert.Equal(without, Sample.Canonical(again.Run()));
            Assert.True(again.Progress.FromCache > 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Cache_FileIsNotADatabase_IsMovedAsideAndStartedAnew()
    {
        var dir = Sample.TempDirectory();
        try
        {
            File.WriteAllText(SqliteScanCache.FileIn(dir), "this is not a SQLite database, it is a text file of 64 bytes..");
            var job = ScanEngine.Prepare(Sample.Request(cache: dir));
            Assert.Equal(Sample.Canonical(ScanEngine.Run(Sample.Request())), Sample.Canonical(job.Run()));
            Assert.Contains(job.Notices, n => n.Contains("moved to", StringComparison.Ordinal));
            Assert.Single(Directory.GetFiles(dir, "scan-cache.db.damaged-*"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cache_TwoScansSharingIt_BothGiveTheEvaluation()
    {
        var dir = Sample.TempDirectory();
        try
        {
            var without = Sample.Canonical(ScanEngine.Run(Sample.Request()));
            var scans = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => ScanEngine.Run(Sample.Request(cache: dir)))));
            Assert.All(scans, s => Assert.Equal(without, Sample.Canonical(s)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SqliteCache_OverItsBound_EvictsTheLeastRecentlyUsed()
    {
        var dir = Sample.TempDirectory();
        try
        {
            using (var cache = SqliteScanCache.Open(dir, maxBytes: 10_000))
            {
                for (var i = 0; i < 10; i++)
                    cache.Put($"k{i}", new byte[3_000]);
                cache.Flush();
                Assert.Null(cache.Get("k0"));
                Assert.NotNull(cache.Get("k9"));
            }
            using var db = new SqliteConnection($"Data Source={SqliteScanCache.FileIn(dir)};Pooling=False");
            db.Open();
            using var total = db.CreateCommand();
            total.CommandText = "SELECT SUM(size) FROM entries";
            Assert.True((long)total.ExecuteScalar()! <= 10_000);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SqliteCache_SizeBookkeeping_ReadsAnIndexNotTheValues()
    {
        // the eviction check sums sizes and orders by last use at every flush; read from the table,
        // size lies after the value and SQLite walked every value's overflow pages to reach it
        // (0.5 s per flush with a 1 GB cache), so an index must cover used, key and size
        var dir = Sample.TempDirectory();
        try
        {
            using (var cache = SqliteScanCache.Open(dir))
            {
                cache.Put("k", new byte[100_000]);
                cache.Flush();
            }
            using var db = new SqliteConnection($"Data Source={SqliteScanCache.FileIn(dir)};Pooling=False");
            db.Open();
            foreach (var query in new[] { "SELECT COALESCE(SUM(size), 0) FROM entries", "SELECT key, size FROM entries ORDER BY used, key" })
            {
                using var plan = db.CreateCommand();
                plan.CommandText = "EXPLAIN QUERY PLAN " + query;
                using var reader = plan.ExecuteReader();
                var steps = new List<string>();
                while (reader.Read())
                    steps.Add(reader.GetString(3));
                Assert.Contains(steps, s => s.Contains("COVERING INDEX entries_lru", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SqliteCache_ValueChangedOnDisk_IsNotReturned()
    {
        var dir = Sample.TempDirectory();
        try
        {
            using (var cache = SqliteScanCache.Open(dir))
            {
                cache.Put("k", [1, 2, 3]);
                cache.Flush();
            }
            using (var db = new SqliteConnection($"Data Source={SqliteScanCache.FileIn(dir)};Pooling=False"))
            {
                db.Open();
                using var edit = db.CreateCommand();
                edit.CommandText = "UPDATE entries SET value = x'010204'";
                edit.ExecuteNonQuery();
            }
            using var reopened = SqliteScanCache.Open(dir);
            Assert.Null(reopened.Get("k"));
            Assert.Equal(1, reopened.Damaged);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Fingerprint_IsStableWithinAProcess()
    {
        Assert.Equal(64, EngineFingerprint.Value.Length);
        Assert.Equal(EngineFingerprint.Value, EngineFingerprint.Value);
    }
}
