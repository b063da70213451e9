using Assay.Core.Model;

namespace Assay.Vulnerabilities.Storage;

/// <summary>One advisory as read from a feed, before it is written to the database.</summary>
internal sealed record FeedRecord
{
    public required string Id { get; init; }

    /// <summary><c>nvd</c> or <c>osv</c>.</summary>
    public required string Source { get; init; }

    public DateTimeOffset? Published { get; init; }
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>Rejected (NVD) or withdrawn (OSV): removes any stored copy.</summary>
    public bool Withdrawn { get; init; }

    public Severity Severity { get; init; }
    public double? CvssV31Score { get; init; }
    public string? CvssV31Vector { get; init; }
    public double? CvssV40Score { get; init; }
    public string? CvssV40Vector { get; init; }
    public IReadOnlyList<string> Cwes { get; init; } = [];
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? Description { get; init; }
    public IReadOnlyList<CpeMatchRow> CpeMatches { get; init; } = [];
    public IReadOnlyList<OsvRangeRow> OsvRanges { get; init; } = [];
}

/// <summary>
/// One NVD <c>configurations[Config].nodes[Node].cpeMatch[]</c> entry. <see cref="ConfigAnd"/> is
/// true when the configuration's operator is AND (all nodes must hold), <see cref="Negate"/> is the node's negate flag.
/// </summary>
internal sealed record CpeMatchRow(
    int Config, int Node, bool ConfigAnd, bool Negate, bool Vulnerable,
    string Part, string Vendor, string Product, string Version, string Update, string Criteria,
    string? StartIncluding, string? StartExcluding, string? EndIncluding, string? EndExcluding)
{
    public string Key => Vendor + ":" + Product;

    public bool HasRange => StartIncluding is not null || StartExcluding is not null || EndIncluding is not null || EndExcluding is not null;
}

/// <summary>
/// One OSV affected range of a package: <c>[Introduced, Fixed)</c> or <c>[Introduced, LastAffected]</c>
/// (<see cref="Kind"/> SEMVER or ECOSYSTEM), or an explicit version list (<see cref="Kind"/> VERSIONS, in <see cref="Versions"/>).
/// </summary>
internal sealed record OsvRangeRow(string Ecosystem, string Package, string Kind, string? Introduced, string? Fixed, string? LastAffected, IReadOnlyList<string> Versions);
