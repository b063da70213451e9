using System.Globalization;
using Assay.Core.Model;

namespace Assay.History.Diff;

/// <summary>
/// Entries of the two unpacked trees (<see cref="ReleaseMatch"/>): added, removed, and changed in
/// what matters: kind, link target, content (SHA-256, or size where a hash is missing), mode, owner.
/// A modification time alone is not a change: every rebuild touches it. The delivery itself and
/// decompressed streams with files below them are left out (<see cref="DeliveryTree.IsTransparent"/>):
/// the same tree shipped as a tar.gz and as an ext4 image differs only there.
/// </summary>
internal static class FileDiff
{
    public static FileChanges Compare(ReleaseMatch match)
    {
        var changed = new List<FileChange>();
        var unchanged = 0;
        foreach (var (o, n, moved) in match.Pairs)
        {
            if (match.OldTree.IsTransparent(o.Path) && match.NewTree.IsTransparent(n.Path))
                continue;
            var what = new List<string>();
            var from = new List<string>();
            var to = new List<string>();
            if (moved)
                what.Add("moved");
            if (o.Kind != n.Kind)
                Aspect("kind", o.Kind.ToName(), n.Kind.ToName());
            if (o.Target != n.Target)
                Aspect("target", o.Target ?? "", n.Target ?? "");
            if (ContentDiffers(o, n))
                what.Add("content");
            if (o.Mode != n.Mode)
                Aspect("mode", o.Mode ?? "?", n.Mode ?? "?");
            if (o.Uid != n.Uid || o.Gid != n.Gid)
                Aspect("owner", Owner(o), Owner(n));
            if (what.Count == 0)
            {
                unchanged++;
                continue;
            }
            var oldPath = match.OldTree.InTreePath(o.Path);
            var newPath = match.NewTree.InTreePath(n.Path);
            changed.Add(new FileChange(newPath, string.Join(", ", what))
            {
                OldPath = oldPath == newPath ? null : oldPath,
                From = from.Count == 0 ? null : string.Join(", ", from),
                To = to.Count == 0 ? null : string.Join(", ", to),
                Container = n.Format,
            });

            void Aspect(string name, string was, string now)
            {
                what.Add(name);
                from.Add($"{name} {was}");
                to.Add($"{name} {now}");
            }
        }
        return new FileChanges
        {
            Added = Entries(match.OnlyNew, match.NewTree),
            Removed = Entries(match.OnlyOld, match.OldTree),
            Changed = [.. changed.OrderBy(c => c.Path, StringComparer.Ordinal)],
            Unchanged = unchanged,
        };
    }

    private static bool ContentDiffers(FileRecord o, FileRecord n)
    {
        if (o.Kind != NodeKind.File || n.Kind != NodeKind.File)
            return false;
        if (o.Sha256 is not null && n.Sha256 is not null)
            return !string.Equals(o.Sha256, n.Sha256, StringComparison.OrdinalIgnoreCase);
        return o.Size != n.Size;
    }

    private static string Owner(FileRecord f) =>
        string.Create(CultureInfo.InvariantCulture, $"{(f.Uid is { } u ? u.ToString(CultureInfo.InvariantCulture) : "?")}:{(f.Gid is { } g ? g.ToString(CultureInfo.InvariantCulture) : "?")}");

    private static List<FileEntry> Entries(IEnumerable<FileRecord> records, DeliveryTree tree) =>
        [.. records.Where(r => !tree.IsTransparent(r.Path)).Select(r => new FileEntry(tree.InTreePath(r.Path)) { Kind = r.Kind.ToName(), Size = r.Kind == NodeKind.File ? r.Size : null, Container = r.Format })
            .OrderBy(e => e.Path, StringComparer.Ordinal)];
}
