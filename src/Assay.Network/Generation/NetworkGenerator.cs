using System.Globalization;

namespace Assay.Network.Generation;

/// <summary>Options of <see cref="NetworkGenerator"/>.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of sites in all (core, aggregation and RAN).</summary>
    public int Sites { get; init; } = 1000;

    public int Seed { get; init; } = 1;

    public int Regions { get; init; } = 12;

    /// <summary>The shape of the network (<see cref="NetworkProfiles"/>); default <c>europe</c>.</summary>
    public string Profile { get; init; } = NetworkProfiles.Default;
}

/// <summary>
/// Writes a synthetic national network as an element CSV, for demos, benchmarks and the evaluation.
/// The structure follows a mobile operator: a few core sites (5G core and EPC functions, core routers,
/// OSS and element managers), regional aggregation sites (aggregation routers, edge UPFs, fibre OLTs)
/// and many RAN sites (eNB, gNB where the site has 5G, three radio units, a cell-site router, a
/// microwave link on some). Vendor mixes, the 5G share and how 5G sits on 4G come from a
/// <see cref="NetworkProfile"/>; the default (<c>europe</c>) puts 5G on the same vendor's 4G, because a
/// 5G radio is stacked on that vendor's baseband (BT, Jan 2020, research S33). Deterministic for a
/// given profile and seed.
/// </summary>
public static class NetworkGenerator
{
    /// <summary>The CSV header written (the documented columns, docs/network.md).</summary>
    public const string Header = "element_id,site_id,region,site_class,domain,function,vendor,model,software_version,technology,weight,cells,installed,manages";

    /// <summary>Largest network generated.</summary>
    public const int MaxSites = 5_000_000;

    private static readonly string[] CoreFunctions5G = ["AMF", "SMF", "UPF", "AUSF", "UDM", "NRF", "PCF"];
    private static readonly string[] CoreFunctions4G = ["MME", "SGW", "PGW", "HSS"];

