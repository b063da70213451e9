using System.Globalization;

namespace Assay.Network.Generation;

/// <summary>Options of <see cref="NetworkGenerator"/>.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of sites in all (core, aggregation and RAN).</summary>
    public int Sites { get; init; } = 1000;

    public int Seed { get; init; } = 1;

    public int Regions { get; init; } = 12;
}

/// <summary>
/// Writes a synthetic national network as an element CSV, for demos and benchmarks. The structure
/// follows a typical mobile operator: a few national core sites (5G core and EPC functions, core
/// routers, OSS and element managers), regional aggregation sites (aggregation routers, edge UPFs,
/// fibre OLTs) and tens of thousands of RAN sites (eNB, gNB on 70% of sites, three radio units, a
/// cell-site router, microwave on 30%). A RAN site's radios come from one vendor, because a 5G radio
/// is stacked on the same vendor's 4G baseband (BT, Jan 2020, research S33). RAN vendor shares are
/// close to the European 4G figures (Huawei about 45% and ZTE about 7% of European 4G RAN, S60);
/// here Huawei 30%, ZTE 4%, Ericsson 34%, Nokia 27%, Samsung 5%, a market that had begun to move.
/// About 1% of RAN sites are in the <c>sensitive</c> class. Deterministic for a given seed.
/// </summary>
public static class NetworkGenerator
{
    /// <summary>The CSV header written (the documented columns, docs/network.md).</summary>
    public const string Header = "element_id,site_id,region,site_class,domain,function,vendor,model,software_version,technology,weight,cells,installed,manages";

    /// <summary>Largest network generated.</summary>
    public const int MaxSites = 5_000_000;

    private static readonly string[] RegionNames =
        ["capital", "north", "north-east", "north-west", "yorkshire", "midlands-east", "midlands-west", "east", "south-east", "south-west", "wales", "scotland",
         "northern-ireland", "islands", "border", "coast"];

    private static readonly (string Vendor, double Share, string Model, string[] Versions)[] RanVendors =
    [
        ("Ericsson", 0.34, "Baseband 6630", ["22.Q4", "23.Q2", "24.Q1"]),
        ("Nokia", 0.27, "AirScale", ["SRAN22R1", "SRAN23R1"]),
        ("Huawei", 0.30, "BBU5900", ["V100R019C10", "V100R021C10"]),
        ("ZTE", 0.04, "ZXRAN V9200", ["V4.20", "V5.10"]),
        ("Samsung", 0.05, "CDU50", ["21A", "22A"]),
    ];

    private static readonly (string Vendor, double Share, string Model, string[] Versions)[] CoreVendors =
    [
        ("Ericsson", 0.45, "Dual-mode 5G Core", ["1.12", "1.15"]),
        ("Nokia", 0.40, "Cloud Packet Core", ["23.5", "24.2"]),
        ("Huawei", 0.15, "CloudCore", ["V100R020", "V100R022"]),
    ];

    private static readonly (string Vendor, double Share, string Model, string[] Versions)[] TransportVendors =
    [
        ("Cisco", 0.35, "ASR 9000", ["7.9.2", "7.11.1"]),
        ("Juniper", 0.20, "MX960", ["22.4R3", "23.2R1"]),
        ("Nokia", 0.25, "7750 SR", ["23.10.R1", "24.3.R1"]),
        ("Huawei", 0.20, "NE40E", ["V800R021C10", "V800R022C00"]),
    ];

    private static readonly (string Vendor, double Share, string Model, string[] Versions)[] MicrowaveVendors =
    [
        ("Ericsson", 0.40, "MINI-LINK 6352", ["1.8", "1.9"]),
        ("Huawei", 0.40, "RTN 950A", ["V100R015C00"]),
        ("NEC", 0.20, "iPASOLINK VR", ["4.2"]),
    ];

