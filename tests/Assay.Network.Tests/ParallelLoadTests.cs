using System.Text;
using Assay.Network.Generation;
using Assay.Network.Inventory;

namespace Assay.Network.Tests;

/// <summary>
/// The element CSV read on several cores gives exactly the inventory of one reader going through the
/// file, and anything unusual (an error, a UTF-16 file) goes to the sequential reader, which reports it
/// at its line.
/// </summary>
public sealed class ParallelLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("assay-parallel-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    private static NetworkInventory Sequential(string path)
    {
        var b = new InventoryBuilder(Path.GetFileName(path));
        InventoryCsvReader.Read(path, b);
        return b.Build();
    }

    private static NetworkInventory? Parallel(string path, int workers)
    {
        var b = new InventoryBuilder(Path.GetFileName(path));
        return InventoryCsvParallel.TryRead(path, b, workers, minBytes: 0) ? b.Build() : null;
    }

    private static void AssertSame(NetworkInventory a, NetworkInventory b)
    {
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.ElementIds, b.ElementIds);
        Assert.Equal(a.Site, b.Site);
        Assert.Equal(a.Domain, b.Domain);
        Assert.Equal(a.Function, b.Function);
        Assert.Equal(a.Vendor, b.Vendor);
        Assert.Equal(a.Model, b.Model);
        Assert.Equal(a.SoftwareVersion, b.SoftwareVersion);
        Assert.Equal(a.Technology, b.Technology);
        Assert.Equal(a.Weight, b.Weight);
        Assert.Equal(a.Cells, b.Cells);
        Assert.Equal(a.Installed, b.Installed);
        Assert.Equal(a.Manages, b.Manages);
        Assert.Equal(a.Sites.Values, b.Sites.Values);
        Assert.Equal(a.SiteRegion, b.SiteRegion);
        Assert.Equal(a.SiteClass, b.SiteClass);
        foreach (var (x, y) in new[] { (a.Regions, b.Regions), (a.SiteClasses, b.SiteClasses), (a.Functions, b.Functions), (a.Vendors, b.Vendors), (a.Models, b.Models), (a.SoftwareVersions, b.SoftwareVersions), (a.Technologies, b.Technologies) })
            Assert.Equal(x.Values, y.Values);
        Assert.Equal((a.HasTechnology, a.HasInstalled, a.HasManages, a.HasCells), (b.HasTechnology, b.HasInstalled, b.HasManages, b.HasCells));
        for (var e = 0; e < b.Count; e += 97)
            Assert.Equal(e, b.ElementIds.Find(b.ElementIds.Span(e)));
        Assert.Equal(-1, b.ElementIds.Find("no-such-element"));
    }

    [Theory]
    [InlineData("europe", 2)]
    [InlineData("europe", 3)]
    [InlineData("canada", 2)]
    [InlineData("us-rural", 5)]
    public void GeneratedNetwork_ParallelEqualsSequential(string profile, int workers)
    {
        var text = new StringWriter();
        NetworkGenerator.Write(new GeneratorOptions { Sites = 2500, Seed = 5, Profile = profile }, text);
        var path = Write("net.csv", text.ToString());
        AssertSame(Sequential(path), Parallel(path, workers)!);
    }

    [Fact]
    public void ChunkEdges_BomCrlfBlankLinesQuotesUnicodeAndNoFinalNewline_ParallelEqualsSequential()
    {
        var sb = new StringBuilder("element_id,site_id,region,site_class,domain,function,vendor,weight,model\r\n");
        for (var i = 0; i < 4000; i++)
        {
            var site = $"s{i / 7}";
            var row = i % 50 == 0
                ? $"\"e{i},x\",{site},r{i / 700},standard,ran,gNB,\"Vendor \"\"Ü\"\", Inc.\",1.5,Modell-ß\r\n"
                : $"e{i},{site},r{i / 700},standard,ran,gNB,Nökia,{i % 3},m{i % 5}\r\n";
            sb.Append(row);
            if (i % 333 == 0)
                sb.Append("\r\n   \r\n");
        }
        sb.Append("last,s-last,r0,standard,core,AMF,Ericsson,2,m0"); // no final line break
        var path = Write("edges.csv", sb.ToString(), new UTF8Encoding(true));
        var seq = Sequential(path);
        Assert.Equal(4001, seq.Count);
        Assert.Contains("Vendor \"Ü\", Inc.", seq.Vendors.Values);
        foreach (var workers in new[] { 2, 4, 7 })
            AssertSame(seq, Parallel(path, workers)!);
    }

    [Fact]
    public void DuplicateAcrossChunks_GoesSequential_AndIsReportedAtItsLine()
    {
        var sb = new StringBuilder(TestInventories.Header + "\n");
        for (var i = 0; i < 3000; i++)
            sb.Append($"e{i},s{i},north,standard,ran,gNB,Nokia,1\n");
        sb.Append("e5,s9999,north,standard,ran,gNB,Nokia,1\n");
        var path = Write("dup.csv", sb.ToString());
        Assert.Null(Parallel(path, 4));
        var e = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, workers: 4));
        Assert.Equal("dup.csv:3002: element_id 'e5' appears twice; element ids must be unique", e.Errors.Single());
    }

    [Fact]
    public void SiteRegionConflictAcrossChunks_GoesSequential_AndIsReportedAtItsLine()
    {
        var sb = new StringBuilder(TestInventories.Header + "\n");
        sb.Append("first,shared,north,standard,ran,gNB,Nokia,1\n");
        for (var i = 0; i < 3000; i++)
            sb.Append($"e{i},s{i},north,standard,ran,gNB,Nokia,1\n");
        sb.Append("late,shared,south,standard,ran,gNB,Nokia,1\n");
        var path = Write("site.csv", sb.ToString());
        Assert.Null(Parallel(path, 3));
        var e = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, workers: 3));
        Assert.Contains("site.csv:3003: site 'shared' has region 'south' here but 'north' at line 2", e.Message);
    }

    [Fact]
    public void RowErrorInAChunk_GoesSequential_SameErrorsAsOneReader()
    {
        var sb = new StringBuilder(TestInventories.Header + "\n");
        for (var i = 0; i < 3000; i++)
            sb.Append(i == 2500 ? $"e{i},s{i},north,standard,radio,gNB,Nokia,1\n" : i == 2600 ? $"e{i},s{i},north,standard,ran,gNB,No\u0007kia,1\n" : $"e{i},s{i},north,standard,ran,gNB,Nokia,1\n");
        var path = Write("bad.csv", sb.ToString());
        Assert.Null(Parallel(path, 2));
        var e = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, workers: 2));
        Assert.Equal(["bad.csv:2502: domain 'radio' of element 'e2500' is not one of: core, ran, transport, management, oss, fixed-access",
            "bad.csv:2602: control character U+0007 at column 38; inventory fields are plain text"], e.Errors);
    }

    [Fact]
    public void Utf16File_GoesSequential()
    {
        var text = TestInventories.Header + "\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"e{i},s{i},north,standard,ran,gNB,Nokia,1\n"));
        var path = Write("wide.csv", text, new UnicodeEncoding(false, true));
        Assert.Null(Parallel(path, 2));
        Assert.Equal(500, InventoryLoader.Load(path, workers: 2).Count);
    }
}
