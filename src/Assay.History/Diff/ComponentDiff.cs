using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// Components from one release to the next. A component is one (name, version, location); two
/// releases are compared per name and place (the location's identity, <see cref="ReleaseMatch"/>),
/// so an upgrade at the same place is <c>changed</c>, not one removal and one addition. What is left
/// unpaired of a name is <c>changed</c> when exactly one version went and one came (the library was
/// upgraded and renamed, <c>libssl.so.1.1</c> → <c>libssl.so.3</c>), otherwise added and removed.
/// Each entry counts its copies and lists where they are.
/// </summary>
internal static class ComponentDiff
{
    public static ComponentChanges Compare(Evaluation old, Evaluation @new, ReleaseMatch match)
    {
        var before = Index(old.Components, match.OldIdentity, match.OldTree);
        var after = Index(@new.Components, match.NewIdentity, match.NewTree);
        var added = new List<(string Name, string Version, string Path)>();
        var removed = new List<(string Name, string Version, string Path)>();
        var changed = new List<(string Name, string From, string To, string Path)>();

        foreach (var (place, versions) in after)
        {
            if (!before.TryGetValue(place, out var was))
            {
                added.AddRange(versions.Select(v => (place.Name, v.Key, v.Value)));
                continue;
            }
            var gone = was.Keys.Except(versions.Keys, StringComparer.Ordinal).ToList();
            var came = versions.Keys.Except(was.Keys, StringComparer.Ordinal).ToList();
            if (gone.Count == 1 && came.Count == 1)
            {
                changed.Add((place.Name, gone[0], came[0], versions[came[0]]));
                continue;
            }
            added.AddRange(came.Select(v => (place.Name, v, versions[v])));
            removed.AddRange(gone.Select(v => (place.Name, v, was[v])));
        }
        foreach (var (place, versions) in before)
        {
            if (!after.ContainsKey(place))
                removed.AddRange(versions.Select(v => (place.Name, v.Key, v.Value)));
        }

        // An upgrade that also moved: one version of the name left, one other arrived, nothing else of it unpaired.
        foreach (var name in added.Select(a => a.Name).Intersect(removed.Select(r => r.Name), StringComparer.Ordinal).ToList())
        {
            var cameVersions = added.Where(a => a.Name == name).Select(a => a.Version).Distinct(StringComparer.Ordinal).ToList();
            var goneVersions = removed.Where(r => r.Name == name).Select(r => r.Version).Distinct(StringComparer.Ordinal).ToList();
            if (cameVersions.Count != 1 || goneVersions.Count != 1 || cameVersions[0] == goneVersions[0])
                continue;
            changed.AddRange(added.Where(a => a.Name == name).Select(a => (name, goneVersions[0], a.Version, a.Path)));
            added.RemoveAll(a => a.Name == name);
            removed.RemoveAll(r => r.Name == name);
        }

        return new ComponentChanges
        {
            Added = Versions(added),
            Removed = Versions(removed),
            Changed = [.. changed.GroupBy(c => (c.Name, c.From, c.To))
                .Select(g => new ComponentChange(g.Key.Name, g.Key.From, g.Key.To) { Copies = g.Count(), Paths = Sorted(g.Select(c => c.Path)) })
                .OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.From, StringComparer.Ordinal).ThenBy(c => c.To, StringComparer.Ordinal)],
        };
    }

    private static List<ComponentVersion> Versions(IEnumerable<(string Name, string Version, string Path)> items) =>
        [.. items.GroupBy(i => (i.Name, i.Version))
            .Select(g => new ComponentVersion(g.Key.Name, g.Key.Version) { Copies = g.Count(), Paths = Sorted(g.Select(i => i.Path)) })
            .OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Version, StringComparer.Ordinal)];

    private static List<string> Sorted(IEnumerable<string> paths) => [.. paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>(name, place identity) → version → in-tree path of that copy.</summary>
    private static Dictionary<(string Name, string Place), Dictionary<string, string>> Index(IEnumerable<Component> components, Func<string, string> identity, DeliveryTree tree)
    {
        var index = new Dictionary<(string, string), Dictionary<string, string>>();
        foreach (var c in components)
        {
            var place = (c.Name, identity(c.Location));
            if (!index.TryGetValue(place, out var versions))
                index[place] = versions = new Dictionary<string, string>(StringComparer.Ordinal);
            versions.TryAdd(c.Version, tree.InTreePath(c.Location));
        }
        return index;
    }
}
