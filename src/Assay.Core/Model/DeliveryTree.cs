using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Assay.Core.Pipeline;

namespace Assay.Core.Model;

/// <summary>
/// Where each file of an evaluation sits inside the delivery, independent of how the delivery was
/// named and packed. A virtual path names the container chain
/// (<c>EX1000_1.2.0.zip!/firmware/EX1000_1.2.0.bin!/0x10000.squashfs!/etc/shadow</c>); releases
/// rename containers and move carved filesystems, so two views of it are derived from the
/// evaluation's own file records:
/// <list type="bullet">
/// <item><see cref="InTreePath"/>, for people: the delivery's own name dropped and decompressed
/// streams folded into the file they came from
/// (<c>rootfs.tar.gz!/rootfs.tar!/etc/x</c> and <c>rootfs.squashfs!/etc/x</c> are both
/// <c>/etc/x</c>);</item>
/// <item><see cref="Key"/>, for matching across releases and fingerprints: the in-tree path with
/// every container name reduced to what survives a release: version numbers masked
/// (<c>EX1000_1.2.0.bin</c> → <c>EX#_#.bin</c>) and carved chunks named by format and rank instead
/// of offset (<c>0x10000.squashfs</c> → <c>squashfs</c>, the second carved SquashFS of the same
/// blob <c>squashfs#2</c>). A name is masked only where no sibling masks to the same text
/// (<c>mtd0.bin</c> and <c>mtd1.bin</c> keep their digits). The path inside the innermost
/// container is kept exactly.</item>
/// </list>
/// </summary>
/// <remarks>
/// A record's parent is a compression stream when the parent's detected class is
/// <c>compressed</c> (the scanner sets it from the handler's category), so no list of compression
/// formats is repeated here. Paths whose container records are missing (an evaluation cut short by
/// a limit) fall back to the names alone: a segment named <c>0x…​.format</c> counts as carved.
/// </remarks>
public sealed partial class DeliveryTree
{
    private const string CarverId = "carver";
    private const string CompressedClass = "compressed";

