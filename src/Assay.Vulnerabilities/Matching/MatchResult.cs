using Assay.Core.Model;

namespace Assay.Vulnerabilities.Matching;

/// <summary>
/// What one match run found: <see cref="Applicable"/> (each entry applies to the component as it
/// is) and <see cref="PlatformConditional"/> (entries of an NVD AND configuration whose platform
/// node, an operating system or hardware, no component satisfies; each with
/// <see cref="Vulnerability.AppliesOnlyOn"/>). An id is never in both lists.
/// </summary>
public sealed record MatchResult(IReadOnlyList<Vulnerability> Applicable, IReadOnlyList<Vulnerability> PlatformConditional);
