using Assay.Network.Generation;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

public sealed class NetworkGeneratorTests
{
    private static (string Text, long Count) Generate(int sites, int seed)
    {
        var w = new StringWriter();
        var n = NetworkGenerator.Write(new GeneratorOptions { Sites = sites, Seed = seed }, w);
        return (w.ToString(), n);
    }

    [Fact]
    public void Write_SameSeed_SameNetwork_OtherSeed_Different()
    {
        Assert.Equal(Generate(500, 7).Text, Generate(500, 7).Text);
        Assert.NotEqual(Generate(500, 7).Text, Generate(500, 8).Text);
    }

    [Fact]
    public void Write_Output_LoadsAsAnInventoryWithTheDocumentedStructure()
    {
        var (text, count) = Generate(3000, 1);
        var inv = Csv(text);
        Assert.Equal(count, inv.Count);
        Assert.Equal(3000, inv.Sites.Count);
        Assert.True(inv.HasTechnology && inv.HasInstalled && inv.HasManages && inv.HasCells);
        var ranSites = Enumerable.Range(0, inv.Sites.Count).Count(s => inv.Sites[s].StartsWith("RAN-", StringComparison.Ordinal));
        Assert.InRange(inv.Count / (double)inv.Sites.Count, 5, 7.5);
        Assert.True(ranSites > 2800);

        // RAN vendor shares by site are near the generator's targets (Huawei 30%).
        var huaweiRan = Enumerable.Range(0, inv.Count).Count(e => inv.Functions[inv.Function[e]] == "eNB" && inv.Vendors[inv.Vendor[e]] == "Huawei");
        Assert.InRange(huaweiRan / (double)ranSites, 0.26, 0.34);

        // A RAN site's radios share one vendor (5G stacked on the same vendor's 4G).
        for (var e = 0; e + 1 < inv.Count; e++)
            if (inv.Site[e] == inv.Site[e + 1] && inv.Domain[e] == Assay.Network.Inventory.NetworkDomain.Ran && inv.Domain[e + 1] == Assay.Network.Inventory.NetworkDomain.Ran)
                Assert.Equal(inv.Vendor[e], inv.Vendor[e + 1]);
    }

    [Fact]
    public void Write_OutOfRangeSites_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkGenerator.Write(new GeneratorOptions { Sites = 2 }, TextWriter.Null));
    }
}
