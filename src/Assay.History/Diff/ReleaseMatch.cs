using Assay.Core.Model;
using Assay.Core.Pipeline;

namespace Assay.History.Diff;

/// <summary>
/// Which entry of the old release is which entry of the new one. Three passes, each only over what
/// the one before left unmatched:
/// <list type="number">
/// <item>the in-tree key (<see cref="DeliveryTree.Key"/>): renamed containers with version numbers,
/// carved filesystems at another offset;</item>
/// <item>containers renamed beyond that (<c>rootfs.img</c> → <c>system.sqfs</c>): an old and a new
/// container of the same format whose direct children's names overlap by at least half (Jaccard),
/// the best candidate only when it is the only best; their subtrees then match by key;</item>
/// <item>moved files: an old and a new regular file with the same name and the same content, or the
/// same name and the same GNU build-id (the binary was rebuilt), each the only such candidate.</item>
/// </list>
/// The result maps every path of both sides to one identity, so components, findings and hardening
/// rows of a moved file are compared with their old selves.
/// </summary>
internal sealed class ReleaseMatch
{
    private const double MinContainerOverlap = 0.5;
    private const string Sep = VirtualPath.Separator;

    private readonly Dictionary<string, string> _oldIdentity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _newIdentity = new(StringComparer.Ordinal);
    private readonly List<(string OldKeyPrefix, string NewKeyPrefix)> _aliases = [];

    public ReleaseMatch(Evaluation old, Evaluation @new)
    {
        OldTree = new DeliveryTree(old.Files);
        NewTree = new DeliveryTree(@new.Files);

        var newByKey = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
        foreach (var f in @new.Files)
        {
            var key = NewTree.Key(f.Path);
            newByKey.TryAdd(key, f);
            _newIdentity[f.Path] = key;
        }
        var oldKeys = old.Files.Select(f => (Record: f, Key: OldTree.Key(f.Path))).ToList();
        AliasRenamedContainers(oldKeys, newByKey);

        var pairs = new List<FilePair>();
        var onlyOld = new List<FileRecord>();
        var matchedNew = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (record, rawKey) in oldKeys)
        {
            var key = Aliased(rawKey);
            _oldIdentity[record.Path] = key;
            if (newByKey.TryGetValue(key, out var counterpart) && matchedNew.Add(counterpart.Path))
                pairs.Add(new FilePair(record, counterpart, Moved: false));
            else
                onlyOld.Add(record);
        }
        var onlyNew = @new.Files.Where(f => !matchedNew.Contains(f.Path)).ToList();

