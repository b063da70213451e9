using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Compliance;

/// <summary>
/// Which of the inventory's vendors a pack restricts, and on what basis. In order of precedence:
/// the user's list (<c>--high-risk</c>); for <c>named</c> packs, the pack's own vendor list; the
/// designations of a vendors file (the pack's vendor class in its jurisdiction, or in <c>*</c>);
/// else the pack's default vendors, reported as an assumption.
/// </summary>
public sealed class VendorDesignation
{
    private VendorDesignation(bool[] restricted, IReadOnlyList<string> names, string basis)
    {
        Restricted = restricted;
        Names = names;
        Basis = basis;
    }

    /// <summary>Indexed by the inventory's vendor index.</summary>
    public bool[] Restricted { get; }

    /// <summary>The restricted vendor names (as the pack or user wrote them), sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Why these vendors: <c>--high-risk</c>, <c>vendors file</c>, <c>named in pack</c> or <c>pack default (assumed)</c>.</summary>
    public string Basis { get; }

    public static VendorDesignation Resolve(NetworkInventory inventory, PolicyPack pack, IReadOnlyList<string>? highRisk)
    {
        IReadOnlyList<string> names;
        string basis;
        if (highRisk is { Count: > 0 })
        {
            names = highRisk;
            basis = "--high-risk";
        }
        else if (string.Equals(pack.VendorClass, "named", StringComparison.OrdinalIgnoreCase))
        {
            names = pack.Vendors;
            basis = $"named in pack {pack.Id}";
        }
        else if (inventory.VendorInfo.Count > 0)
        {
            var list = new List<string>();
            foreach (var v in inventory.VendorInfo.Values)
            {
                foreach (var (jurisdiction, cls) in v.Designations)
                {
                    if (string.Equals(cls, pack.VendorClass, StringComparison.OrdinalIgnoreCase)
                        && (jurisdiction == "*" || pack.Jurisdiction is null || string.Equals(jurisdiction, pack.Jurisdiction, StringComparison.OrdinalIgnoreCase)))
                    {
                        list.Add(v.Name);
                        break;
                    }
                }
            }
            names = list;
            basis = $"vendors file ({pack.VendorClass} in {pack.Jurisdiction ?? "any jurisdiction"})";
        }
        else
        {
            names = pack.DefaultVendors;
            basis = $"pack default, assumed: {pack.DefaultVendorsSource ?? "no source"}";
        }
        var set = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        var restricted = new bool[inventory.Vendors.Count];
        for (var v = 0; v < restricted.Length; v++)
            restricted[v] = set.Contains(inventory.Vendors[v]);
        return new VendorDesignation(restricted, [.. names.Order(StringComparer.OrdinalIgnoreCase)], basis);
    }

    /// <summary>For tests and the planner: a designation from a plain list.</summary>
    public static VendorDesignation FromNames(NetworkInventory inventory, IReadOnlyList<string> names) =>
        Resolve(inventory, new PolicyPack { Id = "-", Title = "-", VendorClass = "named", Vendors = names, Rules = [] }, names);
}
