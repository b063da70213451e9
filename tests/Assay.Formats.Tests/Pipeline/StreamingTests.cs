using System.IO.Compression;
using System.Text.Json;
using Assay.Core.Content;
using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.Formats.Tests.Pipeline;

/// <summary>
/// tar and cpio coming out of a decompressor are unpacked as they stream; the evaluation must be
/// the one the spooled (random-access) path gives, whatever the number of workers.
/// </summary>
public sealed class StreamingTests
{
    public static TheoryData<string> Compressed() =>
    [
        "archives/tree.tar.gz", "archives/tree.tar.xz", "archives/tree.tar.bz2", "archives/tree.tar.zst", "archives/tree.tar.lz4", "archives/tree.tar.lzma",
    ];

    [Theory]
    [MemberData(nameof(Compressed))]
    public void CompressedTar_StreamedOrSpooled_SameEvaluation(string fixture)
    {
        var bytes = Fixture.Bytes(fixture);
        AssertSame(bytes, Path.GetFileName(fixture));
    }

    [Theory]
    [InlineData("tree-newc.cpio")]
    [InlineData("tree-crc.cpio")]
    [InlineData("tree-odc.cpio")]
    [InlineData("tree-bin.cpio")]
    [InlineData("tree-gnu.tar")]
    [InlineData("long-pax.tar")]
    [InlineData("sparse-gnu.tar")]
    [InlineData("sparse-pax.tar")]
    public void GzippedArchive_StreamedOrSpooled_SameEvaluation(string fixture)
    {
        AssertSame(Gzip(Fixture.Bytes($"archives/{fixture}")), fixture + ".gz");
    }

    [Fact]
    public void TarWithTrailingData_TailIsCarvedAsWhenSpooled()
    {
        // the tar, then an appended gzip member of other data: the tail after the archive's end
        var tar = Fixture.Bytes("archives/tree-gnu.tar");
        var appended = Gzip(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("appended configuration data\n", 400))));
        var content = tar.Concat(new byte[3000]).Concat(appended).Concat(new byte[777]).ToArray();
        var streamed = AssertSame(Gzip(content), "trail.tar.gz");
        Assert.Contains(streamed.Chunks, c => c.Path == "trail.tar.gz!/trail.tar" && c.Format == "gzip");
    }

    [Fact]
    public void TarWithOneZeroBlockBeforeAnEntry_ListsEveryEntryOnce()
    {
        // A writer that put a single zero block between two members: the second member is an entry
        // of the same archive (not a carved second tar), streamed or not.
        var tar = Fixture.Bytes("archives/tree-gnu.tar");
        var end = tar.Length;
        while (end >= 512 && tar.AsSpan(end - 512, 512).IndexOfAnyExcept((byte)0) < 0)
            end -= 512;
        var first = tar[..end];
        var spliced = first.Concat(new byte[512]).Concat(first).Concat(new byte[1024]).ToArray();
        var plain = ScanHelper.ScanBytes(spliced, "spliced.tar");
        Assert.DoesNotContain(plain.Files, f => f.Path.Contains(".tar!/0x", StringComparison.Ordinal));
        Assert.Equal(spliced.Length, Assert.Single(plain.Chunks, c => c.Format == "tar").Length);
        AssertSame(Gzip(spliced), "spliced.tar.gz");
    }

    [Fact]
    public void TruncatedTarGz_EntriesBeforeTheDamageAreListed_TheCutIsReported()
    {
        var random = new Random(12);
        var files = Enumerable.Range(0, 4).Select(i => { var b = new byte[100_000]; random.NextBytes(b); return b; }).ToList();
        using var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Gnu, leaveOpen: true))
        {
            for (var i = 0; i < files.Count; i++)
                writer.WriteEntry(new System.Formats.Tar.GnuTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"data/{i}.bin") { DataStream = new MemoryStream(files[i]) });
        }
        var gz = Gzip(tar.ToArray());
        var e = ScanHelper.ScanBytes(gz[..(gz.Length / 2)], "cut.tar.gz");
        Assert.Equal(ScanHelper.Sha256(files[0]), Assert.Single(e.Files, f => f.Path == "cut.tar.gz!/cut.tar!/data/0.bin").Sha256);
        Assert.Contains(e.Errors, x => x.Handler == "tar" && x.Message.Contains("truncated", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Handler == "gzip" && x.Category == ErrorCategory.Malformed);
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void StreamedContainer_Record_HasTheSizeAndHashOfItsBytes()
    {
        var tar = Fixture.Bytes("archives/tree-gnu.tar");
        var e = ScanHelper.ScanBytes(Gzip(tar), "t.tar.gz");
        var record = Assert.Single(e.Files, f => f.Path == "t.tar.gz!/t.tar");
        Assert.Equal(tar.Length, record.Size);
        Assert.Equal(ScanHelper.Sha256(tar), record.Sha256);
        Assert.Equal("tar", record.Format);
        Assert.Equal("archive", record.Type!.Class);
    }

    /// <summary>Scans streamed (2 and 4 workers, and in order) and spooled; every evaluation must be the same.</summary>
    private static Evaluation AssertSame(byte[] bytes, string name)
    {
        var spooled = ScanHelper.ScanBytes(bytes, name, parallelism: 1, streaming: false);
        var text = Canonical(spooled);
        foreach (var parallelism in new[] { 1, 2, 4 })
        {
            var streamed = ScanHelper.ScanBytes(bytes, name, parallelism: parallelism, streaming: true);
            Assert.Equal(text, Canonical(streamed));
        }
        var spooledParallel = ScanHelper.ScanBytes(bytes, name, parallelism: 4, streaming: false);
        Assert.Equal(text, Canonical(spooledParallel));
        return spooled;
    }

    internal static string Canonical(Evaluation e) =>
        JsonSerializer.Serialize(e with { StartedAt = default, FinishedAt = default });

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }
}
