using System.Text;
using Assay.Network.Text;
using YamlDotNet.RepresentationModel;

namespace Assay.Network.Inventory;

/// <summary>
/// Loads an inventory from its files: the element CSV (or a YAML inventory with vendors, sites and
/// elements in one file), an optional sites CSV and an optional vendors file (CSV or YAML).
/// </summary>
public static class InventoryLoader
{
    private static readonly string[] SiteKeys = ["id", "region", "class", "site_class", "location"];
    private static readonly string[] ElementKeys =
        ["id", "site", "domain", "function", "vendor", "model", "software_version", "technology", "weight", "cells", "installed", "manages"];
    private static readonly string[] VendorKeys = ["name", "country", "designations"];

    /// <summary>Threads an element CSV is read with (at most 8; 1 reads it sequentially).</summary>
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Loads the inventory. Throws <see cref="InventoryException"/> (malformed) or <see cref="FileNotFoundException"/> (unreadable).</summary>
    /// <param name="workers">Threads for a large element CSV (default <see cref="DefaultWorkers"/>); the result does not depend on it.</param>
    public static NetworkInventory Load(string inventoryPath, string? sitesPath = null, string? vendorsPath = null, int? workers = null)
    {
        var isYaml = IsYaml(inventoryPath);
        var file = Path.GetFileName(inventoryPath);
        var builder = new InventoryBuilder(file, sitesPredeclared: sitesPath is not null);
        if (!isYaml && sitesPath is null && InventoryCsvParallel.TryRead(inventoryPath, builder, workers ?? DefaultWorkers))
        {
            // Read on several cores: the same inventory as the sequential reader's.
        }
        else
        {
            // Sequential: YAML, small files, a sites file, and every file with an error (reported at its line).
            builder = new InventoryBuilder(file, sitesPredeclared: sitesPath is not null);
            if (sitesPath is not null)
            {
                builder.CurrentFile = Path.GetFileName(sitesPath);
                ReadSitesCsv(sitesPath, builder);
                builder.CurrentFile = file;
            }
            if (isYaml)
                ReadYaml(InputFiles.ReadAllTextBounded(inventoryPath, InputFiles.MaxSmallFileBytes), file, builder);
            else
            {
                var bytes = new FileInfo(inventoryPath) is { Exists: true } f ? f.Length : 0;
                builder.Reserve((int)Math.Min(InventoryBuilder.MaxElements, bytes / 100));
                InventoryCsvReader.Read(inventoryPath, builder, sitesGiven: sitesPath is not null);
            }
        }
        if (vendorsPath is not null)
        {
            foreach (var v in ReadVendors(vendorsPath))
                builder.AddVendor(v);
        }
        return builder.Build();
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a YAML inventory (<c>vendors</c>, <c>sites</c>, <c>elements</c>) into <paramref name="builder"/>.</summary>
    public static void ReadYaml(string text, string file, InventoryBuilder builder)
    {
        var errors = builder.Errors;
        var root = YamlDoc.LoadMapping(text, file);
        root.RejectUnknownKeys(["vendors", "sites", "elements"], "the inventory", errors);
        if (root.Get("vendors") is { } vendorsNode)
        {
            foreach (var v in ReadVendorList(vendorsNode, errors))
                builder.AddVendor(v);
        }
        if (root.Get("sites") is YamlSequenceNode sites)
        {
            builder.SitesPredeclared = true;
            foreach (var node in sites.Children)
            {
                if (node is not YamlMappingNode s)
                {
                    errors.Add(node.Line(), "each site must be a mapping with id, region, class, location");
                    continue;
                }
                s.RejectUnknownKeys(SiteKeys, "a site", errors);
                builder.AddSite(node.Line(), s.Scalar("id", errors), s.Scalar("region", errors),
                    s.Scalar("class", errors) ?? s.Scalar("site_class", errors), s.Scalar("location", errors));
            }
        }
        if (root.Get("elements") is not YamlSequenceNode elements)
        {
            errors.Add(root.Line(), "no 'elements' list; an inventory needs its network elements");
            return;
        }
        foreach (var node in elements.Children)
        {
            if (errors.Count >= InventoryException.MaxErrors || !builder.Accepting)
                break;
            if (node is not YamlMappingNode e)
            {
                errors.Add(node.Line(), "each element must be a mapping with id, site, domain, function, vendor");
                continue;
            }
            e.RejectUnknownKeys(ElementKeys, "an element", errors);
            var tech = e.Scalar("technology", errors);
            var installed = e.Scalar("installed", errors);
            var manages = e.Scalar("manages", errors);
            var cells = e.Scalar("cells", errors);
            builder.HasTechnology |= tech is not null;
            builder.HasInstalled |= installed is not null;
            builder.HasManages |= manages is not null;
            builder.HasCells |= cells is not null;
            var row = new ElementRow
            {
                ElementId = e.Scalar("id", errors),
                SiteId = e.Scalar("site", errors),
                Domain = e.Scalar("domain", errors),
                Function = e.Scalar("function", errors),
                Vendor = e.Scalar("vendor", errors),
                Model = e.Scalar("model", errors),
                SoftwareVersion = e.Scalar("software_version", errors),
                Technology = tech,
                Weight = e.Scalar("weight", errors),
                Cells = cells,
                Installed = installed,
                Manages = manages,
            };
            builder.AddElement(node.Line(), row);
        }
    }

    /// <summary>Reads a sites CSV: <c>site_id,region,site_class[,location]</c>.</summary>
    public static void ReadSitesCsv(string path, InventoryBuilder builder)
    {
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxInventoryBytes);
        using var reader = new CsvLineReader(new StreamReader(stream, Encoding.UTF8));
        var errors = new ErrorList(Path.GetFileName(path));
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        if (!reader.TryReadLine(out var header))
            throw new InventoryException($"{Path.GetFileName(path)}: empty; expected site_id,region,site_class[,location]");
        var n = reader.Split(header, fields, out var h, out var herr);
        if (n < 0)
            throw new InventoryException($"{Path.GetFileName(path)}:1: {herr}");
        int id = -1, region = -1, cls = -1, loc = -1;
        for (var f = 0; f < n; f++)
        {
            var name = h[fields[f]].Trim().TrimStart('\uFEFF');
            if (name.Equals("site_id", StringComparison.OrdinalIgnoreCase) || name.Equals("id", StringComparison.OrdinalIgnoreCase)) id = f;
            else if (name.Equals("region", StringComparison.OrdinalIgnoreCase)) region = f;
            else if (name.Equals("site_class", StringComparison.OrdinalIgnoreCase) || name.Equals("class", StringComparison.OrdinalIgnoreCase)) cls = f;
            else if (name.Equals("location", StringComparison.OrdinalIgnoreCase)) loc = f;
        }
        if (id < 0 || region < 0 || cls < 0)
            throw new InventoryException($"{Path.GetFileName(path)}:1: the sites header needs site_id, region and site_class; found '{InventoryBuilder.Clip(header)}'");
        var need = Math.Max(Math.Max(id, region), Math.Max(cls, loc)) + 1;
        while (builder.Accepting && reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace())
                continue;
            var count = reader.Split(line, fields, out var t, out var err);
            if (count < 0 || count < need)
            {
                builder.AddError(reader.LineNumber, err ?? $"{count} fields, expected at least {need}");
                continue;
            }
            builder.AddSite(reader.LineNumber, t[fields[id]], t[fields[region]], t[fields[cls]], loc >= 0 ? t[fields[loc]] : default);
        }
        errors.ThrowIfAny();
    }

    /// <summary>
    /// Reads a vendors file: CSV <c>vendor,country,designations</c> where designations are
    /// <c>JURISDICTION:class</c> pairs separated by <c>;</c> (a bare class applies in every
    /// jurisdiction), or YAML <c>vendors: [{name, country, designations: {GB: [high-risk]}}]</c>.
    /// </summary>
    public static IReadOnlyList<VendorInfo> ReadVendors(string path)
    {
        var file = Path.GetFileName(path);
        var errors = new ErrorList(file);
        if (IsYaml(path))
        {
            var root = YamlDoc.LoadMapping(InputFiles.ReadAllTextBounded(path, InputFiles.MaxSmallFileBytes), file);
            var node = root.Get("vendors");
            if (node is null)
                throw new InventoryException($"{file}: no 'vendors' list");
            var list = ReadVendorList(node, errors);
            errors.ThrowIfAny();
            return list;
        }
        var result = new List<VendorInfo>();
        using var stream = InputFiles.OpenBounded(path, InputFiles.MaxSmallFileBytes);
        using var reader = new CsvLineReader(new StreamReader(stream, Encoding.UTF8));
        Span<Range> fields = stackalloc Range[CsvLineReader.MaxFields];
        if (!reader.TryReadLine(out var header))
            throw new InventoryException($"{file}: empty; expected vendor,country,designations");
        var n = reader.Split(header, fields, out var h, out _);
        int name = -1, country = -1, des = -1;
        for (var f = 0; f < n; f++)
        {
            var col = h[fields[f]].Trim().TrimStart('\uFEFF');
            if (col.Equals("vendor", StringComparison.OrdinalIgnoreCase) || col.Equals("name", StringComparison.OrdinalIgnoreCase)) name = f;
            else if (col.Equals("country", StringComparison.OrdinalIgnoreCase)) country = f;
            else if (col.Equals("designations", StringComparison.OrdinalIgnoreCase) || col.Equals("designation", StringComparison.OrdinalIgnoreCase)) des = f;
        }
        if (name < 0 || des < 0)
            throw new InventoryException($"{file}:1: the vendors header needs vendor and designations (country optional); found '{InventoryBuilder.Clip(header)}'");
        var need = Math.Max(Math.Max(name, des), country) + 1;
        while (reader.TryReadLine(out var line))
        {
            if (line.IsWhiteSpace())
                continue;
            var count = reader.Split(line, fields, out var t, out var err);
            if (count < need)
            {
                if (!errors.Add(reader.LineNumber, err ?? $"{count} fields, expected at least {need}"))
                    break;
                continue;
            }
            var vendor = t[fields[name]].Trim().ToString();
            if (vendor.Length is 0 or > InventoryBuilder.MaxFieldLength)
            {
                errors.Add(reader.LineNumber, "vendor name is empty or too long");
                continue;
            }
            var pairs = new List<(string, string)>();
            foreach (var part in t[fields[des]].ToString().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = part.IndexOf(':');
                pairs.Add(colon < 0 ? ("*", part) : (part[..colon].Trim(), part[(colon + 1)..].Trim()));
            }
            result.Add(new VendorInfo(vendor, country >= 0 && !t[fields[country]].IsWhiteSpace() ? t[fields[country]].Trim().ToString() : null, pairs));
        }
        errors.ThrowIfAny();
        return result;
    }

    private static List<VendorInfo> ReadVendorList(YamlNode node, ErrorList errors)
    {
        var list = new List<VendorInfo>();
        if (node is not YamlSequenceNode seq)
        {
            errors.Add(node.Line(), "'vendors' must be a list");
            return list;
        }
        foreach (var item in seq.Children)
        {
            if (item is not YamlMappingNode v)
            {
                errors.Add(item.Line(), "each vendor must be a mapping with name, country, designations");
                continue;
            }
            v.RejectUnknownKeys(VendorKeys, "a vendor", errors);
            var name = v.Scalar("name", errors);
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add(item.Line(), "vendor without a name");
                continue;
            }
            var pairs = new List<(string, string)>();
            switch (v.Get("designations"))
            {
                case null:
                    break;
                case YamlMappingNode byJurisdiction:
                    foreach (var (k, _) in byJurisdiction.Children)
                    {
                        var j = ((YamlScalarNode)k).Value ?? "*";
                        foreach (var c in byJurisdiction.List(j, errors))
                            pairs.Add((j, c));
                    }
                    break;
                default:
                    foreach (var c in v.List("designations", errors))
                        pairs.Add(("*", c));
                    break;
            }
            list.Add(new VendorInfo(name.Trim(), v.Scalar("country", errors), pairs));
        }
        return list;
    }
}
