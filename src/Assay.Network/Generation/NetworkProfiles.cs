namespace Assay.Network.Generation;

/// <summary>
/// The generator's profiles, sorted by id (STYLE.md rule 2). <c>europe</c> is the default and the one
/// the benchmarks use; <c>canada</c> and <c>us-rural</c> are the networks eval/network holds against
/// the Canadian policy and the FCC's published figures. Every share here is an assumption, stated in
/// the profile's <see cref="NetworkProfile.Shape"/>.
/// </summary>
public static class NetworkProfiles
{
    /// <summary>The profile used when none is named.</summary>
    public const string Default = "europe";

    /// <summary>Every profile, sorted by id.</summary>
    public static IReadOnlyList<NetworkProfile> All { get; } = [Canada(), Europe(), UsRural()];

    /// <summary>The ids, sorted.</summary>
    public static IReadOnlyList<string> Ids { get; } = [.. All.Select(p => p.Id)];

    /// <summary>The profile with this id, or null.</summary>
    public static NetworkProfile? Find(string id) => All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase));

    private static NetworkProfile Europe() => new()
    {
        Id = "europe",
        Shape = "A European national mobile operator (the default). RAN vendors by site: Ericsson 34%, Nokia 27%, Huawei 30%, Samsung 5%, ZTE 4% " +
            "(Strand Consult put Huawei at about 45% and ZTE about 7% of European 4G RAN in 2020, S60; here a market that had begun to move). " +
            "5G on 70% of RAN sites, stacked on the same vendor's 4G (BT, Jan 2020, S33); 5% of restricted 5G installed in 2022. 1% of RAN sites sensitive.",
        RanStyle = RanStyle.Stacked,
        RanVendors =
        [
            new("Ericsson", 0.34, "Baseband 6630", ["22.Q4", "23.Q2", "24.Q1"]),
            new("Nokia", 0.27, "AirScale", ["SRAN22R1", "SRAN23R1"]),
            new("Huawei", 0.30, "BBU5900", ["V100R019C10", "V100R021C10"]),
            new("ZTE", 0.04, "ZXRAN V9200", ["V4.20", "V5.10"]),
            new("Samsung", 0.05, "CDU50", ["21A", "22A"]),
        ],
        CoreVendors =
        [
            new("Ericsson", 0.45, "Dual-mode 5G Core", ["1.12", "1.15"]),
            new("Nokia", 0.40, "Cloud Packet Core", ["23.5", "24.2"]),
            new("Huawei", 0.15, "CloudCore", ["V100R020", "V100R022"]),
        ],
        TransportVendors =
        [
            new("Cisco", 0.35, "ASR 9000", ["7.9.2", "7.11.1"]),
            new("Juniper", 0.20, "MX960", ["22.4R3", "23.2R1"]),
            new("Nokia", 0.25, "7750 SR", ["23.10.R1", "24.3.R1"]),
            new("Huawei", 0.20, "NE40E", ["V800R021C10", "V800R022C00"]),
        ],
        MicrowaveVendors =
        [
            new("Ericsson", 0.40, "MINI-LINK 6352", ["1.8", "1.9"]),
            new("Huawei", 0.40, "RTN 950A", ["V100R015C00"]),
            new("NEC", 0.20, "iPASOLINK VR", ["4.2"]),
        ],
        OltVendors =
        [
            new("Huawei", 0.50, "MA5800", ["V100R021C00"]),
            new("Nokia", 0.50, "Lightspan FX", ["23.9"]),
        ],
    };

    private static NetworkProfile Canada() => new()
    {
        Id = "canada",
        Shape = "A Canadian national mobile operator before the 2022 policy, shaped like the two that had bought Huawei 4G RAN " +
            "(Huawei sold more than US$700m of equipment in Canada from 2018, mostly to Bell and Telus: Devdiscourse, 20 May 2022) and chose Ericsson and Nokia for 5G (Cartt.ca and NTD, May 2022). " +
            "Assumed: half of the RAN sites have 5G, swapped whole to the 5G vendor (Ericsson 55%, Nokia 43%) with 4G and dual-mode radios from the same vendor, installed 2020-2022; " +
            "2% of 5G sites are early Huawei 5G (2019-2020); 4G-only sites keep their 4G vendor (Huawei 55%, Nokia 30%, Ericsson 15%) with 4G radios; " +
            "no Huawei or ZTE in the core (assumed, not sourced); Huawei 10% of routers, 30% of microwave links and 40% of OLTs. About 6 elements per RAN site.",
        RanStyle = RanStyle.Swapped,
        FiveGShare = 0.5,
        FiveGYears = (2020, 2022),
        RestrictedFiveGYears = (2019, 2020),
        RanVendors =
        [
            new("Huawei", 0.55, "BBU3900", ["V100R015C10", "V100R016C10"]),
            new("Nokia", 0.30, "Flexi Multiradio 10", ["FL18A", "FL19A"]),
            new("Ericsson", 0.15, "Baseband 5216", ["20.Q4", "21.Q2"]),
        ],
        FiveGVendors =
        [
            new("Ericsson", 0.55, "Baseband 6630", ["21.Q4", "22.Q2"]),
            new("Nokia", 0.43, "AirScale", ["SRAN21R1", "SRAN22R1"]),
            new("Huawei", 0.02, "BBU5900", ["V100R015C10"]),
        ],
        CoreVendors =
        [
            new("Ericsson", 0.55, "Dual-mode 5G Core", ["1.10", "1.12"]),
            new("Nokia", 0.45, "Cloud Packet Core", ["22.5", "23.5"]),
        ],
        TransportVendors =
        [
            new("Cisco", 0.40, "ASR 9000", ["7.5.2", "7.9.2"]),
            new("Juniper", 0.20, "MX960", ["21.4R3", "22.4R3"]),
            new("Nokia", 0.30, "7750 SR", ["22.10.R1", "23.3.R1"]),
            new("Huawei", 0.10, "NE40E", ["V800R013C00"]),
        ],
        MicrowaveVendors =
        [
            new("Ericsson", 0.40, "MINI-LINK 6352", ["1.7", "1.8"]),
            new("Huawei", 0.30, "RTN 950A", ["V100R013C10"]),
            new("Aviat", 0.30, "WTM 4000", ["4.6"]),
        ],
        OltVendors =
        [
            new("Huawei", 0.40, "MA5800", ["V100R019C10"]),
            new("Nokia", 0.60, "Lightspan FX", ["22.6"]),
        ],
        RegionNames =
        [
            "ontario", "quebec", "british-columbia", "alberta", "manitoba", "saskatchewan", "nova-scotia", "new-brunswick",
            "newfoundland", "pei", "yukon", "northwest-territories", "nunavut", "ottawa", "montreal", "toronto",
        ],
    };

    private static NetworkProfile UsRural() => new()
    {
        Id = "us-rural",
        Shape = "The rural US networks in the FCC Reimbursement Program, taken together: small 4G operators that bought Huawei and ZTE (181 applications; FCC public notice DA 22-131, S55). " +
            "Assumed: 4G RAN vendors by site Huawei 45%, ZTE 15%, Ericsson 15%, Nokia 15%, Samsung 10%; 4G installed 2011-2019 with radios up to two years later (some after the 30 Jun 2020 cut-off); " +
            "10% of sites with 5G, swapped whole to Ericsson, Nokia or Samsung in 2021-2024; cell-site routers Huawei 30%, ZTE 20%; microwave on 60% of sites (Huawei 40%, ZTE 10%); " +
            "one EPC core site (Huawei 40%, ZTE 10%; no 5G core) per 500 RAN sites, one aggregation site per 150; OLTs Huawei 40%, ZTE 20%; no Huawei or ZTE installed after 2021. A location is a site.",
        RanStyle = RanStyle.Swapped,
        FiveGShare = 0.1,
        MicrowaveShare = 0.6,
        SensitiveShare = 0.0,
        FirstYears = (2011, 2020),
        FiveGYears = (2021, 2024),
        RestrictedLastYear = 2021,
        FiveGCore = false,
        SitesPerCore = 500,
        SitesPerAggregation = 150,
        RanVendors =
        [
            new("Huawei", 0.45, "BBU3900", ["V100R012C10", "V100R015C10"]),
            new("ZTE", 0.15, "ZXSDR B8200", ["V4.15", "V4.20"]),
            new("Ericsson", 0.15, "Baseband 5216", ["19.Q4", "20.Q4"]),
            new("Nokia", 0.15, "Flexi Multiradio 10", ["FL17A", "FL18A"]),
            new("Samsung", 0.10, "CDU30", ["19A", "20A"]),
        ],
        FiveGVendors =
        [
            new("Ericsson", 0.45, "Baseband 6630", ["22.Q4", "23.Q2"]),
            new("Nokia", 0.35, "AirScale", ["SRAN22R1", "SRAN23R1"]),
            new("Samsung", 0.20, "CDU50", ["22A", "23A"]),
        ],
        CoreVendors =
        [
            new("Huawei", 0.40, "eCNS600", ["V100R005C10"]),
            new("ZTE", 0.10, "ZXUN uMAC", ["V4.18"]),
            new("Ericsson", 0.25, "Packet Core Controller", ["1.8", "1.10"]),
            new("Nokia", 0.25, "Cloud Packet Core", ["21.5", "22.5"]),
        ],
        TransportVendors =
        [
            new("Huawei", 0.30, "ATN 910", ["V300R005C10"]),
            new("ZTE", 0.20, "ZXCTN 6120", ["V5.00"]),
            new("Cisco", 0.35, "ASR 920", ["16.12.4", "17.3.1"]),
            new("Juniper", 0.15, "ACX2100", ["19.4R3"]),
        ],
        MicrowaveVendors =
        [
            new("Huawei", 0.40, "RTN 950A", ["V100R011C10"]),
            new("ZTE", 0.10, "ZXMW NR8250", ["V2.04"]),
            new("Aviat", 0.30, "CTR 8000", ["3.9"]),
            new("Ericsson", 0.20, "MINI-LINK 6352", ["1.6"]),
        ],
        OltVendors =
        [
            new("Huawei", 0.40, "MA5800", ["V100R018C10"]),
            new("ZTE", 0.20, "ZXA10 C600", ["V1.2"]),
            new("Calix", 0.20, "E7-2", ["3.1"]),
            new("Nokia", 0.20, "Lightspan FX", ["21.9"]),
        ],
        RegionNames =
        [
            "colorado", "nebraska", "kansas", "wyoming", "montana", "idaho", "oregon", "washington",
            "michigan", "wisconsin", "kentucky", "tennessee", "texas", "new-mexico", "arizona", "alaska",
        ],
    };
}
