namespace Assay.Formats.Tests.Archives;

/// <summary>Formats found at any offset of a blob nobody recognised, with padding and unknown regions reported.</summary>
public sealed class CarvingTests
{
    [Fact]
    public void FlashDump_ConcatenatedWithPadding_FindsEachChunkAndTheGaps()
    {
        var random = new byte[3000];
        new Random(7).NextBytes(random);
        var xz = Fixture.Bytes("archives/tree.tar.xz");
        var zip = Fixture.Bytes("archives/tree-deflate.zip");
        var padding = Enumerable.Repeat((byte)0xff, 4096).ToArray();
        byte[] dump = [.. random, .. zip, .. padding, .. xz, .. padding];
        var zipAt = random.Length;
        var xzAt = zipAt + zip.Length + padding.Length;

        var e = ScanHelper.ScanBytes(dump, "flash.bin");

        var chunks = e.Chunks.Where(c => c.Path == "flash.bin").ToList();
        Assert.Contains(chunks, c => c.Format == "unknown" && c.Offset == 0 && c.Length == zipAt && c.Entropy > 7.5);
        Assert.Contains(chunks, c => c.Format == "zip" && c.Offset == zipAt && c.Length == zip.Length);
        Assert.Contains(chunks, c => c.Format == "padding" && c.Offset == zipAt + zip.Length && c.Length == padding.Length);
        Assert.Contains(chunks, c => c.Format == "xz" && c.Offset == xzAt);
        Assert.Contains(e.Files, f => f.Path == $"flash.bin!/0x{zipAt:x}.zip!/etc/passwd");
        // The carved xz stream ends before the padding that follows it; its child is named after the chunk.
        Assert.Contains(e.Files, f => f.Path == $"flash.bin!/0x{xzAt:x}.xz!/0x{xzAt:x}!/etc/passwd");
        Assert.DoesNotContain(e.Errors, x => x.Path.StartsWith($"flash.bin!/0x{xzAt:x}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("tree.tar.gz", "tree-ustar.tar", "gzip", "tar")]
    [InlineData("tree.tar.xz", "tree-deflate.zip", "xz", "zip")]
    public void CompressedStreamAtStart_FollowedByData_EndsAtItsTrailerAndTheRestIsCarved(string first, string second, string firstFormat, string secondFormat)
    {
        var a = Fixture.Bytes($"archives/{first}");
        var b = Fixture.Bytes($"archives/{second}");
        var e = ScanHelper.ScanBytes([.. a, .. b], "kernel+rootfs.bin");
        Assert.DoesNotContain(e.Errors, x => x.Handler is "gzip" or "xz" or "pipeline");
        var chunks = e.Chunks.Where(c => c.Path == "kernel+rootfs.bin").ToList();
        Assert.Contains(chunks, c => c.Format == firstFormat && c.Offset == 0 && c.Length == a.Length);
        Assert.Contains(chunks, c => c.Format == secondFormat && c.Offset == a.Length);
        Assert.Contains(e.Files, f => f.Path == $"kernel+rootfs.bin!/0x{a.Length:x}.{secondFormat}!/etc/passwd");
    }

    [Fact]
    public void RandomData_NoFormat_ReportsOneHighEntropyRegion()
    {
        var random = new byte[200_000];
        new Random(11).NextBytes(random);
        var e = ScanHelper.ScanBytes(random, "blob.bin");
        var region = Assert.Single(e.Chunks);
        Assert.Equal("unknown", region.Format);
        Assert.Contains("encrypted", region.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluation_SameInputTwice_IsIdenticalApartFromTimestamps()
    {
        var a = ScanHelper.Scan("archives/chain.zip") with { StartedAt = default, FinishedAt = default };
        var b = ScanHelper.Scan("archives/chain.zip") with { StartedAt = default, FinishedAt = default };
        Assert.Equal(Serialize(a), Serialize(b));
    }

    private static string Serialize(Core.Model.Evaluation e) => System.Text.Json.JsonSerializer.Serialize(e);
}
