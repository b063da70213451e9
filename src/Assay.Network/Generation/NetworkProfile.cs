namespace Assay.Network.Generation;

/// <summary>One vendor of a mix: its share of the sites or elements, its product and software versions.</summary>
public sealed record VendorShare(string Vendor, double Share, string Model, string[] Versions);

/// <summary>How a generated RAN site's 5G relates to its 4G.</summary>
public enum RanStyle
{
    /// <summary>5G is added on the site's 4G vendor (stacked baseband); radios are dual-mode 4G/5G everywhere.</summary>
    Stacked,

    /// <summary>
    /// A 5G site was swapped whole to its 5G vendor (4G, 5G and dual-mode radios from that vendor, installed
    /// together); a 4G-only site keeps its 4G vendor and 4G radios. Canadian and US operators that chose
    /// other vendors for 5G did this.
    /// </summary>
    Swapped,
}

/// <summary>
/// The shape of a generated network: vendor mixes per domain, the share of sites with 5G, how 5G sits
/// on 4G, install years, and how many sites share a core or an aggregation site. Every number is an
/// assumption of the profile, written down with its reasons (<see cref="Shape"/>), not a fact about a
/// real operator; docs/network.md and eval/network/README.md repeat them.
/// </summary>
public sealed record NetworkProfile
{
    /// <summary>Stable lower-case id (<c>--profile</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The assumed shape, in words, with the facts it leans on.</summary>
    public required string Shape { get; init; }

    public required RanStyle RanStyle { get; init; }

    /// <summary>4G RAN vendors by site (for <see cref="RanStyle.Stacked"/>: every RAN site).</summary>
    public required VendorShare[] RanVendors { get; init; }

    /// <summary>For <see cref="RanStyle.Swapped"/>: 5G vendors by 5G site; null when 5G stacks on the 4G vendor.</summary>
    public VendorShare[]? FiveGVendors { get; init; }

    public required VendorShare[] CoreVendors { get; init; }
    public required VendorShare[] TransportVendors { get; init; }
    public required VendorShare[] MicrowaveVendors { get; init; }
    public required VendorShare[] OltVendors { get; init; }

    /// <summary>Whether core sites carry 5G core functions (AMF, SMF, UPF ...) beside the EPC.</summary>
    public bool FiveGCore { get; init; } = true;

    /// <summary>Share of RAN sites with 5G.</summary>
    public double FiveGShare { get; init; } = 0.7;

    /// <summary>Share of RAN sites with a microwave link.</summary>
    public double MicrowaveShare { get; init; } = 0.3;

    /// <summary>Share of RAN sites in the <c>sensitive</c> class.</summary>
    public double SensitiveShare { get; init; } = 0.01;

    /// <summary>First and last year (exclusive) a RAN site's 4G can date from.</summary>
    public (int From, int To) FirstYears { get; init; } = (2012, 2020);

    /// <summary>Years (inclusive) 5G was installed by vendors outside <see cref="RestrictedVendors"/>.</summary>
    public (int From, int To) FiveGYears { get; init; } = (2019, 2024);

    /// <summary>Years (inclusive) 5G was installed by the vendors in <see cref="RestrictedVendors"/>.</summary>
    public (int From, int To) RestrictedFiveGYears { get; init; } = (2019, 2020);

    /// <summary>For <see cref="RanStyle.Stacked"/>: share of restricted 5G installed in 2022 (after bans; gives no_new_install rules something to find).</summary>
    public double RestrictedLateFiveGShare { get; init; } = 0.05;

    /// <summary>Last year restricted vendors' equipment was installed (null: no limit).</summary>
    public int? RestrictedLastYear { get; init; }

    /// <summary>Vendors whose 5G install years follow <see cref="RestrictedFiveGYears"/>.</summary>
    public string[] RestrictedVendors { get; init; } = ["Huawei", "ZTE"];

    /// <summary>RAN sites per core site (at least 2 core sites).</summary>
    public int SitesPerCore { get; init; } = 10_000;

    /// <summary>Sites per aggregation site (at least one per region).</summary>
    public int SitesPerAggregation { get; init; } = 200;

    public string[] RegionNames { get; init; } =
        ["capital", "north", "north-east", "north-west", "yorkshire", "midlands-east", "midlands-west", "east", "south-east", "south-west", "wales", "scotland",
         "northern-ireland", "islands", "border", "coast"];
}