    private readonly Dictionary<string, FileRecord> _records;
    private readonly Dictionary<string, int> _carvedRank;
    private readonly HashSet<string> _ambiguousMasks;
    private readonly HashSet<string> _containers;
    private readonly Dictionary<string, (string Display, string Key, bool Skip)> _segments = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Indexes the file records of one evaluation.</summary>
    public DeliveryTree(IEnumerable<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _records = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
        foreach (var f in files)
            _records.TryAdd(f.Path, f);
        _carvedRank = RankCarved(_records.Values);
        _ambiguousMasks = [.. _records.Keys.GroupBy(MaskedSibling, StringComparer.Ordinal).Where(g => g.Skip(1).Any()).Select(g => g.Key)];
        // Anything with content listed below it is a container, recognised at offset 0 or carved.
        _containers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in _records.Keys)
        {
            var cut = path.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal);
            if (cut > 0)
                _containers.Add(path[..cut]);
        }
    }

    /// <summary>The path with its last segment masked: siblings that share it cannot be told apart by a masked name.</summary>
    private static string MaskedSibling(string path)
    {
        var cut = path.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal);
        return cut < 0 ? MaskNumbers(path) : string.Concat(path.AsSpan(0, cut + VirtualPath.Separator.Length), MaskNumbers(path[(cut + VirtualPath.Separator.Length)..]));
    }

    /// <summary>The in-tree path of <paramref name="virtualPath"/>: <c>/</c> for the delivery itself.</summary>
    public string InTreePath(string virtualPath) => Resolve(virtualPath).Display;

    /// <summary>
    /// True for a record that only carries the files listed below it and has no place of its own in the
    /// tree: the delivery itself when something was unpacked from it, and a decompressed stream with
    /// content below it (<c>rootfs.tar.gz!/rootfs.tar</c>, whose files read as <c>/etc/x</c>). Comparing
    /// such a record across releases says nothing its files do not (the same tree in a tar.gz and an
    /// ext4 image differs only there), so release diffs leave it out.
    /// </summary>
    public bool IsTransparent(string virtualPath)
    {
        ArgumentNullException.ThrowIfNull(virtualPath);
        if (!_containers.Contains(virtualPath))
            return false;
        var cut = virtualPath.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal);
        if (cut < 0)
            return true;
        var name = virtualPath[(cut + VirtualPath.Separator.Length)..];
        return _records.GetValueOrDefault(virtualPath[..cut])?.Type?.Class == CompressedClass && !name.Contains('/', StringComparison.Ordinal);
    }

    /// <summary>The identity of <paramref name="virtualPath"/> across releases (see the class summary).</summary>
    public string Key(string virtualPath) => Resolve(virtualPath).Key;

    /// <summary>Both views at once.</summary>
    public (string Display, string Key) Resolve(string virtualPath)
    {
        ArgumentNullException.ThrowIfNull(virtualPath);
        var segments = virtualPath.Split(VirtualPath.Separator);
        if (segments.Length == 1)
            return ("/", "/");
        var display = new StringBuilder(virtualPath.Length);
        var key = new StringBuilder(virtualPath.Length);
        var prefixLength = segments[0].Length;
        for (var i = 1; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            prefixLength += VirtualPath.Separator.Length + segments[i].Length;
            if (last)
            {
                // A container is keyed like the segment it is for its own content (masked name, carved
                // rank), so the container matches across releases as its files do; a leaf keeps its name.
                var own = _records.GetValueOrDefault(virtualPath);
                var keyed = own is not null && (own.Format is not null || own.Container == CarverId || _containers.Contains(virtualPath))
                    ? Segment(virtualPath, virtualPath[..(prefixLength - segments[i].Length - VirtualPath.Separator.Length)], segments[i]) is (_, var ownKey, false) ? ownKey : segments[i]
                    : segments[i];
                Append(display, segments[i]);
                Append(key, keyed);
                break;
            }
            var (d, k, skip) = Segment(virtualPath[..prefixLength], virtualPath[..(prefixLength - segments[i].Length - VirtualPath.Separator.Length)], segments[i]);
            if (skip)
                continue;
            Append(display, d);
            Append(key, k);
        }
        return (display.Length == 0 ? "/" : display.ToString(), key.Length == 0 ? "/" : key.ToString());
    }

    private static void Append(StringBuilder sb, string segment)
    {
        sb.Append(sb.Length == 0 ? "/" : VirtualPath.Separator);
        sb.Append(segment.TrimStart('/'));
    }

    /// <summary>How one container segment (a node that has content below it) is written, cached per container.</summary>
    private (string Display, string Key, bool Skip) Segment(string path, string parentPath, string name)
    {
        lock (_gate)
        {
            if (_segments.TryGetValue(path, out var cached))
                return cached;
        }
        var record = _records.GetValueOrDefault(path);
        var parent = _records.GetValueOrDefault(parentPath);
        (string, string, bool) result;
        if (parent?.Type?.Class == CompressedClass && !name.Contains('/', StringComparison.Ordinal))
        {
            // The decompressed stream is the content of the compressed file, not a level of its own.
            result = (name, name, true);
        }
        else if (CarvedFormat(record, name) is { } format)
        {
            var rank = _carvedRank.GetValueOrDefault(path, 1);
            result = (name, rank > 1 ? string.Create(CultureInfo.InvariantCulture, $"{format}#{rank}") : format, false);
        }
        else
        {
            result = (name, _ambiguousMasks.Contains(MaskedSibling(path)) ? name : MaskNumbers(name), false);
        }
        lock (_gate)
            _segments[path] = result;
        return result;
    }

    /// <summary>Runs of digits (with the dots and dashes between them) become one <c>#</c>: <c>EX1000_1.2.0.bin</c> → <c>EX#_#.bin</c>.</summary>
    public static string MaskNumbers(string name) => Numbers().Replace(name, "#");

    private static string? CarvedFormat(FileRecord? record, string name)
    {
        var m = CarvedName().Match(name);
        if (record is not null && record.Container != CarverId)
            return null;
        if (m.Success)
            return m.Groups["format"].Value;
        return record?.Format;
    }

    /// <summary>Rank of each carved chunk among the carved chunks of the same format in the same blob, by offset (1 = first).</summary>
    private static Dictionary<string, int> RankCarved(IEnumerable<FileRecord> records)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        var carved = records.Where(r => r.Container == CarverId)
            .Select(r =>
            {
                var cut = r.Path.LastIndexOf(VirtualPath.Separator, StringComparison.Ordinal);
                var name = r.Path[(cut + VirtualPath.Separator.Length)..];
                var m = CarvedName().Match(name);
                var offset = m.Success && long.TryParse(m.Groups["offset"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var o) ? o : long.MaxValue;
                return (r.Path, Parent: cut < 0 ? "" : r.Path[..cut], Format: m.Success ? m.Groups["format"].Value : r.Format ?? "", Offset: offset);
            });
        foreach (var group in carved.GroupBy(c => (c.Parent, c.Format)))
        {
            var rank = 0;
            foreach (var c in group.OrderBy(c => c.Offset).ThenBy(c => c.Path, StringComparer.Ordinal))
                ranks[c.Path] = ++rank;
        }
        return ranks;
    }

    [GeneratedRegex(@"^0x(?<offset>[0-9a-f]{1,16})\.(?<format>[a-z0-9][a-z0-9_.-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex CarvedName();

    [GeneratedRegex(@"[0-9]+(?:[.-][0-9]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Numbers();
}