    /// <summary>Writes the network to <paramref name="output"/>; returns the number of elements.</summary>
    public static long Write(GeneratorOptions options, TextWriter output)
    {
        if (options.Sites is < 3 or > MaxSites)
            throw new ArgumentOutOfRangeException(nameof(options), options.Sites, $"sites must be between 3 and {MaxSites:N0}");
        if (options.Regions is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(options), options.Regions, "regions must be between 1 and 16");
        var profile = NetworkProfiles.Find(options.Profile)
            ?? throw new ArgumentOutOfRangeException(nameof(options), options.Profile, $"no generator profile '{options.Profile}'; valid: {string.Join(", ", NetworkProfiles.Ids)}");
        var rng = new Random(options.Seed);
        var w = new RowWriter(output);
        var regionNames = profile.RegionNames;
        output.Write(Header);
        output.Write('\n');
        var core = Math.Max(2, options.Sites / profile.SitesPerCore);
        var aggregation = Math.Max(options.Regions, options.Sites / profile.SitesPerAggregation);
        var ran = options.Sites - core - aggregation;
        if (ran < 1)
        {
            core = 2;
            aggregation = 1;
            ran = options.Sites - 3;
        }
        // Element managers: one per RAN vendor (4G and 5G vendors alike).
        var ranVendors = profile.RanVendors.Concat(profile.FiveGVendors ?? []).DistinctBy(v => v.Vendor).ToArray();
        long elements = 0;
        for (var s = 0; s < core; s++)
        {
            var site = $"CORE-{s + 1:D3}";
            var region = regionNames[s % options.Regions];
            var v5 = Pick(rng, profile.CoreVendors);
            var v4 = Pick(rng, profile.CoreVendors);
            foreach (var f in profile.FiveGCore ? CoreFunctions5G : Array.Empty<string>())
                elements += w.Row($"{site}-{f}", site, region, "core", "core", f, v5, rng, "5G", Weight(rng, 20, 60), 0, Installed(rng, profile, v5, 2019, 2024), null);
            foreach (var f in CoreFunctions4G)
                elements += w.Row($"{site}-{f}", site, region, "core", "core", f, v4, rng, "4G", Weight(rng, 20, 60), 0, Installed(rng, profile, v4, 2012, 2020), null);
            for (var r = 1; r <= 2; r++)
            {
                var cr = Pick(rng, profile.TransportVendors);
                elements += w.Row($"{site}-CR{r}", site, region, "core", "transport", "core-router", cr, rng, "", 10, 0, Installed(rng, profile, cr, 2014, 2023), null);
            }
            var oss = Pick(rng, profile.CoreVendors);
            elements += w.Row($"{site}-OSS", site, region, "core", "oss", "OSS", oss, rng, "", 1, 0, Installed(rng, profile, oss, 2015, 2023), null);
            foreach (var v in ranVendors)
                elements += w.Row($"{site}-EMS-{v.Vendor.ToUpperInvariant()}", site, region, "core", "management", "EMS", v, rng, "", 1, 0, Installed(rng, profile, v, 2014, 2023), "ran");
            var ems = Pick(rng, profile.TransportVendors);
            elements += w.Row($"{site}-EMS-TRANSPORT", site, region, "core", "management", "EMS", ems, rng, "", 1, 0, Installed(rng, profile, ems, 2014, 2023), "transport");
        }
        for (var s = 0; s < aggregation; s++)
        {
            var site = $"AGG-{s + 1:D5}";
            var region = regionNames[s % options.Regions];
            var tv = Pick(rng, profile.TransportVendors);
            for (var r = 1; r <= 2; r++)
                elements += w.Row($"{site}-AR{r}", site, region, "aggregation", "transport", "aggregation-router", tv, rng, "", 5, 0, Installed(rng, profile, tv, 2013, 2023), null);
            if (profile.FiveGCore && rng.NextDouble() < 0.3)
            {
                var upf = Pick(rng, profile.CoreVendors);
                elements += w.Row($"{site}-UPF", site, region, "aggregation", "core", "UPF", upf, rng, "5G", Weight(rng, 5, 15), 0, Installed(rng, profile, upf, 2020, 2024), null);
            }
            var olts = rng.Next(2, 6);
            var ov = Pick(rng, profile.OltVendors);
            for (var o = 1; o <= olts; o++)
                elements += w.Row($"{site}-OLT{o}", site, region, "aggregation", "fixed-access", "OLT", ov, rng, "", Weight(rng, 1, 4), 0, Installed(rng, profile, ov, 2016, 2024), null);
        }
        for (var s = 0; s < ran; s++)
        {
            var site = $"RAN-{s + 1:D7}";
            var region = regionNames[rng.Next(options.Regions)];
            var cls = rng.NextDouble() < profile.SensitiveShare ? "sensitive" : "standard";
            var first = profile.RanStyle == RanStyle.Stacked
                ? StackedRadios(profile, w, rng, site, region, cls, ref elements)
                : SwappedRadios(profile, w, rng, site, region, cls, ref elements);
            var csr = Pick(rng, profile.TransportVendors);
            elements += w.Row($"{site}-CSR", site, region, cls, "transport", "cell-site-router", csr, rng, "", 1, 0, Installed(rng, profile, csr, first, first + 3), null);
            if (rng.NextDouble() < profile.MicrowaveShare)
            {
                var mw = Pick(rng, profile.MicrowaveVendors);
                elements += w.Row($"{site}-MW", site, region, cls, "transport", "microwave", mw, rng, "", 1, 0, Installed(rng, profile, mw, first, first + 3), null);
            }
        }
        output.Flush();
        return elements;
    }

    /// <summary>eNB, a gNB stacked on the same vendor on <see cref="NetworkProfile.FiveGShare"/> of sites, three dual-mode radios; returns the site's first year.</summary>
    private static int StackedRadios(NetworkProfile profile, RowWriter w, Random rng, string site, string region, string cls, ref long elements)
    {
        var rv = Pick(rng, profile.RanVendors);
        var first = rng.Next(profile.FirstYears.From, profile.FirstYears.To);
        elements += w.Row($"{site}-ENB", site, region, cls, "ran", "eNB", rv, rng, "4G", Weight(rng, 0.5, 2), 3, Installed(rng, profile, rv, first, first + 1), null);
        if (rng.NextDouble() < profile.FiveGShare)
        {
            // A small share of restricted 5G installed after the UK ban of September 2021 (S36), so the
            // no_new_install rules have something to find.
            var year = profile.RestrictedVendors.Contains(rv.Vendor)
                ? (rng.NextDouble() < profile.RestrictedLateFiveGShare ? 2022 : rng.Next(profile.RestrictedFiveGYears.From, profile.RestrictedFiveGYears.To + 1))
                : rng.Next(profile.FiveGYears.From, profile.FiveGYears.To + 1);
            elements += w.Row($"{site}-GNB", site, region, cls, "ran", "gNB", rv, rng, "5G", Weight(rng, 0.5, 3), 3, Installed(rng, year, year), null);
        }
        for (var r = 1; r <= 3; r++)
            elements += w.Row($"{site}-RU{r}", site, region, cls, "ran", "RU", rv, rng, "4G/5G", 0, 0, Installed(rng, profile, rv, first, first + 2), null);
        return first;
    }

