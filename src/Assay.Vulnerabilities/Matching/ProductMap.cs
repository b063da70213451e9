using Assay.Core.Identifiers;
using Assay.Vulnerabilities.Versions;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assay.Vulnerabilities.Matching;

/// <summary>One product of the mapping: our component name, its NVD spellings, version scheme and confidence.</summary>
public sealed record ProductMapping(string Name, IReadOnlyList<string> CpeKeys, IVersionScheme Scheme, double Confidence, IReadOnlyList<string> Aliases);

/// <summary>
/// Maps component names to NVD products (CPE <c>vendor:product</c>). The data is
/// <c>Data/products.yaml</c>, embedded in the assembly; this class only reads it.
/// </summary>
public sealed class ProductMap
{
    private const string ResourceName = "Assay.Vulnerabilities.products.yaml";
    private readonly Dictionary<string, ProductMapping> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ProductMapping> _byCpeKey = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in mapping.</summary>
    public static ProductMap Default { get; } = LoadDefault();

    public IReadOnlyCollection<ProductMapping> Products => _byName.Values.Distinct().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    private ProductMap(IEnumerable<ProductMapping> products)
    {
        foreach (var p in products)
        {
            foreach (var name in p.Aliases.Prepend(p.Name))
                if (!_byName.TryAdd(name, p))
                    throw new InvalidDataException($"products.yaml: name '{name}' is mapped twice ({_byName[name].Name} and {p.Name})");
            foreach (var key in p.CpeKeys)
                _byCpeKey.TryAdd(key, p);
        }
    }

    /// <summary>The mapping for a component name or alias, null when the name is not mapped.</summary>
    public ProductMapping? FindByName(string name) => _byName.GetValueOrDefault(name.Trim());

    /// <summary>The mapping that lists this <c>vendor:product</c>, null when none does.</summary>
    public ProductMapping? FindByCpeKey(string key) => _byCpeKey.GetValueOrDefault(key);

    /// <summary>The version scheme for a product key: from the mapping, generic otherwise.</summary>
    public IVersionScheme SchemeFor(string cpeKey) => FindByCpeKey(cpeKey)?.Scheme ?? GenericVersionScheme.Instance;

    /// <summary>Reads a mapping document (the format of <c>Data/products.yaml</c>).</summary>
    public static ProductMap Parse(string yaml)
    {
        var doc = Read(yaml);
        var products = new List<ProductMapping>();
        foreach (var (name, entry) in doc.Products.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (entry.Cpes.Count == 0)
                throw new InvalidDataException($"products.yaml: '{name}' lists no cpes");
            foreach (var key in entry.Cpes)
                if (key.Split(':').Length != 2)
                    throw new InvalidDataException($"products.yaml: '{name}' cpe '{key}' is not vendor:product");
            if (entry.Confidence is < 0 or > 1)
                throw new InvalidDataException($"products.yaml: '{name}' confidence {entry.Confidence} is outside 0..1");
            products.Add(new ProductMapping(name, [.. entry.Cpes.Select(c => c.ToLowerInvariant())], VersionSchemes.Get(entry.Scheme), entry.Confidence, entry.Aliases));
        }
        return new ProductMap(products);
    }

    private static ProductMap LoadDefault()
    {
        using var stream = typeof(ProductMap).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>The <c>vendor:product</c> key of a CPE 2.3 name, null when it is not one.</summary>
    public static string? KeyOf(string? cpe) => Cpe23.TryParse(cpe)?.Key;

    /// <summary>
    /// The document, read from YamlDotNet's node tree rather than by its reflection deserializer,
    /// whose set-up was most of the time this class took at a scan's start (issue 12). Unknown keys
    /// and values of the wrong shape are refused, as the deserializer refused them.
    /// </summary>
    private static Document Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"products.yaml: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InvalidDataException("products.yaml: empty document");
        var doc = new Document();
        foreach (var (key, value) in root.Children)
        {
            if (Scalar(key) != "products" || value is not YamlMappingNode products)
                throw Error(key, $"the document holds '{key}', not the mapping 'products'");
            foreach (var (name, entry) in products.Children)
            {
                if (!doc.Products.TryAdd(Scalar(name), ReadEntry(Scalar(name), entry)))
                    throw Error(name, $"'{name}' is listed twice");
            }
        }
        return doc;
    }

    private static Entry ReadEntry(string name, YamlNode node)
    {
        if (node is not YamlMappingNode map)
            throw Error(node, $"'{name}' must be a mapping of cpes, scheme, confidence and aliases");
        var entry = new Entry();
        foreach (var (key, value) in map.Children)
        {
            switch (Scalar(key))
            {
                case "cpes": entry.Cpes = Scalars(name, value); break;
                case "aliases": entry.Aliases = Scalars(name, value); break;
                case "scheme": entry.Scheme = Scalar(value); break;
                case "confidence":
                    entry.Confidence = double.TryParse(Scalar(value), NumberStyles.Float, CultureInfo.InvariantCulture, out var c)
                        ? c : throw Error(value, $"'{name}' confidence '{value}' is not a number");
                    break;
                default: throw Error(key, $"'{name}' has an unknown key '{key}'");
            }
        }
        return entry;
    }

    private static List<string> Scalars(string name, YamlNode node) =>
        node is YamlSequenceNode seq ? [.. seq.Children.Select(Scalar)] : throw Error(node, $"'{name}': expected a list");

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Error(node, "expected a single value");

    private static InvalidDataException Error(YamlNode node, string what) => new($"products.yaml, line {node.Start.Line}: {what}");

    private sealed class Document
    {
        public Dictionary<string, Entry> Products { get; set; } = [];
    }

    private sealed class Entry
    {
        public List<string> Cpes { get; set; } = [];
        public string Scheme { get; set; } = "generic";
        public double Confidence { get; set; } = 1.0;
        public List<string> Aliases { get; set; } = [];
    }
}
