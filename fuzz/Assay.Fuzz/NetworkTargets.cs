using System.Text;
using Assay.Network.Inventory;
using Assay.Network.Planning;
using Assay.Network.Policy;

namespace Assay.Fuzz;

/// <summary>
/// Targets for the network engine's parsers: the element CSV (sequential, and the parallel reader
/// checked against it: whenever the parallel reader accepts an input its inventory must equal the
/// sequential one), policy pack YAML with pack parameters, and the costs CSV. Malformed input must end
/// in an <see cref="InventoryException"/> (or the parameter code's <see cref="ArgumentException"/>);
/// anything else escapes and is a crash.
/// </summary>
internal static class NetworkTargets
{
    private static readonly string Scratch = Directory.CreateTempSubdirectory("assay-fuzz-network-").FullName;

    public static void AddTo(Dictionary<string, Action<byte[]>> targets)
    {
        targets["network:costs"] = Costs;
        targets["network:inventory-csv"] = Inventory;
        targets["network:policy-pack"] = Pack;
    }

    private static void Inventory(byte[] bytes)
    {
        var path = Path.Combine(Scratch, $"inventory-{Environment.CurrentManagedThreadId}.csv");
        File.WriteAllBytes(path, bytes);
        NetworkInventory? sequential = null;
        try
        {
            var b = new InventoryBuilder("fuzz.csv");
            InventoryCsvReader.Read(path, b);
            sequential = b.Build();
        }
        catch (InventoryException)
        {
        }
        var parallel = new InventoryBuilder("fuzz.csv");
        if (!InventoryCsvParallel.TryRead(path, parallel, workers: 3, minBytes: 0))
            return;
        NetworkInventory merged;
        try
        {
            merged = parallel.Build();
        }
        catch (InventoryException)
        {
            if (sequential is not null)
                throw new InvalidOperationException("the parallel reader refused an inventory the sequential reader accepts");
            return;
        }
        if (sequential is null)
            throw new InvalidOperationException("the parallel reader accepted an inventory the sequential reader refuses");
        Same(sequential, merged);
    }

    private static void Same(NetworkInventory a, NetworkInventory b)
    {
        void Check(bool ok, string what)
        {
            if (!ok)
                throw new InvalidOperationException($"parallel and sequential inventories differ in {what}");
        }
        Check(a.Count == b.Count, "count");
        Check(a.ElementIds.SequenceEqual(b.ElementIds), "element ids");
        Check(a.Site.AsSpan().SequenceEqual(b.Site) && a.Function.AsSpan().SequenceEqual(b.Function) && a.Vendor.AsSpan().SequenceEqual(b.Vendor)
            && a.Model.AsSpan().SequenceEqual(b.Model) && a.SoftwareVersion.AsSpan().SequenceEqual(b.SoftwareVersion) && a.Technology.AsSpan().SequenceEqual(b.Technology), "indexed columns");
        Check(a.Domain.AsSpan().SequenceEqual(b.Domain) && a.Weight.AsSpan().SequenceEqual(b.Weight) && a.Cells.AsSpan().SequenceEqual(b.Cells)
            && a.Installed.AsSpan().SequenceEqual(b.Installed) && a.Manages.AsSpan().SequenceEqual(b.Manages), "value columns");
        Check(a.Sites.Values.SequenceEqual(b.Sites.Values) && a.SiteRegion.AsSpan().SequenceEqual(b.SiteRegion) && a.SiteClass.AsSpan().SequenceEqual(b.SiteClass), "sites");
        Check(a.Regions.Values.SequenceEqual(b.Regions.Values) && a.Functions.Values.SequenceEqual(b.Functions.Values) && a.Vendors.Values.SequenceEqual(b.Vendors.Values)
            && a.Technologies.Values.SequenceEqual(b.Technologies.Values), "value tables");
        for (var e = 0; e < b.Count; e++)
            Check(b.ElementIds.Find(b.ElementIds.Span(e)) == e, "the id index");
    }

    private static void Pack(byte[] bytes)
    {
        PolicyPack pack;
        try
        {
            pack = PolicyPackLoader.Parse(Encoding.UTF8.GetString(bytes), "fuzz.yaml");
        }
        catch (InventoryException)
        {
            return;
        }
        // Every declared parameter set to the same date: rules resolve or say what they need.
        var values = pack.Parameters.ToDictionary(p => p.Name, _ => new DateOnly(2022, 7, 15));
        try
        {
            var resolved = PackParameters.Apply(pack, values);
            foreach (var rule in resolved.Rules)
                _ = rule.Describe();
        }
        catch (ArgumentException)
        {
        }
    }

    private static void Costs(byte[] bytes)
    {
        try
        {
            var table = CostTable.Read(new StringReader(Encoding.UTF8.GetString(bytes)), "fuzz.csv");
            _ = table.LookupRow(NetworkDomain.Ran, "eNB");
            _ = table.Overlay(table);
        }
        catch (InventoryException)
        {
        }
    }
}
