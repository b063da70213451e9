using System.Globalization;
using System.Text;
using Assay.Core.Model;
using YamlDotNet.RepresentationModel;

namespace Assay.Catalog.Support;

/// <summary>
/// The end-of-support table (<c>Data/end-of-support.yaml</c>, embedded): release branches of
/// products and the last day each gets fixes, with the published policy each comes from.
/// TS 33.117 §4.2.3.3 asks that network products run supported software; this table lets the
/// catalog say which components no longer get fixes.
/// </summary>
public sealed class EndOfSupport
{
    public const string ResourceName = "Assay.Catalog.Data.end-of-support.yaml";

    private static readonly Lazy<EndOfSupport> LazyDefault = new(() => Load(
        typeof(EndOfSupport).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing; check Assay.Catalog.csproj")));

    public static EndOfSupport Default => LazyDefault.Value;

    private readonly Dictionary<string, Product> _products;
    private readonly Dictionary<string, Product> _distributions;

    private EndOfSupport(Dictionary<string, Product> products, Dictionary<string, Product> distributions)
    {
        _products = products;
        _distributions = distributions;
    }

    /// <summary>Product keys in the table.</summary>
    public IEnumerable<string> Keys => _products.Keys;

    /// <summary>Distribution keys in the table (<c>debian</c>, <c>alpine</c>, <c>ubuntu</c>, <c>openwrt</c>).</summary>
    public IEnumerable<string> Distributions => _distributions.Keys;

    /// <summary>A product's branches and the policy they come from.</summary>
    public sealed record Product(string Key, string Source, IReadOnlyList<Branch> Branches);

    /// <summary>One release branch.</summary>
    public sealed record Branch(string Name, DateOnly? End);

    public static EndOfSupport Load(Stream yaml)
    {
        using var reader = new StreamReader(yaml, Encoding.UTF8);
        var file = ReadFile(reader);
        return new EndOfSupport(Read(file.Products, "products"), Read(file.Distributions, "distributions"));
    }

    private static Dictionary<string, Product> Read(List<ProductModel>? models, string section)
    {
        var products = new Dictionary<string, Product>(StringComparer.Ordinal);
        foreach (var p in models ?? [])
        {
            var key = p.Key ?? throw new InvalidDataException($"end-of-support: an entry of {section} has no key");
            if (string.IsNullOrWhiteSpace(p.Source))
                throw new InvalidDataException($"end-of-support: {section} entry '{key}' has no source; every date needs the page it comes from");
            var branches = (p.Branches ?? []).Select(b => new Branch(b.Branch ?? throw new InvalidDataException($"end-of-support: {key} has a branch without a name"),
                b.Eos is null or "null" ? null : DateOnly.ParseExact(b.Eos, "yyyy-MM-dd", CultureInfo.InvariantCulture))).ToList();
            if (!products.TryAdd(key, new Product(key, p.Source, branches)))
                throw new InvalidDataException($"end-of-support: {section} lists '{key}' twice");
        }
        return products;
    }

    /// <summary>
    /// The support status of a package of a distribution release (<paramref name="distribution"/>
    /// <c>debian</c>, <paramref name="release"/> <c>12</c> or <c>12.5</c>), judged by that release's
    /// dates; null when the table does not know the distribution or the release.
    /// </summary>
    public SupportStatus? LookupDistribution(string distribution, string release, DateOnly onDate)
    {
        if (!_distributions.TryGetValue(distribution, out var d))
            return null;
        var status = Lookup(d, release, onDate);
        return status is null ? null : status with { Branch = $"{distribution} {status.Branch}" };
    }

    /// <summary>True when the table has a product of that key.</summary>
    public bool Has(string key) => _products.ContainsKey(key);

    /// <summary>The support status of a version of a product on a date, or null when the table does not know its branch.</summary>
    public SupportStatus? Lookup(string key, string version, DateOnly onDate)
    {
        return _products.TryGetValue(key, out var product) ? Lookup(product, version, onDate) : null;
    }

    private static SupportStatus? Lookup(Product product, string version, DateOnly onDate)
    {
        Branch? best = null;
        foreach (var b in product.Branches)
        {
            if (IsBranchOf(version, b.Name) && (best is null || b.Name.Length > best.Name.Length))
                best = b;
        }
        if (best is null)
            return null;
        return new SupportStatus
        {
            Branch = best.Name,
            EndOfSupport = best.End,
            Supported = best.End is null || best.End.Value >= onDate,
            Source = product.Source,
        };
    }

    /// <summary>"1.1.1d" is in branch "1.1.1"; "6.1.176" in "6.1"; "6.12.1" is not in "6.1".</summary>
    internal static bool IsBranchOf(string version, string branch)
    {
        var v = version.TrimStart('v');
        if (!v.StartsWith(branch, StringComparison.Ordinal))
            return false;
        if (v.Length == branch.Length)
            return true;
        var next = v[branch.Length];
        return !char.IsAsciiDigit(next);
    }

    private static readonly YamlNodes Y = new("end-of-support table");

    /// <summary>The file's models, read from the node tree (<see cref="YamlNodes"/> says why not by reflection).</summary>
    internal static FileModel ReadFile(TextReader reader)
    {
        var file = new FileModel();
        foreach (var (key, value) in Y.Mapping(Y.Root(reader), "the file"))
        {
            switch (key)
            {
                case "products": file.Products = Y.List(value, key, ProductOf); break;
                case "distributions": file.Distributions = Y.List(value, key, ProductOf); break;
                default: throw Y.Unknown(key, value, "the file");
            }
        }
        return file;
    }

    private static ProductModel ProductOf(YamlNode node)
    {
        var p = new ProductModel();
        foreach (var (key, value) in Y.Mapping(node, "an entry"))
        {
            switch (key)
            {
                case "key": p.Key = Y.String(value, key); break;
                case "source": p.Source = Y.String(value, key); break;
                case "branches": p.Branches = Y.List(value, key, BranchOf); break;
                default: throw Y.Unknown(key, value, $"entry {p.Key}");
            }
        }
        return p;
    }

    private static BranchModel BranchOf(YamlNode node)
    {
        var b = new BranchModel();
        foreach (var (key, value) in Y.Mapping(node, "a branch"))
        {
            switch (key)
            {
                case "branch": b.Branch = Y.String(value, key); break;
                case "eos": b.Eos = Y.String(value, key); break;
                default: throw Y.Unknown(key, value, $"branch {b.Branch}");
            }
        }
        return b;
    }

    // YAML shape of the file (keys in snake case), read by ReadFile.
    internal sealed class FileModel
    {
        public List<ProductModel>? Products { get; set; }
        public List<ProductModel>? Distributions { get; set; }
    }

    internal sealed class ProductModel
    {
        public string? Key { get; set; }
        public string? Source { get; set; }
        public List<BranchModel>? Branches { get; set; }
    }

    internal sealed class BranchModel
    {
        public string? Branch { get; set; }
        public string? Eos { get; set; }
    }
}
