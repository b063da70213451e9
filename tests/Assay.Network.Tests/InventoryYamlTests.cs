using Assay.Network.Compliance;
using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Tests;

public sealed class InventoryYamlTests
{
    private const string Yaml = """
        vendors:
          - {name: Huawei, country: CN, designations: {GB: [high-risk, designated-vendor], EU: [high-risk]}}
          - {name: Nokia, country: FI}
        sites:
          - {id: LON-1, region: london, class: sensitive, location: "51.5,-0.12"}
          - {id: MAN-7, region: north, class: standard}
        elements:
          - {id: amf-1, site: LON-1, domain: core, function: AMF, vendor: Nokia, software_version: "24.2"}
          - {id: gnb-7, site: MAN-7, domain: ran, function: gNB, vendor: Huawei, technology: 5G, cells: 3, weight: 2}
        """;

    private static NetworkInventory Load(string yaml)
    {
        var builder = new InventoryBuilder("inv.yaml", sitesPredeclared: true);
        InventoryLoader.ReadYaml(yaml, "inv.yaml", builder);
        return builder.Build();
    }

    [Fact]
    public void ReadYaml_VendorsSitesElements_AllLoaded()
    {
        var inv = Load(Yaml);
        Assert.Equal(2, inv.Count);
        Assert.Equal("london", inv.Regions[inv.RegionOf(0)]);
        Assert.Equal(3, inv.Cells[1]);
        Assert.Contains(("GB", "designated-vendor"), inv.VendorInfo["huawei"].Designations);
    }

    [Fact]
    public void ReadYaml_VendorDesignations_DecideWhoIsRestrictedPerJurisdiction()
    {
        var inv = Load(Yaml);
        var dvd = VendorDesignation.Resolve(inv, BuiltinPolicyPacks.Find("uk-dvd")!, null);
        Assert.Equal(["Huawei"], dvd.Names);
        Assert.StartsWith("vendors file", dvd.Basis);
        var se = VendorDesignation.Resolve(inv, BuiltinPolicyPacks.Find("se-2020")!, null);
        Assert.Equal("named in pack se-2020", se.Basis);
        var user = VendorDesignation.Resolve(inv, BuiltinPolicyPacks.Find("uk-dvd")!, ["Nokia"]);
        Assert.Equal(["Nokia"], user.Names);
        Assert.True(user.Restricted[inv.Vendors.Find("Nokia")]);
        Assert.False(user.Restricted[inv.Vendors.Find("Huawei")]);
    }

    [Fact]
    public void ReadYaml_UnknownKeyAndUndeclaredSite_ErrorsCarryLines()
    {
        var bad = """
            sites:
              - {id: S1, region: r, class: standard}
            elements:
              - {id: e1, site: S1, domain: core, function: AMF, vendor: X, vendr: typo}
              - {id: e2, site: S2, domain: core, function: AMF, vendor: X}
            """;
        var e = Assert.Throws<InventoryException>(() => Load(bad));
        Assert.Contains("inv.yaml:4: unknown key 'vendr'", e.Message);
        Assert.Contains("inv.yaml:5: site 'S2'", e.Message);
    }

    [Fact]
    public void ReadYaml_NotYaml_IsAnErrorWithLine()
    {
        var e = Assert.Throws<InventoryException>(() => Load("elements: [\n  {id: e1,"));
        Assert.Contains("inv.yaml:", e.Message);
        Assert.Contains("not valid YAML", e.Message);
    }
}
