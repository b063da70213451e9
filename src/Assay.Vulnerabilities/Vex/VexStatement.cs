namespace Assay.Vulnerabilities.Vex;

/// <summary>
/// One triage statement: the advisory (<see cref="VulnerabilityId"/> or one of its
/// <see cref="Aliases"/>) has <see cref="Status"/> in the listed products. Products are
/// package URLs, CPE names, or plain names (<c>name</c>, <c>name@version</c>); an empty list
/// means every product.
/// </summary>
/// <param name="Status">OpenVEX vocabulary: <c>not_affected</c>, <c>affected</c>, <c>fixed</c>, <c>under_investigation</c>.</param>
public sealed record VexStatement(
    string VulnerabilityId,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> Products,
    string Status,
    string? Justification,
    DateTimeOffset? Timestamp);

/// <summary>The four states a VEX statement can give a vulnerability (OpenVEX 0.2.0 "Status Labels").</summary>
public static class VexStatus
{
    public const string NotAffected = "not_affected";
    public const string Affected = "affected";
    public const string Fixed = "fixed";
    public const string UnderInvestigation = "under_investigation";

    public static IReadOnlyList<string> All { get; } = [Affected, Fixed, NotAffected, UnderInvestigation];
}
