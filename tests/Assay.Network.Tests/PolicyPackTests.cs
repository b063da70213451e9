using Assay.Network.Inventory;
using Assay.Network.Policy;

namespace Assay.Network.Tests;

public sealed class PolicyPackTests
{
    [Fact]
    public void Builtin_Ids_AreTheIssueIdsSortedAndEachLoads()
    {
        Assert.Equal(["au-2018", "ca-2022", "de-2024", "eu-sm03", "se-2020", "uk-2020", "uk-dvd", "us-fcc"], BuiltinPolicyPacks.Ids);
        Assert.Equal(BuiltinPolicyPacks.Ids.Order(StringComparer.Ordinal), BuiltinPolicyPacks.Ids);
        Assert.Equal(BuiltinPolicyPacks.Ids, BuiltinPolicyPacks.All.Select(p => p.Id));
    }

    [Fact]
    public void Builtin_EveryRule_CarriesSourceAndFactStatusAndUniqueId()
    {
        var ids = new HashSet<string>();
        foreach (var pack in BuiltinPolicyPacks.All)
        {
            Assert.NotEmpty(pack.Rules);
            Assert.NotEmpty(pack.Sources);
            foreach (var rule in pack.Rules)
            {
                Assert.True(ids.Add(rule.Id), $"duplicate rule id {rule.Id}");
                Assert.Contains(rule.FactStatus, new[] { "F", "F2", "U", "I" });
                Assert.False(string.IsNullOrWhiteSpace(rule.Source), $"{rule.Id} has no source");
                // every source id the rule cites is listed in the pack
                foreach (var s in rule.Source!.Split(',', StringSplitOptions.TrimEntries))
                    Assert.True(pack.Sources.ContainsKey(s), $"{pack.Id}/{rule.Id} cites {s}, not in the pack's sources");
            }
            foreach (var s in pack.Reimbursement?.Source?.Split(',', StringSplitOptions.TrimEntries) ?? [])
                Assert.True(pack.Sources.ContainsKey(s), $"{pack.Id}: reimbursement cites {s}, not in the pack's sources");
            // every parameter a rule uses is declared, and every declared one is used
            var used = pack.Rules.SelectMany(r => r.FromParameters.Select(f => f.Parameter).Append(r.ExtensionParameter)).OfType<string>().ToHashSet();
            Assert.Equal(pack.Parameters.Select(p => p.Name).Order(), used.Order());
        }
    }

    [Fact]
    public void Builtin_UkDvd_HasTheDirectionDates()
    {
        // Dates of the designated vendor direction of 13 Oct 2022 (research/telecom-standards.md §3.1, S39).
        var dvd = BuiltinPolicyPacks.Find("uk-dvd")!;
        Assert.Equal(new DateOnly(2023, 12, 31), dvd.Rules.Single(r => r.Id == "UK-DVD-05").From);
        Assert.Equal([NetworkDomain.Core], dvd.Rules.Single(r => r.Id == "UK-DVD-05").Scope.Domains);
        Assert.Equal(new DateOnly(2027, 12, 31), dvd.Rules.Single(r => r.Id == "UK-DVD-07").From);
        var cap = dvd.Rules.Single(r => r.Id == "UK-DVD-04");
        Assert.Equal((RuleKind.MaxShare, 0.35, new DateOnly(2023, 10, 31)), (cap.Kind, cap.Value!.Value, cap.From!.Value));
        Assert.Equal(new DateOnly(2025, 1, 1), BuiltinPolicyPacks.Find("se-2020")!.Rules.Single(r => r.Id == "SE-PTS-02").From);
        Assert.Equal(new DateOnly(2026, 12, 31), BuiltinPolicyPacks.Find("de-2024")!.Rules.Single(r => r.Id == "DE-2024-01").From);
    }

    [Fact]
    public void Parse_CustomPack_ReadsEveryField()
    {
        var pack = PolicyPackLoader.Parse("""
            id: cap-40
            title: Operator cap
            vendor_class: named
            vendors: [Huawei, ZTE]
            rules:
              - id: CAP-1
                kind: max_share
                scope: {domains: [ran], functions: [gNB, eNB], site_classes: [standard], technology: 5G}
                value: 0.4
                measure: traffic
                level: region
                from: 2026-06-30
            """, "cap.yaml");
        var rule = Assert.Single(pack.Rules);
        Assert.Equal((RuleKind.MaxShare, ShareMeasure.Traffic, ShareLevel.Region, 0.4), (rule.Kind, rule.Measure, rule.Level, rule.Value!.Value));
        Assert.Equal(["gNB", "eNB"], rule.Scope.Functions);
        Assert.Equal("5G", rule.Scope.Technology);
        Assert.Equal(["Huawei", "ZTE"], pack.Vendors);
    }

    [Fact]
    public void Parse_InvalidRules_ReportsEachWithItsLine()
    {
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse("""
            id: bad
            vendor_class: high-risk
            rules:
              - id: R1
                kind: ban
              - id: R2
                kind: max_share
                value: 35
                measure: sites
              - id: R3
                kind: max_share
                value: 0.35
              - id: R4
                kind: deadline
                scope: {domains: [kore]}
              - id: R5
                kind: exclude
                from: 2020-13-01
            """, "bad.yaml"));
        Assert.Contains("bad.yaml:4: rule R1: kind 'ban'", e.Message);
        Assert.Contains("bad.yaml:6: rule R2: value '35' is not a share between 0 and 1", e.Message);
        Assert.Contains("bad.yaml:10: rule R3: max_share needs a 'measure'", e.Message);
        Assert.Contains("rule R4: domains 'kore'", e.Message);
        Assert.Contains("rule R4: a deadline needs a 'from' date", e.Message);
        Assert.Contains("rule R5: from '2020-13-01' is not a date", e.Message);
    }

    [Fact]
    public void Parse_NamedWithoutVendors_IsAnError()
    {
        var e = Assert.Throws<InventoryException>(() => PolicyPackLoader.Parse("id: x\nvendor_class: named\nrules:\n  - {id: A, kind: exclude}\n", "x.yaml"));
        Assert.Contains("needs a 'vendors' list", e.Message);
    }

    [Fact]
    public void Resolve_UnknownPolicy_ListsTheBuiltinIds()
    {
        var e = Assert.Throws<ArgumentException>(() => BuiltinPolicyPacks.Resolve("uk-2030"));
        Assert.Contains("uk-2020, uk-dvd", e.Message);
    }
}
