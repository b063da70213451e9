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
        ["id", "title", "jurisdiction", "vendor_class", "vendors", "default_vendors", "default_vendors_source", "sources", "note", "parameters", "reimbursement", "rules"];

    private static readonly string[] RuleKeys =
        ["id", "kind", "scope", "from", "extension_param", "value", "measure", "level", "enforceable", "fact_status", "source", "note"];

    private static readonly string[] ParameterKeys = ["name", "description", "example"];
    private static readonly string[] ParameterDateKeys = ["param", "months", "assumption"];
    private static readonly string[] ReimbursementKeys = ["program", "obtained_on_or_before", "source", "note"];

    /// <summary>Most parameters in one pack, and the longest offset a parameter date may carry (100 years).</summary>
    public const int MaxParameters = 32, MaxParameterMonths = 1200;

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

        var parameters = ParseParameters(root, errors);
        var reimbursement = ParseReimbursement(root, errors);

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
                var rule = ParseRule(r, parameters, errors);
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
            Parameters = parameters,
            Reimbursement = reimbursement,
            Rules = rules,
        };
    }

    private static List<PackParameter> ParseParameters(YamlMappingNode root, ErrorList errors)
    {
        var result = new List<PackParameter>();
        switch (root.Get("parameters"))
        {
            case null:
                return result;
            case YamlSequenceNode seq when seq.Children.Count <= MaxParameters:
                foreach (var node in seq.Children)
                {
                    if (node is not YamlMappingNode m)
                    {
                        errors.Add(node.Line(), "each parameter must be a mapping with name and description");
                        continue;
                    }
                    m.RejectUnknownKeys(ParameterKeys, "a parameter", errors);
                    var name = m.Scalar("name", errors)?.Trim();
                    if (name is null || !PackParameters.IsValidName(name))
                        errors.Add(m.Line(), $"parameter name '{name}' must be 1 to 32 lower-case letters, digits or '_', starting with a letter");
                    else if (result.Exists(p => p.Name == name))
                        errors.Add(m.Line(), $"parameter '{name}' is declared twice");
                    else
                        result.Add(new PackParameter(name, m.Scalar("description", errors) ?? "", m.Scalar("example", errors)));
                }
                return result;
            case var other:
                errors.Add(other.Line(), $"'parameters' must be a list of at most {MaxParameters} mappings (name, description, example)");
                return result;
        }
    }

    private static ReimbursementTerms? ParseReimbursement(YamlMappingNode root, ErrorList errors)
    {
        var node = root.Get("reimbursement");
        if (node is null)
            return null;
        if (node is not YamlMappingNode m)
        {
            errors.Add(node.Line(), "'reimbursement' must be a mapping (program, obtained_on_or_before, source, note)");
            return null;
        }
        m.RejectUnknownKeys(ReimbursementKeys, "reimbursement", errors);
        var program = m.Scalar("program", errors);
        var dateText = m.Scalar("obtained_on_or_before", errors);
        if (string.IsNullOrWhiteSpace(program) || dateText is null || !TryDate(dateText, out var date))
        {
            errors.Add(m.Line(), $"reimbursement needs a 'program' name and an 'obtained_on_or_before' date (YYYY-MM-DD); found '{dateText}'");
            return null;
        }
        return new ReimbursementTerms { Program = program, ObtainedOnOrBefore = date, Source = m.Scalar("source", errors), Note = m.Scalar("note", errors) };
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>
    /// A rule's <c>from</c>: a date; or <c>{param: NAME, months: N, assumption: TEXT}</c>; or a list of
    /// those, tried in order (the first whose parameter the user gave wins).
    /// </summary>
    private static (DateOnly? Date, List<ParameterDate> FromParameters) ParseFrom(YamlMappingNode r, string id, IReadOnlyList<PackParameter> parameters, ErrorList errors)
    {
        var fromParameters = new List<ParameterDate>();
        switch (r.Get("from"))
        {
            case null:
                return (null, fromParameters);
            case YamlScalarNode:
                var text = r.Scalar("from", errors);
                if (text is null)
                    return (null, fromParameters);
                if (TryDate(text, out var d))
                    return (d, fromParameters);
                errors.Add(r.Get("from")!.Line(), $"rule {id}: from '{text}' is not a date (YYYY-MM-DD)");
                return (null, fromParameters);
            case YamlMappingNode one:
                AddParameterDate(one, id, parameters, fromParameters, errors);
                return (null, fromParameters);
            case YamlSequenceNode many when many.Children.Count is > 0 and <= MaxParameters:
                foreach (var item in many.Children)
                {
                    if (item is YamlMappingNode m)
                        AddParameterDate(m, id, parameters, fromParameters, errors);
                    else
                        errors.Add(item.Line(), $"rule {id}: each entry of 'from' must be a mapping {{param, months, assumption}}");
                }
                return (null, fromParameters);
            case var other:
                errors.Add(other.Line(), $"rule {id}: 'from' must be a date, a mapping {{param, months}} or a short list of them");
                return (null, fromParameters);
        }
    }

    private static void AddParameterDate(YamlMappingNode m, string id, IReadOnlyList<PackParameter> parameters, List<ParameterDate> into, ErrorList errors)
    {
        m.RejectUnknownKeys(ParameterDateKeys, $"the 'from' of rule {id}", errors);
        var name = m.Scalar("param", errors)?.Trim();
        if (name is null || !parameters.Any(p => p.Name == name))
        {
            errors.Add(m.Line(), $"rule {id}: from.param '{name}' is not a parameter of the pack (declared: {(parameters.Count == 0 ? "none" : string.Join(", ", parameters.Select(p => p.Name)))})");
            return;
        }
        var months = 0;
        var monthsText = m.Scalar("months", errors);
        if (monthsText is not null && (!int.TryParse(monthsText, NumberStyles.None, CultureInfo.InvariantCulture, out months) || months > MaxParameterMonths))
        {
            errors.Add(m.Line(), $"rule {id}: months '{monthsText}' is not a whole number from 0 to {MaxParameterMonths}");
            return;
        }
        into.Add(new ParameterDate(name, months, m.Scalar("assumption", errors)));
    }

    private static PolicyRule? ParseRule(YamlMappingNode r, IReadOnlyList<PackParameter> parameters, ErrorList errors)
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
        var (from, fromParameters) = ParseFrom(r, id, parameters, errors);
        var extension = r.Scalar("extension_param", errors)?.Trim();
        if (extension is not null && !parameters.Any(p => p.Name == extension))
            errors.Add(r.Line(), $"rule {id}: extension_param '{extension}' is not a parameter of the pack");
        if (extension is not null && fromParameters.Count == 0 && from is null)
            errors.Add(r.Line(), $"rule {id}: extension_param needs a date to extend ('from')");
        var enforceable = true;
        var enfText = r.Scalar("enforceable", errors);
        if (enfText is not null && !bool.TryParse(enfText, out enforceable))
            errors.Add(r.Line(), $"rule {id}: enforceable '{enfText}' is not true or false");
        if (kind == RuleKind.Deadline && from is null && fromParameters.Count == 0 && enforceable)
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
            FromParameters = fromParameters,
            ExtensionParameter = extension,
            Unresolved = fromParameters.Count == 0 ? null : PackParameters.UnresolvedMessage(fromParameters, parameters),
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
