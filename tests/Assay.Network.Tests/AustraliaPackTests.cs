using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Policy;
using static Assay.Network.Tests.TestInventories;

namespace Assay.Network.Tests;

/// <summary>au-2018: the 5G security guidance of 23 Aug 2018, in force with the sector security reforms on 18 Sep 2018.</summary>
public sealed class AustraliaPackTests
{
    private const string Network = Header + ",technology,installed\n" +
        "g5,s1,nsw,standard,ran,gNB,Huawei,1,5G,2019-03-01\n" +
        "amf,c1,nsw,core,core,AMF,ZTE,1,5G,2019-01-01\n" +         // core and access alike
        "e4,s1,nsw,standard,ran,eNB,Huawei,1,4G,2015-01-01\n" +    // 4G: not covered
        "nk,s2,vic,standard,ran,gNB,Nokia,1,5G,2020-01-01\n";      // vendor outside the class

    private static readonly PolicyPack Pack = BuiltinPolicyPacks.Find("au-2018")!;

    private static CheckResult At(NetworkInventory inv, string date) =>
        ComplianceChecker.Check(inv, Pack, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), VendorDesignation.Resolve(inv, Pack, null));

    [Fact]
    public void Au01_DayBeforeTheReformsIsUpcoming_DayOfIsViolatedIn5GOnly()
    {
        var inv = Csv(Network);
        var before = At(inv, "2018-09-17").Rules.Single();
        Assert.Equal(("upcoming", 2), (before.Status, before.Elements));
        var on = At(inv, "2018-09-18");
        Assert.Equal(["amf", "g5"], on.Violations.Single().Elements);
    }

    [Fact]
    public void DefaultVendors_AreReportedAsAnAssumptionWithTheirSource()
    {
        var r = At(Csv(Network), "2020-01-01");
        Assert.Equal(["Huawei", "ZTE"], r.RestrictedVendors);
        Assert.Contains(r.Assumptions, a => a.Contains("assumed", StringComparison.Ordinal) && a.Contains("Huawei Australia said on 23 Aug 2018", StringComparison.Ordinal));
    }

    [Fact]
    public void VendorsFile_AuDesignationDecides_OtherJurisdictionsDoNot()
    {
        var builder = new InventoryBuilder("t.csv");
        InventoryCsvReader.Read(new StringReader(Network), builder);
        builder.AddVendor(new VendorInfo("ZTE", "CN", [("AU", "high-risk")]));
        builder.AddVendor(new VendorInfo("Huawei", "CN", [("GB", "high-risk")]));
        var inv = builder.Build();
        var r = At(inv, "2020-01-01");
        Assert.Equal(["ZTE"], r.RestrictedVendors);
        Assert.Equal(["amf"], r.Violations.Single().Elements);
    }
}
