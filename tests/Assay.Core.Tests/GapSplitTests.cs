using Assay.Core.Content;
using Assay.Core.Pipeline;

namespace Assay.Core.Tests;

/// <summary>Unknown regions of a flash dump split into erased flash, zero fill and entropy classes (issue 19).</summary>
public sealed class GapSplitTests
{
    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>Text-like bytes: a small alphabet, entropy ~4.7 bits per byte.</summary>
    private static byte[] Text(int length, int seed)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (byte)('a' + r.Next(26)))];
    }

    [Fact]
    public void SplitGap_RandomErasedZero_GivesThreeRegionsWithTheirOwnEntropy()
    {
        byte[] gap = [.. Random(65536, 1), .. Fill(65536, 0xff), .. Fill(65536, 0x00)];
        var regions = Carver.SplitGap(new MemoryBlob(gap), 0, gap.Length);
        Assert.Collection(regions,
            r => Assert.Equal((0L, 65536L, GapKind.HighEntropy), (r.Offset, r.Length, r.Kind)),
            r => Assert.Equal((65536L, 65536L, GapKind.Fill, (byte)0xff), (r.Offset, r.Length, r.Kind, r.Fill)),
            r => Assert.Equal((131072L, 65536L, GapKind.Fill, (byte)0x00), (r.Offset, r.Length, r.Kind, r.Fill)));
        Assert.True(regions[0].Entropy > 7.99, $"random 64 KiB entropy {regions[0].Entropy}");
        Assert.Equal("erased flash (0xff)", regions[1].Note);
        Assert.Equal("zero fill (0x00)", regions[2].Note);
    }

    [Fact]
    public void SplitGap_FillBoundaries_AreExactToTheByte()
    {
        // Odd lengths: the fill run does not start or end on any block boundary.
        var head = Random(10_007, 2);
        head[^1] = 0x5a; // not 0xff, so the run starts exactly after it
        var tail = Random(3_001, 3);
        tail[0] = 0x11;
        byte[] gap = [.. head, .. Fill(777, 0xff), .. tail];
        var regions = Carver.SplitGap(new MemoryBlob(gap), 0, gap.Length);
        var fill = Assert.Single(regions, r => r.Kind == GapKind.Fill);
        Assert.Equal((10_007L, 777L), (fill.Offset, fill.Length));
        Assert.Equal(gap.Length, regions.Sum(r => r.Length));
    }

    [Fact]
    public void SplitGap_ShortFillInsideData_StaysPartOfTheData()
    {
        byte[] gap = [.. Text(5000, 4), .. Fill(300, 0x00), .. Text(5000, 5)];
        var region = Assert.Single(Carver.SplitGap(new MemoryBlob(gap), 0, gap.Length));
        Assert.Equal(GapKind.Data, region.Kind);
    }

    [Fact]
    public void SplitGap_TextThenEncrypted_SplitsOnTheEntropyWindow()
    {
        byte[] gap = [.. Text(64 * 1024, 6), .. Random(64 * 1024, 7)];
        var regions = Carver.SplitGap(new MemoryBlob(gap), 0, gap.Length);
        Assert.Collection(regions,
            r => Assert.Equal((0L, 65536L, GapKind.Data), (r.Offset, r.Length, r.Kind)),
            r => Assert.Equal((65536L, 65536L, GapKind.HighEntropy), (r.Offset, r.Length, r.Kind)));
        Assert.InRange(regions[0].Entropy, 4.5, 4.8);
    }

    [Fact]
    public void SplitGap_WholeGapOneValue_IsOneFillWhateverItsLength()
    {
        var region = Assert.Single(Carver.SplitGap(new MemoryBlob(Fill(100, 0xff)), 0, 100));
        Assert.Equal((GapKind.Fill, (byte)0xff), (region.Kind, region.Fill));
    }

    [Fact]
    public void SplitGap_AtAnOffset_CoversExactlyTheGap()
    {
        byte[] blob = [.. Random(1000, 8), .. Fill(4096, 0xff), .. Random(50_000, 9), .. Fill(2000, 0)];
        var regions = Carver.SplitGap(new MemoryBlob(blob), 1000, blob.Length - 1000 - 2000);
        Assert.Equal(1000, regions[0].Offset);
        Assert.Equal(blob.Length - 2000, regions[^1].Offset + regions[^1].Length);
        for (var i = 1; i < regions.Count; i++)
            Assert.Equal(regions[i - 1].Offset + regions[i - 1].Length, regions[i].Offset);
    }
}