    private static readonly (string Vendor, double Share, string Model, string[] Versions)[] OltVendors =
    [
        ("Huawei", 0.50, "MA5800", ["V100R021C00"]),
        ("Nokia", 0.50, "Lightspan FX", ["23.9"]),
    ];

    private static readonly string[] CoreFunctions5G = ["AMF", "SMF", "UPF", "AUSF", "UDM", "NRF", "PCF"];
    private static readonly string[] CoreFunctions4G = ["MME", "SGW", "PGW", "HSS"];

    /// <summary>Writes the network to <paramref name="output"/>; returns the number of elements.</summary>
    public static long Write(GeneratorOptions options, TextWriter output)
    {
        if (options.Sites is < 3 or > MaxSites)
            throw new ArgumentOutOfRangeException(nameof(options), options.Sites, $"sites must be between 3 and {MaxSites:N0}");
        if (options.Regions is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(options), options.Regions, "regions must be between 1 and 16");
        var rng = new Random(options.Seed);
        var w = new RowWriter(output);
        output.Write(Header);
        output.Write('\n');
        var core = Math.Max(2, options.Sites / 10_000);
        var aggregation = Math.Max(options.Regions, options.Sites / 200);
        var ran = options.Sites - core - aggregation;
        if (ran < 1)
        {
            core = 2;
            aggregation = 1;
            ran = options.Sites - 3;
        }
        long elements = 0;
        for (var s = 0; s < core; s++)
        {
            var site = $"CORE-{s + 1:D3}";
            var region = RegionNames[s % options.Regions];
            var v5 = Pick(rng, CoreVendors);
            var v4 = Pick(rng, CoreVendors);
            foreach (var f in CoreFunctions5G)
                elements += w.Row($"{site}-{f}", site, region, "core", "core", f, v5, rng, "5G", Weight(rng, 20, 60), 0, Installed(rng, 2019, 2024), null);
            foreach (var f in CoreFunctions4G)
                elements += w.Row($"{site}-{f}", site, region, "core", "core", f, v4, rng, "4G", Weight(rng, 20, 60), 0, Installed(rng, 2012, 2020), null);
            for (var r = 1; r <= 2; r++)
                elements += w.Row($"{site}-CR{r}", site, region, "core", "transport", "core-router", Pick(rng, TransportVendors), rng, "", 10, 0, Installed(rng, 2014, 2023), null);
            elements += w.Row($"{site}-OSS", site, region, "core", "oss", "OSS", Pick(rng, CoreVendors), rng, "", 1, 0, Installed(rng, 2015, 2023), null);
            foreach (var v in RanVendors)
                elements += w.Row($"{site}-EMS-{v.Vendor.ToUpperInvariant()}", site, region, "core", "management", "EMS", v, rng, "", 1, 0, Installed(rng, 2014, 2023), "ran");
            elements += w.Row($"{site}-EMS-TRANSPORT", site, region, "core", "management", "EMS", Pick(rng, TransportVendors), rng, "", 1, 0, Installed(rng, 2014, 2023), "transport");
        }
        for (var s = 0; s < aggregation; s++)
        {
            var site = $"AGG-{s + 1:D5}";
            var region = RegionNames[s % options.Regions];
            var tv = Pick(rng, TransportVendors);
            for (var r = 1; r <= 2; r++)
                elements += w.Row($"{site}-AR{r}", site, region, "aggregation", "transport", "aggregation-router", tv, rng, "", 5, 0, Installed(rng, 2013, 2023), null);
            if (rng.NextDouble() < 0.3)
                elements += w.Row($"{site}-UPF", site, region, "aggregation", "core", "UPF", Pick(rng, CoreVendors), rng, "5G", Weight(rng, 5, 15), 0, Installed(rng, 2020, 2024), null);
            var olts = rng.Next(2, 6);
            var ov = Pick(rng, OltVendors);
            for (var o = 1; o <= olts; o++)
                elements += w.Row($"{site}-OLT{o}", site, region, "aggregation", "fixed-access", "OLT", ov, rng, "", Weight(rng, 1, 4), 0, Installed(rng, 2016, 2024), null);
        }
        for (var s = 0; s < ran; s++)
        {
            var site = $"RAN-{s + 1:D7}";
            var region = RegionNames[rng.Next(options.Regions)];
            var cls = rng.NextDouble() < 0.01 ? "sensitive" : "standard";
            var rv = Pick(rng, RanVendors);
            var first = rng.Next(2012, 2020);
            elements += w.Row($"{site}-ENB", site, region, cls, "ran", "eNB", rv, rng, "4G", Weight(rng, 0.5, 2), 3, Installed(rng, first, first + 1), null);
            if (rng.NextDouble() < 0.7)
            {
                // A small share of restricted 5G installed after the UK ban of September 2021 (S36), so the
                // no_new_install rules have something to find.
                var year = rv.Vendor is "Huawei" or "ZTE" ? (rng.NextDouble() < 0.05 ? 2022 : rng.Next(2019, 2021)) : rng.Next(2019, 2025);
                elements += w.Row($"{site}-GNB", site, region, cls, "ran", "gNB", rv, rng, "5G", Weight(rng, 0.5, 3), 3, Installed(rng, year, year), null);
            }
            for (var r = 1; r <= 3; r++)
                elements += w.Row($"{site}-RU{r}", site, region, cls, "ran", "RU", rv, rng, "4G/5G", 0, 0, Installed(rng, first, first + 2), null);
            elements += w.Row($"{site}-CSR", site, region, cls, "transport", "cell-site-router", Pick(rng, TransportVendors), rng, "", 1, 0, Installed(rng, first, first + 3), null);
            if (rng.NextDouble() < 0.3)
                elements += w.Row($"{site}-MW", site, region, cls, "transport", "microwave", Pick(rng, MicrowaveVendors), rng, "", 1, 0, Installed(rng, first, first + 3), null);
        }
        output.Flush();
        return elements;
    }

