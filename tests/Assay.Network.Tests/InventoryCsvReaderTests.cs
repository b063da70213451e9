using Assay.Network.Inventory;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class InventoryCsvReaderTests
{
    [Fact]
    public void Read_MinimalColumns_LoadsElementsAndSites()
    {
        var inv = Csv(Header + "\n" +
            "e1,s1,north,standard,ran,gNB,Huawei,2.5\n" +
            "e2,s1,north,standard,transport,router,Cisco,1\n" +
            "e3,s2,south,sensitive,core,AMF,Nokia,\n");
        Assert.Equal(3, inv.Count);
        Assert.Equal(2, inv.Sites.Count);
        Assert.Equal(NetworkDomain.Ran, inv.Domain[0]);
        Assert.Equal(2.5f, inv.Weight[0]);
        Assert.Equal(1f, inv.Weight[2]); // empty weight defaults to 1
        Assert.Equal("south", inv.Regions[inv.RegionOf(2)]);
        Assert.Equal("sensitive", inv.SiteClasses[inv.SiteClass[inv.Site[2]]]);
        Assert.False(inv.HasTechnology);
    }

    [Fact]
    public void Read_ExtraColumnsInAnyOrder_AreMappedByName()
    {
        var inv = Csv("vendor,comment,element_id,domain,site_id,function,site_class,region,technology,cells,installed\n" +
            "ZTE,anything,e1,ran,s1,eNB,standard,east,4G,3,2019-05-01\n");
        Assert.Equal("ZTE", inv.Vendors[inv.Vendor[0]]);
        Assert.Equal(3, inv.Cells[0]);
        Assert.Equal(new DateOnly(2019, 5, 1).DayNumber, inv.Installed[0]);
        Assert.True(inv.HasTechnology);
        Assert.Equal("4G", inv.Technologies[inv.Technology[0]]);
    }

    [Fact]
    public void Read_QuotedFieldsWithCommasAndQuotes_AreUnescaped()
    {
        var inv = Csv(Header + ",model\n" +
            "e1,s1,north,standard,ran,gNB,\"Vendor, Inc.\",1,\"BBU \"\"5900\"\"\"\n");
        Assert.Equal("Vendor, Inc.", inv.Vendors[inv.Vendor[0]]);
        Assert.Equal("BBU \"5900\"", inv.Models[inv.Model[0]]);
    }

    [Fact]
    public void Read_CrLfAndBom_AreAccepted()
    {
        var inv = Csv("\uFEFF" + Header + "\r\ne1,s1,north,standard,ran,gNB,Huawei,1\r\n");
        Assert.Equal("e1", inv.ElementIds[0]);
    }

    [Fact]
    public void Read_MissingRequiredColumn_NamesTheColumnAndTheMinimalHeader()
    {
        var e = Assert.Throws<InventoryException>(() => Csv("element_id,site_id,region,domain,function,vendor\ne1,s1,n,ran,gNB,X\n"));
        Assert.Contains("site_class", e.Message);
        Assert.Contains("test.csv:1:", e.Message);
    }

    [Fact]
    public void Read_BadRows_ReportsEveryErrorWithItsLineAndLoadsNothing()
    {
        var text = Header + "\n" +
            "e1,s1,north,standard,ran,gNB,Huawei,1\n" +       // line 2: fine
            "e2,s1,north,standard,radio,gNB,Huawei,1\n" +     // line 3: bad domain
            "e3,s2,north,standard,ran,gNB,Huawei,-4\n" +      // line 4: negative weight
            "e1,s3,north,standard,ran,gNB,Huawei,1\n" +       // line 5: duplicate id
            "e5,s1,south,standard,ran,gNB,Huawei,1\n" +       // line 6: site s1 changes region
            "e6,s4,north,standard,ran\n";                     // line 7: too few fields
        var e = Assert.Throws<InventoryException>(() => Csv(text));
        Assert.Equal(5, e.Errors.Count);
        Assert.StartsWith("test.csv:3: domain 'radio'", e.Errors[0]);
        Assert.Contains("core, ran, transport", e.Errors[0]);
        Assert.StartsWith("test.csv:4: weight '-4'", e.Errors[1]);
        Assert.StartsWith("test.csv:5: element_id 'e1' appears twice", e.Errors[2]);
        Assert.StartsWith("test.csv:6: site 's1' has region 'south'", e.Errors[3]);
        Assert.StartsWith("test.csv:7:", e.Errors[4]);
    }

    [Fact]
    public void Read_UnclosedQuote_IsAnErrorOnThatLine()
    {
        var e = Assert.Throws<InventoryException>(() => Csv(Header + "\ne1,s1,north,standard,ran,gNB,\"Huawei,1\n"));
        Assert.Contains("test.csv:2:", e.Message);
        Assert.Contains("not closed", e.Message);
    }

    [Fact]
    public void Read_ControlCharactersAndOverlongFields_AreRejected()
    {
        var longId = new string('x', InventoryBuilder.MaxFieldLength + 1);
        var e = Assert.Throws<InventoryException>(() => Csv(Header + $"\n{longId},s1,n,standard,ran,gNB,H,1\ne2,s1,n,standard,ran,gNB,H\u0007,1\n"));
        Assert.Contains("test.csv:2: element_id is 257 characters long", e.Message);
        Assert.Contains("test.csv:3: control character U+0007 at column 27", e.Message);
    }

    [Fact]
    public void Read_ManyBadRows_StopsAtTheErrorLimit()
    {
        var rows = string.Concat(Enumerable.Range(0, 100).Select(i => $"e{i},s1,n,standard,bogus,gNB,H,1\n"));
        var e = Assert.Throws<InventoryException>(() => Csv(Header + "\n" + rows));
        Assert.Equal(InventoryException.MaxErrors, e.Errors.Count);
        Assert.Contains("stopped after", e.Message);
    }

    [Fact]
    public void Read_HeaderOnly_IsAnError()
    {
        var e = Assert.Throws<InventoryException>(() => Csv(Header + "\n"));
        Assert.Contains("no network elements", e.Message);
    }

    [Fact]
    public void Load_SitesFileGivesRegionAndClass_ElementsMayOmitThem()
    {
        var dir = Directory.CreateTempSubdirectory("assay-net-");
        try
        {
            var sites = Path.Combine(dir.FullName, "sites.csv");
            var elements = Path.Combine(dir.FullName, "elements.csv");
            File.WriteAllText(sites, "site_id,region,site_class,location\ns1,north,sensitive,\"51.5,-0.1\"\n");
            File.WriteAllText(elements, "element_id,site_id,domain,function,vendor\ne1,s1,core,AMF,Huawei\n");
            var inv = InventoryLoader.Load(elements, sites);
            Assert.Equal("north", inv.Regions[inv.RegionOf(0)]);
            Assert.Equal("51.5,-0.1", inv.SiteLocation[0]);

            File.WriteAllText(elements, "element_id,site_id,domain,function,vendor\ne1,s9,core,AMF,Huawei\n");
            var e = Assert.Throws<InventoryException>(() => InventoryLoader.Load(elements, sites));
            Assert.Contains("elements.csv:2: site 's9'", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => InventoryLoader.Load(Path.Combine(Path.GetTempPath(), "assay-no-such-inventory.csv")));
    }
}

public sealed class FastParseTests
{
    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("12", 12.0)]
    [InlineData("38.68", 38.68)]
    [InlineData("0.1", 0.1)]
    [InlineData("-2.5", -2.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("123456789012345678", 123456789012345678.0)]
    public void TryDouble_MatchesTheFrameworkParser(string text, double expected)
    {
        Assert.True(Assay.Network.Text.FastParse.TryDouble(text, out var v));
        Assert.Equal(expected, v);
        Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), v);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    public void TryDouble_Garbage_Fails(string text) => Assert.False(Assay.Network.Text.FastParse.TryDouble(text, out _));

    [Theory]
    [InlineData("2024-02-29", true)]
    [InlineData("2023-02-29", false)]
    [InlineData("2023-13-01", false)]
    [InlineData("2023-1-01", false)]
    [InlineData("0000-01-01", false)]
    public void TryIsoDate_ValidatesTheCalendar(string text, bool ok) => Assert.Equal(ok, Assay.Network.Text.FastParse.TryIsoDate(text, out _));
}
