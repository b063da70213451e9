using Assay.Core.Model;
using YamlDotNet.RepresentationModel;

namespace Assay.Analyzers.Rules;

/// <summary>One rule of the catalog: what a finding with this id means and how to fix it.</summary>
public sealed record Rule
{
    /// <summary>Stable id, e.g. <c>ASSAY-ELF-NX</c>.</summary>
    public required string Id { get; init; }
    public required string Category { get; init; }
    public required Severity Severity { get; init; }
    public required string Title { get; init; }

    /// <summary>Longer explanation (the SARIF rule's help text).</summary>
    public required string Help { get; init; }
    public required string Remediation { get; init; }

    /// <summary>TS 33.117 requirement sections the rule tests.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];
    public string? Cwe { get; init; }

    /// <summary>Other standards the rule comes from (Kubernetes Pod Security Standards, other 3GPP specs, CIS), as citations.</summary>
    public IReadOnlyList<string> References { get; init; } = [];
}

/// <summary>
/// The rule catalog, read from the embedded <c>rules.yaml</c>: severities, titles, TS 33.117
/// sections and remediations are data, the analyzers only decide whether a rule fires.
/// </summary>
public static class RuleCatalog
{
    /// <summary>The rule files, each embedded: the firmware rules and the cloud-native (image, Kubernetes) rules.</summary>
    private static readonly string[] ResourceNames = ["Assay.Analyzers.Rules.rules.yaml", "Assay.Analyzers.Rules.cloud-rules.yaml"];
    private static readonly Lazy<IReadOnlyDictionary<string, Rule>> Catalog = new(Load);

    // A finding's references, made once per rule and shared by all its findings: a list and a
    // "TS 33.117 §…" string per finding were ~190 bytes of every finding held until the evaluation
    // was written (86,000 findings on the 4.5 GB mixed input of bench/scan/memory.sh).
    private static readonly Lazy<Dictionary<string, string[]>> FindingReferences =
        new(() => Catalog.Value.ToDictionary(e => e.Key, e => ReferencesOf(e.Value), StringComparer.Ordinal));

    /// <summary>Reads the catalog now (a scan warms it on another core while it unpacks).</summary>
    public static void Preload() => _ = FindingReferences.Value;

    /// <summary>Every rule, sorted by id.</summary>
    public static IReadOnlyList<Rule> All => [.. Catalog.Value.Values.OrderBy(r => r.Id, StringComparer.Ordinal)];

    /// <summary>The rule of <paramref name="id"/>; throws for an id the catalog does not have (our bug).</summary>
    public static Rule Get(string id) =>
        Catalog.Value.TryGetValue(id, out var rule) ? rule : throw new KeyNotFoundException($"rule {id} is not in rules.yaml");

    /// <summary>A finding of rule <paramref name="id"/> with the catalog's severity, title and references.</summary>
    public static Finding Finding(string id, string path, string? evidence = null, int? line = null, string? secretFingerprint = null,
        Severity? severity = null, string? title = null, long? offset = null)
    {
        var rule = Get(id);
        return new Finding
        {
            RuleId = rule.Id,
            Category = rule.Category,
            Severity = severity ?? rule.Severity,
            Title = title ?? rule.Title,
            Path = path,
            Line = line,
            Offset = offset,
            Evidence = evidence,
            SecretFingerprint = secretFingerprint,
            Remediation = rule.Remediation,
            References = FindingReferences.Value[rule.Id],
            Requirements = rule.Requirements,
        };
    }

    /// <summary>What a finding of <paramref name="rule"/> cites: its TS 33.117 sections, its CWE, its other references.</summary>
    private static string[] ReferencesOf(Rule rule)
    {
        var references = new List<string>(rule.Requirements.Count + rule.References.Count + 1);
        references.AddRange(rule.Requirements.Select(r => "TS 33.117 §" + r));
        if (rule.Cwe is not null)
            references.Add(rule.Cwe);
        references.AddRange(rule.References);
        return [.. references];
    }

    private static Dictionary<string, Rule> Load()
    {
        var rules = new Dictionary<string, Rule>(StringComparer.Ordinal);
        foreach (var name in ResourceNames)
            Load(name, rules);
        return rules;
    }

    private static void Load(string resourceName, Dictionary<string, Rule> rules)
    {
        using var stream = typeof(RuleCatalog).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded resource {resourceName} is missing from the assembly");
        using var reader = new StreamReader(stream);
        // The representation model (no reflection-built object graph) keeps the first load cheap.
        var yaml = new YamlStream();
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (var node in ((YamlSequenceNode)root.Children[new YamlScalarNode("rules")]).Children.Cast<YamlMappingNode>())
        {
            string? Get(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? ((YamlScalarNode)v).Value : null;
            IReadOnlyList<string> List(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var l)
                ? [.. ((YamlSequenceNode)l).Children.Select(c => ((YamlScalarNode)c).Value ?? "")]
                : [];
            var id = Get("id") ?? throw new InvalidDataException($"{resourceName}: a rule has no id");
            var requirements = node.Children.TryGetValue(new YamlScalarNode("requirements"), out var r)
                ? ((YamlSequenceNode)r).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList()
                : [];
            var rule = new Rule
            {
                Id = id,
                Category = Get("category") ?? throw new InvalidDataException($"rules.yaml: {id} has no category"),
                Severity = Enum.Parse<Severity>(Get("severity") ?? "info", ignoreCase: true),
                Title = Get("title") ?? id,
                Help = Get("help") ?? Get("title") ?? id,
                Remediation = Get("remediation") ?? "",
                Requirements = requirements,
                Cwe = Get("cwe"),
                References = List("references"),
            };
            if (!rules.TryAdd(rule.Id, rule))
                throw new InvalidDataException($"{resourceName}: rule {rule.Id} appears twice");
        }
    }
}
