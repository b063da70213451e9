using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Tests;

/// <summary>Builds small inventories and packs from inline text.</summary>
internal static class TestInventories
{
    public const string Header = "element_id,site_id,region,site_class,domain,function,vendor,weight";

    public static NetworkInventory Csv(string text, string name = "test.csv")
    {
        var builder = new InventoryBuilder(name);
        InventoryCsvReader.Read(new StringReader(text), builder);
        return builder.Build();
    }

    public static PolicyPack Pack(string rulesYaml, string vendorClass = "high-risk") =>
        PolicyPackLoader.Parse($"id: test\ntitle: test pack\njurisdiction: GB\nvendor_class: {vendorClass}\nrules:\n{rulesYaml}", "test.yaml");

    public static VendorDesignation Restrict(NetworkInventory inv, params string[] vendors) => VendorDesignation.FromNames(inv, vendors);

    public static CheckResult Check(NetworkInventory inv, PolicyPack pack, string at, params string[] vendors) =>
        ComplianceChecker.Check(inv, pack, DateOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture), Restrict(inv, vendors));
}
