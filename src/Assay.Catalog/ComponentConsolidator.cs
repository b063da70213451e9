using Assay.Catalog.Binaries;
using Assay.Catalog.Identifiers;
using Assay.Catalog.Support;
using Assay.Core.Model;
using Assay.Core.Identifiers;

namespace Assay.Catalog;

/// <summary>
/// Turns what the catalogers reported into the evaluation's component list: one component per
/// (name, version, location) with every piece of evidence kept, a firmware header's kernel name
/// folded into the kernel found inside that image, end of support marked from
/// <see cref="EndOfSupport"/> (as of the scan's start), a deterministic order, and the copies
/// summary in <see cref="EvaluationSummaries.Components"/>: per component, how many copies in how many
/// versions, the oldest, and how each copy is present (shared, static, vendored, package).
/// </summary>
public static class ComponentConsolidator
{
    /// <summary>Locations listed per component in the summary.</summary>
    public const int MaxLocationsListed = 50;

    /// <summary>With the embedded tables, read only when there is a component to look up (a scan without any skips their YAML).</summary>
    public static Evaluation Consolidate(Evaluation evaluation) =>
        Consolidate(evaluation, new Lazy<SignatureDatabase>(() => SignatureDatabase.Default), new Lazy<EndOfSupport>(() => EndOfSupport.Default));

    public static Evaluation Consolidate(Evaluation evaluation, SignatureDatabase signatures, EndOfSupport support) =>
        Consolidate(evaluation, new Lazy<SignatureDatabase>(signatures), new Lazy<EndOfSupport>(support));