        var moved = MatchMovedFiles(onlyOld, onlyNew, SummaryTables.BuildIds(old), SummaryTables.BuildIds(@new));
        foreach (var (o, n) in moved)
        {
            pairs.Add(new FilePair(o, n, Moved: true));
            _oldIdentity[o.Path] = _newIdentity[n.Path];
        }
        var movedOld = moved.Select(m => m.Old.Path).ToHashSet(StringComparer.Ordinal);
        var movedNew = moved.Select(m => m.New.Path).ToHashSet(StringComparer.Ordinal);
        Pairs = [.. pairs.OrderBy(p => NewTree.InTreePath(p.New.Path), StringComparer.Ordinal)];
        OnlyOld = [.. onlyOld.Where(f => !movedOld.Contains(f.Path))];
        OnlyNew = [.. onlyNew.Where(f => !movedNew.Contains(f.Path))];
    }

    public DeliveryTree OldTree { get; }
    public DeliveryTree NewTree { get; }

    /// <summary>Entries on both sides (sorted by the new in-tree path).</summary>
    public IReadOnlyList<FilePair> Pairs { get; }
    public IReadOnlyList<FileRecord> OnlyOld { get; }
    public IReadOnlyList<FileRecord> OnlyNew { get; }

    /// <summary>The identity of an old virtual path (the new key when its file moved or its container was renamed).</summary>
    public string OldIdentity(string path) =>
        _oldIdentity.TryGetValue(path, out var id) ? id : Aliased(OldTree.Key(path));

    public string NewIdentity(string path) =>
        _newIdentity.TryGetValue(path, out var id) ? id : NewTree.Key(path);

    private string Aliased(string key)
    {
        foreach (var (oldPrefix, newPrefix) in _aliases)
        {
            if (key == oldPrefix)
                return newPrefix;
            if (key.StartsWith(oldPrefix + Sep, StringComparison.Ordinal))
                return newPrefix + key[oldPrefix.Length..];
        }
        return key;
    }

    /// <summary>Pass 2: containers without a key match, paired by format and children, shallowest first.</summary>
    private void AliasRenamedContainers(List<(FileRecord Record, string Key)> oldKeys, Dictionary<string, FileRecord> newByKey)
    {
        var oldContainers = oldKeys.Where(o => o.Record.Format is not null && !newByKey.ContainsKey(o.Key)).ToList();
        if (oldContainers.Count == 0)
            return;
        var oldKeySet = oldKeys.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var newContainers = newByKey.Where(kv => kv.Value.Format is not null && !oldKeySet.Contains(kv.Key)).Select(kv => (Record: kv.Value, kv.Key)).ToList();
        if (newContainers.Count == 0)
            return;
        var oldChildren = ChildrenByContainer(oldKeys.Select(o => o.Key));
        var newChildren = ChildrenByContainer(newByKey.Keys);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (record, key) in oldContainers.OrderBy(o => o.Key.Split(Sep).Length).ThenBy(o => o.Key, StringComparer.Ordinal))
        {
            var aliasedKey = Aliased(key);
            if (newByKey.ContainsKey(aliasedKey) || !oldChildren.TryGetValue(key, out var mine))
                continue;
            var scored = newContainers
                .Where(n => n.Record.Format == record.Format && !taken.Contains(n.Key) && newChildren.ContainsKey(n.Key))
                .Select(n => (n.Key, Score: Jaccard(mine, newChildren[n.Key])))
                .Where(s => s.Score >= MinContainerOverlap)
                .OrderByDescending(s => s.Score).ThenBy(s => s.Key, StringComparer.Ordinal).Take(2).ToList();
            if (scored.Count == 0 || (scored.Count == 2 && scored[1].Score == scored[0].Score))
                continue;
            taken.Add(scored[0].Key);
            _aliases.Add((key, scored[0].Key));
        }
    }

    /// <summary>Container key → the names of its direct children.</summary>
    private static Dictionary<string, HashSet<string>> ChildrenByContainer(IEnumerable<string> keys)
    {
        var children = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var cut = key.LastIndexOf(Sep, StringComparison.Ordinal);
            if (cut < 0)
                continue;
            var parent = key[..cut];
            if (!children.TryGetValue(parent, out var set))
                children[parent] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(key[(cut + Sep.Length)..]);
        }
        return children;
    }

    private static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        var common = a.Count < b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        var union = a.Count + b.Count - common;
        return union == 0 ? 0 : (double)common / union;
    }

    /// <summary>Pass 3: regular files by name and content, then by name and build-id; a candidate that is not unique is not taken.</summary>
    private static List<(FileRecord Old, FileRecord New)> MatchMovedFiles(List<FileRecord> onlyOld, List<FileRecord> onlyNew,
        IReadOnlyDictionary<string, string> oldBuildIds, IReadOnlyDictionary<string, string> newBuildIds)
    {
        var result = new List<(FileRecord, FileRecord)>();
        var candidates = onlyNew.Where(f => f.Kind == NodeKind.File && f.Format is null).ToList();
        if (candidates.Count == 0)
            return result;
        var byContent = candidates.Where(f => f.Sha256 is not null).GroupBy(f => (VirtualPath.Name(f.Path), f.Sha256!)).ToDictionary(g => g.Key, g => g.ToList());
        var byBuildId = candidates.Where(f => newBuildIds.ContainsKey(f.Path)).GroupBy(f => (VirtualPath.Name(f.Path), newBuildIds[f.Path])).ToDictionary(g => g.Key, g => g.ToList());
        var oldFiles = onlyOld.Where(f => f.Kind == NodeKind.File && f.Format is null).ToList();
        var oldContentCount = oldFiles.Where(f => f.Sha256 is not null).GroupBy(f => (VirtualPath.Name(f.Path), f.Sha256!)).ToDictionary(g => g.Key, g => g.Count());
        var oldBuildIdCount = oldFiles.Where(f => oldBuildIds.ContainsKey(f.Path)).GroupBy(f => (VirtualPath.Name(f.Path), oldBuildIds[f.Path])).ToDictionary(g => g.Key, g => g.Count());
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in oldFiles.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var name = VirtualPath.Name(o.Path);
            FileRecord? pick = null;
            if (o.Sha256 is { } sha && byContent.TryGetValue((name, sha), out var same) && same.Count == 1 && oldContentCount[(name, sha)] == 1)
                pick = same[0];
            else if (oldBuildIds.TryGetValue(o.Path, out var id) && byBuildId.TryGetValue((name, id), out var rebuilt) && rebuilt.Count == 1 && oldBuildIdCount[(name, id)] == 1)
                pick = rebuilt[0];
            if (pick is not null && taken.Add(pick.Path))
                result.Add((o, pick));
        }
        return result;
    }
}

/// <summary>An entry of the old release and its counterpart in the new one.</summary>
internal sealed record FilePair(FileRecord Old, FileRecord New, bool Moved);
