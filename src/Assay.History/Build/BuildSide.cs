using Assay.Core.Model;
using Assay.Core.Pipeline;
using Assay.Formats;

namespace Assay.History.Build;

/// <summary>
/// One build prepared for comparison: the root of its tree, found by descending from the input
/// while a container holds exactly one non-directory entry that is itself a container (a tar.gz's
/// tar, a raw flash image whose only content is one filesystem); every entry below it keyed by its
/// in-tree key relative to that root (<see cref="DeliveryTree"/>), so a SquashFS image and a tar.gz
/// of the same tree key their files alike. The DTS listings the FIT and DTB handlers emit for
/// people are not part of the build and are left out: their device tree is compared from its
/// structure instead. A listing is the last entry its container listed (images come first), so an
/// image named like a listing is still compared.
/// </summary>
internal sealed class BuildSide
{
    private const string RootName = "ROOT";
    private const string Sep = VirtualPath.Separator;

    /// <summary>An entry of the tree: its record, its facts (regular files), its in-tree path and whether it has content below it.</summary>
    internal sealed record Entry(FileRecord Record, FileFacts? Facts, string Display, bool IsContainer);

    public BuildSide(BuildTree build)
    {
        Build = build;
        var records = build.Evaluation.Files;
        var direct = new Dictionary<string, List<FileRecord>>(StringComparer.Ordinal);
        var byPath = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            byPath.TryAdd(r.Path, r);
            var cut = r.Path.LastIndexOf(Sep, StringComparison.Ordinal);
            if (cut < 0)
                continue;
            var parent = r.Path[..cut];
            if (!direct.TryGetValue(parent, out var list))
                direct[parent] = list = [];
            list.Add(r);
        }

        var root = records.FirstOrDefault(r => !r.Path.Contains(Sep, StringComparison.Ordinal))?.Path ?? "";
        while (direct.TryGetValue(root, out var kids))
        {
            var content = kids.Where(k => k.Kind != NodeKind.Dir).ToList();
            if (content.Count != 1 || !direct.ContainsKey(content[0].Path))
                break;
            root = content[0].Path;
        }
        RootPath = root;

        var derived = DerivedListings(build, byPath);
        var prefix = root + Sep;
        var below = records.Where(r => r.Path.StartsWith(prefix, StringComparison.Ordinal) && !derived.Contains(r.Path)).ToList();
        var rootRecord = byPath.GetValueOrDefault(root);
        var rewritten = below.Select(r => r with { Path = RootName + r.Path[root.Length..] }).ToList();
        if (rootRecord is not null)
            rewritten.Add(rootRecord with { Path = RootName });
        var tree = new DeliveryTree(rewritten);
        var displayRoot = new DeliveryTree(records);
        RootDisplay = displayRoot.InTreePath(root);

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var r in below)
        {
            var relative = RootName + r.Path[root.Length..];
            var (display, key) = tree.Resolve(relative);
            entries.TryAdd(key, new Entry(r, build.Facts.GetValueOrDefault(r.Path), display, direct.ContainsKey(r.Path) || r.Format is not null));
            KeyOf[r.Path] = key;
        }
        Entries = entries;
        Root = rootRecord is null ? null : new Entry(rootRecord, build.Facts.GetValueOrDefault(root), "/", direct.ContainsKey(root) || rootRecord.Format is not null);
    }

    /// <summary>The root itself: a container compared for what it records (member order, device-tree structure), or the one file given.</summary>
    public Entry? Root { get; }

    public BuildTree Build { get; }
    public string RootPath { get; }
    public string RootDisplay { get; }
    public IReadOnlyDictionary<string, Entry> Entries { get; }

    /// <summary>Virtual path → key, for the entries below the root.</summary>
    public Dictionary<string, string> KeyOf { get; } = new(StringComparer.Ordinal);

    /// <summary>The keys of a container's entries in the order it stores them; null when the scan did not report it.</summary>
    public IReadOnlyList<string>? MemberKeys(string containerPath) =>
        Build.Members.TryGetValue(containerPath, out var members) ? [.. members.Where(KeyOf.ContainsKey).Select(m => KeyOf[m])] : null;

    private static HashSet<string> DerivedListings(BuildTree build, Dictionary<string, FileRecord> byPath)
    {
        var derived = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, members) in build.Members)
        {
            if (members.Count == 0 || byPath.GetValueOrDefault(container)?.Format is not { } format)
                continue;
            var listing = format switch { "fit" => FitHandler.StructureListingName, "dtb" => DtbHandler.ListingName, _ => null };
            var last = members[^1];
            if (listing is not null && VirtualPath.Name(last).StartsWith(listing, StringComparison.Ordinal))
                derived.Add(last);
        }
        return derived;
    }
}
