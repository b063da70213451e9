using Assay.Core.Model;
using Assay.Store.Data;

namespace Assay.Server.Work;

/// <summary>
/// The vulnerabilities a re-match introduced and resolved: keyed as triage keys them (advisory id,
/// component and in-tree location, <see cref="IFindingKeys"/>), so a change names the same thing a
/// triage decision does. Introduced first, then resolved, each in key order.
/// </summary>
internal static class RescanChanges
{
    public static IReadOnlyList<FindingsChangeRow> Between(string baseScanId, Evaluation before, Evaluation after, IFindingKeys keys)
    {
        var old = Keyed(before, keys);
        var now = Keyed(after, keys);
        return
        [
            .. now.Where(p => !old.ContainsKey(p.Key)).Select(p => Row(baseScanId, RescanStore.Introduced, p.Key, p.Value)),
            .. old.Where(p => !now.ContainsKey(p.Key)).Select(p => Row(baseScanId, RescanStore.Resolved, p.Key, p.Value)),
        ];
    }

    private static SortedDictionary<string, Vulnerability> Keyed(Evaluation evaluation, IFindingKeys keys)
    {
        var key = keys.For(evaluation).Vulnerability;
        var map = new SortedDictionary<string, Vulnerability>(StringComparer.Ordinal);
        foreach (var v in evaluation.Vulnerabilities)
            map.TryAdd(key(v), v);
        return map;
    }

    private static FindingsChangeRow Row(string baseScanId, string change, string fingerprint, Vulnerability v) => new()
    {
        BaseScanId = baseScanId, Change = change, Fingerprint = fingerprint, VulnerabilityId = v.Id,
        Component = $"{v.Component}@{v.Version}", Severity = v.Severity.ToString().ToLowerInvariant(),
    };
}
