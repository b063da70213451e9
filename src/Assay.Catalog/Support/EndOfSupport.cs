using System.Globalization;
using System.Text;
using Assay.Core.Model;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

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

    private EndOfSupport(Dictionary<string, Product> products) => _products = products;

    /// <summary>Product keys in the table.</summary>
    public IEnumerable<string> Keys => _products.Keys;

    /// <summary>A product's branches and the policy they come from.</summary>
    public sealed record Product(string Key, string Source, IReadOnlyList<Branch> Branches);

    /// <summary>One release branch.</summary>
    public sealed record Branch(string Name, DateOnly? End);

    public static EndOfSupport Load(Stream yaml)
    {
        using var reader = new StreamReader(yaml, Encoding.UTF8);
        var file = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<FileModel>(reader)
            ?? throw new InvalidDataException("end-of-support table is empty");
        var products = new Dictionary<string, Product>(StringComparer.Ordinal);
        foreach (var p in file.Products ?? [])
        {
            var branches = (p.Branches ?? []).Select(b => new Branch(b.Branch ?? throw new InvalidDataException($"end-of-support: {p.Key} has a branch without a name"),
                b.Eos is null or "null" ? null : DateOnly.ParseExact(b.Eos, "yyyy-MM-dd", CultureInfo.InvariantCulture))).ToList();
            products[p.Key ?? throw new InvalidDataException("end-of-support: a product has no key")] = new Product(p.Key, p.Source ?? "", branches);
        }
        return new EndOfSupport(products);
    }

    /// <summary>The support status of a version of a product on a date, or null when the table does not know its branch.</summary>
    public SupportStatus? Lookup(string key, string version, DateOnly onDate)
    {
        if (!_products.TryGetValue(key, out var product))
            return null;
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

    internal sealed class FileModel
    {
        public List<ProductModel>? Products { get; set; }
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
