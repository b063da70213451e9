namespace Assay.Vulnerabilities.Versions;

/// <summary>
/// A total order over the version strings of one family of products. Every scheme accepts any
/// string (it never throws on odd input): a string it does not understand still gets a stable
/// place in the order, so sorting and range checks stay consistent.
/// </summary>
public interface IVersionScheme
{
    /// <summary>Stable lower-case id, used by the product mapping (<c>Data/products.yaml</c>).</summary>
    string Id { get; }

    string Description { get; }

    /// <summary>What the scheme knowingly gets wrong or does not model.</summary>
    IReadOnlyList<string> Limitations { get; }

    /// <summary>Negative when <paramref name="left"/> is older, zero when equal in this order, positive when newer.</summary>
    int Compare(string left, string right);
}
