using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;

namespace Assay.Formats.Tests.Compression;

/// <summary>
/// Compressed streams followed by anything (issue 19): each one made by its real tool
/// (Fixtures/streams/make.sh), its payload checked against sha256sum's answer in expected.txt.
/// </summary>
public sealed class StreamEndTests
{
    private static readonly Dictionary<string, string> Sha256 = File.ReadAllLines(Fixture.Path("streams/expected.txt"))
        .Where(l => l.Contains("  ", StringComparison.Ordinal))
        .Select(l => l.Split("  "))
        .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

    /// <summary>What follows a stream in a flash dump: erased flash, then the next partition's bytes.</summary>
    private static byte[] Trailing()
    {
        var random = new byte[5000];
        new Random(3).NextBytes(random);
        return [.. Enumerable.Repeat((byte)0xff, 3000), .. random];
    }

    [Theory]
    [InlineData("payload.bin.bz2", "bzip2")]
    [InlineData("payload.multi.bz2", "bzip2")]
    [InlineData("payload.bin.lz4", "lz4")]
    [InlineData("payload.bin.legacy.lz4", "lz4-legacy")]
    [InlineData("payload.bin.gz", "gzip")]
    [InlineData("payload.bin.xz", "xz")]
    public void StreamAtStart_FollowedByPaddingAndData_DecodesAndEndsExactly(string fixture, string format)
    {
        var stream = Fixture.Bytes($"streams/{fixture}");
        var e = ScanHelper.ScanBytes([.. stream, .. Trailing()], "dump.bin");

        Assert.Empty(e.Errors);
        var chunks = e.Chunks.Where(c => c.Path == "dump.bin").OrderBy(c => c.Offset).ToList();
        Assert.Equal((format, 0L, (long)stream.Length), (chunks[0].Format, chunks[0].Offset, chunks[0].Length));
        Assert.Contains(chunks, c => c.Format == "padding" && c.Offset == stream.Length && c.Length == 3000 && c.Note == "erased flash (0xff)");
        Assert.Contains(chunks, c => c.Format == "unknown" && c.Offset == stream.Length + 3000 && c.Length == 5000);
        var payload = Assert.Single(e.Files, f => f.Path.StartsWith("dump.bin!/", StringComparison.Ordinal) && f.Kind == Core.Model.NodeKind.File);
        Assert.Equal(Sha256["payload.bin"], payload.Sha256);
        Assert.Equal(200_000, payload.Size);
    }

    [Theory]
    [InlineData("payload.bin.bz2", "bzip2")]
    [InlineData("payload.bin.lz4", "lz4")]
    [InlineData("payload.bin.legacy.lz4", "lz4-legacy")]
    [InlineData("payload.bin.gz", "gzip")]
    [InlineData("payload.bin.xz", "xz")]
    [InlineData("kernel.lz4", "lz4-legacy")]
    public void StreamCarvedFromFlashDump_EndsWhereTheStreamEnds(string fixture, string format)
    {
        var stream = Fixture.Bytes($"streams/{fixture}");
        var head = new byte[70_000];
        new Random(5).NextBytes(head);
        var padding = Enumerable.Repeat((byte)0xff, 65_536 - ((head.Length + stream.Length) % 65_536)).ToArray();
        var zeros = new byte[8192];
        byte[] dump = [.. head, .. stream, .. padding, .. zeros];

        var e = ScanHelper.ScanBytes(dump, "flash.bin");

        Assert.Empty(e.Errors);
        var chunks = e.Chunks.Where(c => c.Path == "flash.bin").OrderBy(c => c.Offset).ToList();
        Assert.Collection(chunks,
            c => Assert.Equal(("unknown", 0L, (long)head.Length), (c.Format, c.Offset, c.Length)),
            c => Assert.Equal((format, (long)head.Length, (long)stream.Length), (c.Format, c.Offset, c.Length)),
            c => Assert.Equal(("padding", (long)(head.Length + stream.Length), (long)padding.Length, "erased flash (0xff)"), (c.Format, c.Offset, c.Length, c.Note)),
            c => Assert.Equal(("padding", (long)(dump.Length - zeros.Length), (long)zeros.Length, "zero fill (0x00)"), (c.Format, c.Offset, c.Length, c.Note)));
        Assert.True(chunks[0].Entropy > 7.9);
        var payload = Assert.Single(e.Files, f => f.Kind == Core.Model.NodeKind.File && f.Path.StartsWith($"flash.bin!/0x{head.Length:x}.{format}!/", StringComparison.Ordinal));
        Assert.Equal(Sha256["payload.bin"], payload.Sha256);
    }

    [Fact]
    public void Lz4Legacy_TwoBlocks_DecodesBoth()
    {
        var e = ScanHelper.Scan("streams/big.bin.legacy.lz4");
        Assert.Empty(e.Errors);
        var payload = Assert.Single(e.Files, f => f.Path == "big.bin.legacy.lz4!/big.bin.legacy");
        Assert.Equal((Sha256["big.bin"], 9L * 1024 * 1024 + 1), (payload.Sha256, payload.Size));
    }

    [Fact]
    public void Lz4Legacy_KernelSizeTrailer_BelongsToTheChunk()
    {
        var kernel = Fixture.Bytes("streams/kernel.lz4");
        var handler = new Lz4LegacyHandler();
        var length = handler.MeasureLength(new MemoryBlob((byte[])[.. kernel, 1, 2, 3, 4, 5]), 0, 1 << 30, default);
        Assert.Equal(kernel.Length, length);
    }

    [Fact]
    public void Bzip2_TwoStreamsBackToBack_AreOneChunk()
    {
        var multi = Fixture.Bytes("streams/payload.multi.bz2");
        var match = new Bzip2Handler().TryMatch(new MemoryBlob((byte[])[.. multi, .. Trailing()]), 0);
        Assert.Equal(multi.Length, match!.Length);
    }

    [Theory]
    [InlineData("payload.bin.bz2")]
    [InlineData("payload.bin.lz4")]
    [InlineData("payload.bin.xz")]
    public void TruncatedStream_HasNoLength_AndUnpackingReportsIt(string fixture)
    {
        var stream = Fixture.Bytes($"streams/{fixture}");
        var cut = stream[..(stream.Length / 2)];
        var e = ScanHelper.ScanBytes(cut, "cut.bin");
        Assert.NotEmpty(e.Errors);
        Assert.DoesNotContain(e.Errors, x => x.Category == ErrorCategory.Internal);
    }

    [Fact]
    public void Gzip_MeasureOfCorruptMember_IsUnknownNotAnException()
    {
        var gz = Fixture.Bytes("streams/payload.bin.gz");
        gz[gz.Length - 3] ^= 0xff; // ISIZE no longer matches: no trailer is found
        Assert.Null(((IStreamLengthProbe)new GzipHandler()).MeasureLength(new MemoryBlob(gz), 0, 1 << 30, default));
    }
}
