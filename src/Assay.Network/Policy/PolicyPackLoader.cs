using System.Globalization;
using Assay.Network.Inventory;
using Assay.Network.Text;
using YamlDotNet.RepresentationModel;

namespace Assay.Network.Policy;

/// <summary>Reads and validates a policy pack YAML (schema in docs/network.md). Every error carries its line.</summary>
public static class PolicyPackLoader
{
    /// <summary>Most rules in one pack.</summary>
    public const int MaxRules = 1000;

    private static readonly string[] PackKeys =
        ["id", "title", "jurisdiction", "vendor_class", "vendors", "default_vendors", "default_vendors_source", "sources", "note", "rules"];

    private static readonly string[] RuleKeys =
        ["id", "kind", "scope", "from", "value", "measure", "level", "enforceable", "fact_status", "source", "note"];

    private static readonly string[] ScopeKeys = ["domains", "functions", "site_classes", "technology", "managed_domains"];

    /// <summary>Loads a pack from a file. Throws <see cref="InventoryException"/> when malformed.</summary>
    public static PolicyPack LoadFile(string path) =>
        Parse(InputFiles.ReadAllTextBounded(path, InputFiles.MaxSmallFileBytes), Path.GetFileName(path)) with { Origin = path };

    /// <summary>Parses pack YAML; <paramref name="file"/> names it in errors.</summary>
    public static PolicyPack Parse(string yaml, string file)
    {
        var errors = new ErrorList(file);
        var root = YamlDoc.LoadMapping(yaml, file);
        root.RejectUnknownKeys(PackKeys, "the pack", errors);
        var id = root.Scalar("id", errors);
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
            errors.Add(root.Line(), "the pack needs an 'id' (a short lower-case name, at most 64 characters)");
        var title = root.Scalar("title", errors) ?? id ?? "";
        var vendorClass = root.Scalar("vendor_class", errors);
        if (string.IsNullOrWhiteSpace(vendorClass))
            errors.Add(root.Line(), "the pack needs a 'vendor_class' (e.g. high-risk, designated-vendor, or named with a 'vendors' list)");
        var vendors = root.List("vendors", errors);
        if (string.Equals(vendorClass, "named", StringComparison.OrdinalIgnoreCase) && vendors.Count == 0)
            errors.Add(root.Line(), "vendor_class 'named' needs a 'vendors' list");

        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (root.Get("sources") is YamlMappingNode src)
        {
            foreach (var (k, v) in src.Children)
                if (k is YamlScalarNode ks && v is YamlScalarNode vs && ks.Value is not null)
                    sources[ks.Value] = vs.Value ?? "";
        }

        var rules = new List<PolicyRule>();
        if (root.Get("rules") is not YamlSequenceNode ruleNodes || ruleNodes.Children.Count == 0)
        {
            errors.Add(root.Line(), "the pack needs a non-empty 'rules' list");
        }
        else if (ruleNodes.Children.Count > MaxRules)
        {
            errors.Add(ruleNodes.Line(), $"{ruleNodes.Children.Count} rules; at most {MaxRules} are accepted");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in ruleNodes.Children)
            {
                if (node is not YamlMappingNode r)
                {
                    errors.Add(node.Line(), "each rule must be a mapping with id, kind, scope, from");
                    continue;
                }
                var rule = ParseRule(r, errors);
                if (rule is null)
                    continue;
                if (!seen.Add(rule.Id))
                    errors.Add(node.Line(), $"rule id '{rule.Id}' appears twice in the pack");
                rules.Add(rule);
            }
        }
        errors.ThrowIfAny();
        return new PolicyPack
        {
            Id = id!.Trim(),
            Title = title,
            Jurisdiction = root.Scalar("jurisdiction", errors),
            VendorClass = vendorClass!.Trim(),
            Vendors = vendors,
            DefaultVendors = root.List("default_vendors", errors),
            DefaultVendorsSource = root.Scalar("default_vendors_source", errors),
            Sources = sources,
            Note = root.Scalar("note", errors),
            Rules = rules,
        };
    }

    private static PolicyRule? ParseRule(YamlMappingNode r, ErrorList errors)
    {
        var before = errors.Count;
        r.RejectUnknownKeys(RuleKeys, "a rule", errors);
        var id = r.Scalar("id", errors);
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(r.Line(), "rule without an 'id'");
            return null;
        }
        var kindText = r.Scalar("kind", errors);
        RuleKind kind;
        switch (kindText?.Trim().ToLowerInvariant())
        {
            case "exclude": kind = RuleKind.Exclude; break;
            case "max_share": kind = RuleKind.MaxShare; break;
            case "deadline": kind = RuleKind.Deadline; break;
            case "no_new_install": kind = RuleKind.NoNewInstall; break;
            default:
                errors.Add(r.Line(), $"rule {id}: kind '{kindText}' is not one of: exclude, max_share, deadline, no_new_install");
                return null;
        }
        DateOnly? from = null;
        var fromText = r.Scalar("from", errors);
        if (fromText is not null)
        {
            if (DateOnly.TryParseExact(fromText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                from = d;
            else
                errors.Add(r.Get("from")!.Line(), $"rule {id}: from '{fromText}' is not a date (YYYY-MM-DD)");
        }
        var enforceable = true;
        var enfText = r.Scalar("enforceable", errors);
        if (enfText is not null && !bool.TryParse(enfText, out enforceable))
            errors.Add(r.Line(), $"rule {id}: enforceable '{enfText}' is not true or false");
        if (kind == RuleKind.Deadline && from is null && enforceable)
            errors.Add(r.Line(), $"rule {id}: a deadline needs a 'from' date (the date removal must be complete)");

        double? value = null;
        var valueText = r.Scalar("value", errors);
        if (valueText is not null)
        {
            if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1)
                value = v;
            else
                errors.Add(r.Line(), $"rule {id}: value '{valueText}' is not a share between 0 and 1 (35% is 0.35)");
        }
        if (kind == RuleKind.MaxShare && value is null && enforceable)
            errors.Add(r.Line(), $"rule {id}: max_share needs a 'value' (the cap, 0..1), or 'enforceable: false'");

        var measure = ShareMeasure.Elements;
        var measureText = r.Scalar("measure", errors);
        if (measureText is not null && !Enum.TryParse(measureText, ignoreCase: true, out measure))
            errors.Add(r.Line(), $"rule {id}: measure '{measureText}' is not one of: elements, sites, cells, traffic");
        if (kind == RuleKind.MaxShare && measureText is null && enforceable)
            errors.Add(r.Line(), $"rule {id}: max_share needs a 'measure' (elements, sites, cells or traffic); regulators have left it undefined (UK 35% cap, S33), so the pack must choose");
        var level = ShareLevel.National;
        var levelText = r.Scalar("level", errors);
        if (levelText is not null && !Enum.TryParse(levelText, ignoreCase: true, out level))
            errors.Add(r.Line(), $"rule {id}: level '{levelText}' is not national or region");

        var scope = new RuleScope();
        switch (r.Get("scope"))
        {
            case null:
                break;
            case YamlMappingNode s:
                s.RejectUnknownKeys(ScopeKeys, $"the scope of rule {id}", errors);
                scope = new RuleScope
                {
                    Domains = ParseDomains(s, "domains", id, errors),
                    Functions = s.List("functions", errors),
                    SiteClasses = s.List("site_classes", errors),
                    Technology = s.Scalar("technology", errors),
                    ManagedDomains = ParseDomains(s, "managed_domains", id, errors),
                };
                break;
            case YamlScalarNode { Value: "all" }:
                break;
            case var other:
                errors.Add(other.Line(), $"rule {id}: scope must be a mapping (domains, functions, site_classes, technology, managed_domains) or 'all'");
                break;
        }
        if (errors.Count > before)
            return null;
        return new PolicyRule
        {
            Id = id.Trim(),
            Kind = kind,
            Scope = scope,
            From = from,
            Value = value,
            Measure = measure,
            Level = level,
            Enforceable = enforceable,
            FactStatus = r.Scalar("fact_status", errors),
            Source = r.Scalar("source", errors),
            Note = r.Scalar("note", errors),
            Line = r.Line(),
        };
    }

    private static List<NetworkDomain> ParseDomains(YamlMappingNode s, string key, string rule, ErrorList errors)
    {
        var result = new List<NetworkDomain>();
        foreach (var name in s.List(key, errors))
        {
            if (NetworkDomains.TryParse(name, out var d))
                result.Add(d);
            else
                errors.Add(s.Get(key)!.Line(), $"rule {rule}: {key} '{name}' is not one of: {NetworkDomains.ValidNames}");
        }
        return result;
    }
}