    /// <summary>
    /// A 5G site swapped whole to its 5G vendor (eNB, gNB and three dual-mode radios installed together),
    /// or a 4G-only site with its 4G vendor's eNB and three 4G radios; returns the site's first year.
    /// </summary>
    private static int SwappedRadios(NetworkProfile profile, RowWriter w, Random rng, string site, string region, string cls, ref long elements)
    {
        if (profile.FiveGVendors is { } fiveG && rng.NextDouble() < profile.FiveGShare)
        {
            var v = Pick(rng, fiveG);
            var (from, to) = profile.RestrictedVendors.Contains(v.Vendor) ? profile.RestrictedFiveGYears : profile.FiveGYears;
            var year = rng.Next(from, to + 1);
            elements += w.Row($"{site}-ENB", site, region, cls, "ran", "eNB", v, rng, "4G", Weight(rng, 0.5, 2), 3, Installed(rng, year, year), null);
            elements += w.Row($"{site}-GNB", site, region, cls, "ran", "gNB", v, rng, "5G", Weight(rng, 0.5, 3), 3, Installed(rng, year, year), null);
            for (var r = 1; r <= 3; r++)
                elements += w.Row($"{site}-RU{r}", site, region, cls, "ran", "RU", v, rng, "4G/5G", 0, 0, Installed(rng, year, year), null);
            return year;
        }
        var rv = Pick(rng, profile.RanVendors);
        var first = rng.Next(profile.FirstYears.From, profile.FirstYears.To);
        elements += w.Row($"{site}-ENB", site, region, cls, "ran", "eNB", rv, rng, "4G", Weight(rng, 0.5, 2), 3, Installed(rng, profile, rv, first, first + 1), null);
        for (var r = 1; r <= 3; r++)
            elements += w.Row($"{site}-RU{r}", site, region, cls, "ran", "RU", rv, rng, "4G", 0, 0, Installed(rng, profile, rv, first, first + 2), null);
        return first;
    }

    private static VendorShare Pick(Random rng, VendorShare[] vendors)
    {
        var x = rng.NextDouble();
        foreach (var v in vendors)
        {
            x -= v.Share;
            if (x < 0)
                return v;
        }
        return vendors[^1];
    }

    private static double Weight(Random rng, double min, double max) => Math.Round(min + rng.NextDouble() * (max - min), 2);

    /// <summary>An install date in the years given, no later than the profile's last year for restricted vendors.</summary>
    private static DateOnly Installed(Random rng, NetworkProfile profile, VendorShare vendor, int fromYear, int toYear)
    {
        if (profile.RestrictedLastYear is { } last && profile.RestrictedVendors.Contains(vendor.Vendor))
        {
            toYear = Math.Min(toYear, last);
            fromYear = Math.Min(fromYear, toYear);
        }
        return Installed(rng, fromYear, toYear);
    }

    private static DateOnly Installed(Random rng, int fromYear, int toYear)
    {
        var first = new DateOnly(fromYear, 1, 1).DayNumber;
        var last = new DateOnly(Math.Max(fromYear, toYear), 12, 31).DayNumber;
        return DateOnly.FromDayNumber(first + rng.Next(last - first + 1));
    }

    private sealed class RowWriter(TextWriter output)
    {
        public int Row(string id, string site, string region, string cls, string domain, string function,
            VendorShare vendor, Random rng, string technology, double weight, int cells, DateOnly installed, string? manages)
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