    private static (string Vendor, double Share, string Model, string[] Versions) Pick(Random rng, (string, double, string, string[])[] vendors)
    {
        var x = rng.NextDouble();
        foreach (var v in vendors)
        {
            x -= v.Item2;
            if (x < 0)
                return v;
        }
        return vendors[^1];
    }

    private static double Weight(Random rng, double min, double max) => Math.Round(min + rng.NextDouble() * (max - min), 2);

    private static DateOnly Installed(Random rng, int fromYear, int toYear)
    {
        var first = new DateOnly(fromYear, 1, 1).DayNumber;
        var last = new DateOnly(Math.Max(fromYear, toYear), 12, 31).DayNumber;
        return DateOnly.FromDayNumber(first + rng.Next(last - first + 1));
    }

    private sealed class RowWriter(TextWriter output)
    {
        public int Row(string id, string site, string region, string cls, string domain, string function,
            (string Vendor, double Share, string Model, string[] Versions) vendor, Random rng, string technology, double weight, int cells, DateOnly installed, string? manages)
        {
            var version = vendor.Versions[rng.Next(vendor.Versions.Length)];
            output.Write(id); output.Write(',');
            output.Write(site); output.Write(',');
            output.Write(region); output.Write(',');
            output.Write(cls); output.Write(',');
            output.Write(domain); output.Write(',');
            output.Write(function); output.Write(',');
            output.Write(vendor.Vendor); output.Write(',');
            output.Write(vendor.Model); output.Write(',');
            output.Write(version); output.Write(',');
            output.Write(technology); output.Write(',');
            output.Write(weight.ToString(CultureInfo.InvariantCulture)); output.Write(',');
            output.Write(cells.ToString(CultureInfo.InvariantCulture)); output.Write(',');
            output.Write(installed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); output.Write(',');
            output.Write(manages ?? "");
            output.Write('\n');
            return 1;
        }
    }
}
