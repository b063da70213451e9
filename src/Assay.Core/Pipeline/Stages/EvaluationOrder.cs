using Assay.Core.Model;

namespace Assay.Core.Pipeline;

/// <summary>
/// The one order of every list of the evaluation (DESIGN.md: same input, same bytes). Each order
/// is total: ties on the leading keys are broken by the remaining fields, so the order never
/// depends on which worker finished first.
/// </summary>
public static class EvaluationOrder
{
    public static List<FileRecord> Files(IEnumerable<FileRecord> files) =>
        [.. files.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Kind).ThenBy(f => f.Sha256, StringComparer.Ordinal).ThenBy(f => f.Size).ThenBy(f => f.Target, StringComparer.Ordinal)];

    public static List<ChunkRecord> Chunks(IEnumerable<ChunkRecord> chunks) =>
        [.. chunks.OrderBy(c => c.Path, StringComparer.Ordinal).ThenBy(c => c.Offset).ThenBy(c => c.Length).ThenBy(c => c.Format, StringComparer.Ordinal).ThenBy(c => c.Node, StringComparer.Ordinal)];

    public static List<Component> Components(IEnumerable<Component> components) =>
        [.. components.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Version, StringComparer.Ordinal).ThenBy(c => c.Location, StringComparer.Ordinal)
            .ThenBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Purl, StringComparer.Ordinal).ThenBy(c => c.Cpe, StringComparer.Ordinal).ThenByDescending(c => c.Confidence)];

    public static List<Finding> Findings(IEnumerable<Finding> findings) =>
        [.. findings.OrderBy(f => f.RuleId, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Evidence, StringComparer.Ordinal)
            .ThenBy(f => f.Offset).ThenBy(f => f.Title, StringComparer.Ordinal).ThenBy(f => f.Severity).ThenBy(f => f.Fingerprint, StringComparer.Ordinal)];

    public static List<ScanError> Errors(IEnumerable<ScanError> errors) =>
        [.. errors.Distinct().OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Handler, StringComparer.Ordinal).ThenBy(e => e.Message, StringComparer.Ordinal)
            .ThenBy(e => e.Offset).ThenBy(e => e.Category)];
}