    private static Evaluation Consolidate(Evaluation evaluation, Lazy<SignatureDatabase> signatures, Lazy<EndOfSupport> support)
    {
        var merged = evaluation.Components
            .GroupBy(c => (c.Name, c.Version, c.Location))
            .Select(Merge)
            .ToList();
        merged = FoldHeaderKernels(merged);
        var onDate = DateOnly.FromDateTime((evaluation.StartedAt == default ? DateTimeOffset.UtcNow : evaluation.StartedAt).UtcDateTime);
        var marked = merged.Select(c => c with { Support = c.Support ?? SupportOf(c, signatures.Value, support.Value, onDate) })
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Version, StringComparer.Ordinal)
            .ThenBy(c => c.Location, StringComparer.Ordinal)
            .ToList();
        return evaluation with { Components = marked, Summaries = evaluation.Summaries with { Components = Summarize(marked) } };
    }

    private static Component Merge(IGrouping<(string Name, string Version, string Location), Component> group)
    {
        var all = group.OrderBy(c => c.Linkage == "package" ? 0 : 1).ThenByDescending(c => c.Confidence).ToList();
        var first = all[0];
        if (all.Count == 1)
            return first with { Evidence = SortEvidence(first.Evidence) };
        return first with
        {
            Purl = all.Select(c => c.Purl).FirstOrDefault(p => p is not null),
            Cpe = all.Select(c => c.Cpe).FirstOrDefault(p => p is not null),
            Confidence = 1 - all.Aggregate(1.0, (p, c) => p * (1 - c.Confidence)),
            Linkage = all.Select(c => c.Linkage).FirstOrDefault(p => p is not null),
            PackageVersion = all.Select(c => c.PackageVersion).FirstOrDefault(p => p is not null),
            SourcePackage = all.Select(c => c.SourcePackage).FirstOrDefault(p => p is not null),
            Supplier = all.Select(c => c.Supplier).FirstOrDefault(p => p is not null),
            Licenses = all.SelectMany(c => c.Licenses).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Files = all.SelectMany(c => c.Files).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            Evidence = SortEvidence(all.SelectMany(c => c.Evidence)),
        };
    }

    private static List<Evidence> SortEvidence(IEnumerable<Evidence> evidence) =>
        evidence.Distinct()
            .OrderBy(e => e.Path, StringComparer.Ordinal)
            .ThenBy(e => e.Offset ?? -1)
            .ThenBy(e => e.Source, StringComparer.Ordinal)
            .ThenBy(e => e.Text, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// A uImage's name field (<c>Linux-6.1.0-50</c>) is a label the vendor chose; when the kernel
    /// inside that image (a path below it) shows its banner, the label becomes evidence of that
    /// kernel instead of a component of its own.
    /// </summary>
    private static List<Component> FoldHeaderKernels(List<Component> components)
    {
        var kernels = components.Where(c => c.Type == "kernel").ToList();
        if (kernels.Count < 2)
            return components;
        var folded = new Dictionary<Component, List<Evidence>>(ReferenceEqualityComparer.Instance);
        var outers = new HashSet<Component>(ReferenceEqualityComparer.Instance);
        foreach (var outer in kernels)
        {
            var target = kernels
                .Where(k => !ReferenceEquals(k, outer) && k.Name == outer.Name && k.Location.StartsWith(outer.Location + Core.Pipeline.VirtualPath.Separator, StringComparison.Ordinal))
                .OrderByDescending(k => k.Confidence)
                .ThenBy(k => k.Location, StringComparer.Ordinal)
                .FirstOrDefault();
            if (target is null)
                continue;
            outers.Add(outer);
            if (!folded.TryGetValue(target, out var extra))
                folded[target] = extra = [];
            extra.AddRange(outer.Evidence);
        }
        return components
            .Where(c => !outers.Contains(c))
            .Select(c => folded.TryGetValue(c, out var extra) ? c with { Evidence = SortEvidence(c.Evidence.Concat(extra)) } : c)
            .ToList();
    }

    /// <summary>
    /// A package of a distribution release (purl qualifier <c>distro=debian-12</c>) is judged by
    /// that release's dates: its maintainers, not upstream, ship its fixes. Everything else by its
    /// upstream branch (signature data <c>eol</c> key, else a table product of its name or source).
    /// </summary>
    private static SupportStatus? SupportOf(Component c, SignatureDatabase signatures, EndOfSupport support, DateOnly onDate)
    {
        if (c.Linkage == "package" && DistroOf(c.Purl) is { } distro
            && support.LookupDistribution(distro.Name, distro.Release, onDate) is { } byDistribution)
            return byDistribution;
        var info = signatures.Find(c.Name);
        var version = c.Version;
        if (info is null && c.Linkage == "package")
        {
            info = signatures.FindBySource(c.SourcePackage ?? c.Name) ?? signatures.Find(c.SourcePackage ?? c.Name);
            version = DebianVersion.Release(c.Version);
        }
        var key = info?.EolKey ?? (c.Name == "go" && c.Type == "go-module" ? "go" : null);
        if (key is null && c.Linkage == "package")
        {
            key = new[] { c.Name, c.SourcePackage }.FirstOrDefault(k => k is not null && support.Has(k));
            version = DebianVersion.Release(c.Version);
        }
        return key is null ? null : support.Lookup(key, version, onDate);
    }

    /// <summary>"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&amp;distro=debian-12" → (debian, 12).</summary>
    internal static (string Name, string Release)? DistroOf(string? purl)
    {
        if (purl is null)
            return null;
        var q = purl.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
            return null;
        foreach (var pair in purl[(q + 1)..].Split('&'))
        {
            if (!pair.StartsWith("distro=", StringComparison.Ordinal))
                continue;
            var value = Uri.UnescapeDataString(pair[7..]);
            var dash = value.IndexOf('-', StringComparison.Ordinal);
            return dash > 0 && dash < value.Length - 1 ? (value[..dash], value[(dash + 1)..]) : null;
        }
        return null;
    }

    internal static ComponentsSummary Summarize(IReadOnlyList<Component> components)
    {
        var copies = new SortedDictionary<string, ComponentCopies>(StringComparer.Ordinal);
        foreach (var g in components.Where(c => c.Linkage != "package").GroupBy(c => c.Name))
        {
            var versions = g.Select(c => c.Version).Distinct(StringComparer.Ordinal).Order(VersionOrder.Instance).ToList();
            var linkage = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in g)
            {
                var l = c.Linkage ?? c.Type;
                linkage[l] = linkage.GetValueOrDefault(l) + 1;
            }
            var count = g.Count();
            copies[g.Key] = new ComponentCopies
            {
                Copies = count,
                Versions = versions,
                Oldest = versions[0],
                Newest = versions[^1],
                Linkage = linkage,
                Unsupported = g.Count(c => c.Support is { Supported: false }),
                Locations = g.Select(c => c.Location).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(MaxLocationsListed).ToList(),
                Text = $"{count} {(count == 1 ? "copy" : "copies")} of {g.Key} in {versions.Count} {(versions.Count == 1 ? "version" : "versions")}, the oldest {versions[0]}",
            };
        }
        return new ComponentsSummary
        {
            Components = components.Count,
            Unsupported = components.Count(c => c.Support is { Supported: false }),
            Copies = copies,
        };
    }
}
