using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Jffs2;

/// <summary>
/// JFFS2, the log-structured filesystem of NOR (and small NAND) flash: a sequence of nodes with no
/// index. Every node is scanned; for each name the directory entry with the highest version wins
/// (inode 0 deletes the name), and each file is rebuilt from its inode nodes with the newest version
/// on top where their data ranges overlap. Both byte orders.
/// </summary>
/// <remarks>
/// A little-endian inode node (<c>mkfs.jffs2 -l</c>):
/// <code>
/// 00000000: 8519 02e0 4400 0000 1dfb f798 ...   magic 0x1985, nodetype 0xe002 (inode), totlen 0x44, hdr_crc
/// </code>
/// The big-endian form starts <c>19 85 e0 02</c>.
/// </remarks>
internal sealed class Jffs2Handler : IFormatHandler<Jffs2Endian>
{
    private const uint RootInum = 1;
    private const int Alignment = 4;
    private const int WindowSize = 256 * 1024;

    /// <summary>While carving, this much data that is neither erased flash nor a node ends the image.</summary>
    private const int MaxForeignGap = 128 * 1024;

    /// <summary>Erase block sizes told by the distance between cleanmarkers (mkfs.jffs2 writes one at the start of each block).</summary>
    private const int MinEraseBlock = 4096;
    private const int MaxEraseBlock = 1 << 20;

    /// <summary>A dirent with a 255-byte name, rounded up.</summary>
    private const int MaxDirentLength = Jffs2Dirent.HeaderSize + 256;
    private const uint MaxNodeLength = Jffs2InodeNode.HeaderSize + Jffs2Data.MaxNodeData;

    private const uint TypeMask = 0xf000;
    private const uint PermissionMask = 0xfff;
    private const uint TypeDir = 0x4000;
    private const uint TypeFile = 0x8000;
    private const uint TypeSymlink = 0xa000;
    private const uint TypeChar = 0x2000;
    private const uint TypeBlock = 0x6000;
    private const uint TypeFifo = 0x1000;
    private const uint TypeSocket = 0xc000;

    public string Id => "jffs2";
    public string Description => "JFFS2 flash filesystem, both byte orders (zlib, rtime, lzo, lzma)";
    public FormatCategory Category => FormatCategory.Filesystem;

    // magic 0x1985 then the node type of a cleanmarker (0x2003), inode (0xe002) or dirent (0xe001), per byte order
    public IReadOnlyList<MagicSignature> Magics { get; } =
    [
        MagicSignature.Hex("85190320"), MagicSignature.Hex("851902e0"), MagicSignature.Hex("851901e0"),
        MagicSignature.Hex("19852003"), MagicSignature.Hex("1985e002"), MagicSignature.Hex("1985e001"),
    ];

    public IReadOnlyList<string> References { get; } =
    [
        "Linux include/uapi/linux/jffs2.h (struct jffs2_raw_inode, jffs2_raw_dirent, JFFS2_COMPR_*)",
        "Linux fs/jffs2 (scan.c, readinode.c, compr_rtime.c, compr_lzma.c settings)",
        "David Woodhouse, JFFS: The Journalling Flash File System (2001)",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "rubin and dynrubin compressed data (never enabled by default) is reported, not decoded",
        "extended attributes (xattr/xref nodes) and erase block summaries are skipped",
    ];

    public FormatMatch<Jffs2Endian>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> first = stackalloc byte[Jffs2NodeHeader.Size];
        if (!blob.TryReadExactly(offset, first) || Jffs2NodeHeader.DetectEndian(first) is not { } endian)
            return null;
        if (Jffs2NodeHeader.Read(first, endian) is not { } header || !IsKnownType(header.NodeType) || header.TotalLength < Jffs2NodeHeader.Size
            || header.TotalLength > MaxNodeLength)
        {
            return null;
        }

        var scanner = new Scanner(blob, offset, blob.Length, endian, stopAtForeign: true);
        var nodes = 0;
        while (scanner.Next(CancellationToken.None) is not null)
            nodes++;
        // erased flash after the last node belongs to the image up to the end of its erase block
        var end = scanner.LastNodeEnd;
        if (scanner.EraseBlockSize is { } block)
        {
            var blockEnd = offset + ((end - offset + block - 1) / block * block);
            end += ErasedRun(blob, end, Math.Min(blob.Length, blockEnd));
        }

        return new FormatMatch<Jffs2Endian>(offset, end - offset, $"JFFS2, {(endian.BigEndian ? "big" : "little")}-endian, {nodes} nodes", endian);
    }

    public void Unpack(IBlob chunk, FormatMatch<Jffs2Endian> match, IUnpackContext context)
    {
        var endian = match.State;

        var dirents = new Dictionary<(uint, string), Jffs2Dirent>();
        var inodes = new Dictionary<uint, List<Jffs2InodeNode>>();
        var scanner = new Scanner(chunk, 0, chunk.Length, endian, stopAtForeign: false);
        var obsolete = 0;
        while (scanner.Next(context.CancellationToken) is { } found)
        {
            var (position, header) = found;
            if (header.IsObsolete)
            {
                obsolete++;
                continue;
            }

            switch (header.NodeType)
            {
                case Jffs2NodeHeader.Dirent:
                    var dirent = Jffs2Dirent.Read(scanner.Bytes(position, (int)Math.Min(header.TotalLength, MaxDirentLength)), endian, position, out var direntProblem);
                    if (dirent is null)
                    {
                        context.AddError($"jffs2 at 0x{position:x}: {direntProblem}; the entry is skipped", position);
                        break;
                    }

                    var key = (dirent.Parent, Encoding.Latin1.GetString(dirent.Name));
                    if (!dirents.TryGetValue(key, out var existing) || dirent.Version >= existing.Version)
                        dirents[key] = dirent;
                    break;
                case Jffs2NodeHeader.Inode:
                    var inode = Jffs2InodeNode.Read(scanner.Bytes(position, Jffs2InodeNode.HeaderSize), header.TotalLength, endian, position, out var inodeProblem);
                    if (inode is not { } n)
                    {
                        context.AddError($"jffs2 at 0x{position:x}: {inodeProblem}; the node is skipped", position);
                        break;
                    }

                    if (!inodes.TryGetValue(n.Inum, out var list))
                        inodes[n.Inum] = list = [];
                    list.Add(n);
                    break;
                default:
                    break; // cleanmarker, padding, summary, xattr: nothing to list
            }
        }

        if (scanner.DamagedHeaders > 0)
            context.AddError($"jffs2: {scanner.DamagedHeaders} node headers with the magic have a bad hdr_crc or length; those nodes are skipped (torn writes or bit flips)");
        if (dirents.Count == 0 && inodes.Count == 0)
            throw new FormatException(Id, 0, $"no valid inode or directory entry node in {chunk.Length} bytes ({obsolete} obsolete); the image is empty or not JFFS2");

        foreach (var list in inodes.Values)
            list.Sort((a, b) => a.Version != b.Version ? a.Version.CompareTo(b.Version) : a.Position.CompareTo(b.Position));
        Emit(chunk, endian, dirents, inodes, context);
    }

    private static bool IsKnownType(ushort type) => (ushort)(type | Jffs2NodeHeader.Accurate) is Jffs2NodeHeader.Dirent or Jffs2NodeHeader.Inode
        or Jffs2NodeHeader.CleanMarker or Jffs2NodeHeader.Padding or Jffs2NodeHeader.Summary or Jffs2NodeHeader.Xattr or Jffs2NodeHeader.XattrRef;

    private static long ErasedRun(IBlob blob, long from, long to)
    {
        var buffer = new byte[4096];
        var pos = from;
        while (pos < to)
        {
            var n = blob.Read(pos, buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - pos)));
            if (n <= 0)
                break;
            var bad = buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0xff);
            if (bad >= 0)
                return pos + (bad & ~(Alignment - 1)) - from;
            pos += n;
        }

        return pos - from;
    }

    private void Emit(IBlob chunk, Jffs2Endian endian, Dictionary<(uint, string), Jffs2Dirent> dirents, Dictionary<uint, List<Jffs2InodeNode>> inodes, IUnpackContext context)
    {
        var children = dirents.Values.Where(d => d.Inum != 0).GroupBy(d => d.Parent).ToDictionary(g => g.Key, g => g.ToList());
        var visited = new HashSet<uint> { RootInum };
        var stack = new Stack<(uint Inum, string Path)>();
        stack.Push((RootInum, string.Empty));
        while (stack.Count > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (dir, prefix) = stack.Pop();
            if (!children.TryGetValue(dir, out var entries))
                continue;
            var subdirectories = new List<(uint, string)>();
            foreach (var (dent, name) in entries.Select(d => (d, Encoding.UTF8.GetString(d.Name))).OrderBy(x => x.Item2, StringComparer.Ordinal))
            {
                var path = prefix.Length == 0 ? name : $"{prefix}/{name}";
                if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
                {
                    context.AddError($"jffs2 at 0x{dent.Offset:x}: directory entry name \"{name}\" in inode {dir} is not a valid file name; the entry is skipped", dent.Offset, path);
                    continue;
                }

                if (!inodes.TryGetValue(dent.Inum, out var nodes) || nodes.Count == 0)
                {
                    context.AddError($"jffs2 at 0x{dent.Offset:x}: directory entry \"{path}\" points at inode {dent.Inum}, which has no inode node; the entry is skipped", dent.Offset, path);
                    continue;
                }

                var latest = nodes[^1];
                var meta = new EntryMeta(path)
                {
                    Mode = (int)(latest.Mode & PermissionMask),
                    Uid = latest.Uid,
                    Gid = latest.Gid,
                    Mtime = latest.Mtime,
                };
                switch (latest.Mode & TypeMask)
                {
                    case TypeDir:
                        if (!visited.Add(dent.Inum))
                        {
                            context.AddError($"jffs2: directory inode {dent.Inum} is reachable twice (at \"{path}\"); the second path is skipped (a directory loop)", dent.Offset, path);
                            continue;
                        }

                        context.AddDirectory(meta);
                        subdirectories.Add((dent.Inum, path));
                        break;
                    case TypeFile:
                        if (latest.Isize > context.Limits.MaxFileBytes)
                        {
                            context.AddError($"jffs2: \"{path}\" claims {latest.Isize} bytes, more than the {context.Limits.MaxFileBytes}-byte file limit; its content is skipped", latest.Position, path);
                            break;
                        }

                        var intact = nodes.Where(n => Jffs2Data.DataCrcMatches(chunk, n) || Reject(n, context, path)).ToList();
                        var fragments = Jffs2Fragment.Build(intact, latest.Isize);
                        using (var stream = new Jffs2FileStream(chunk, intact, fragments, latest.Isize, context, path))
                            context.AddFile(meta, stream, nodes.Sum(n => (long)n.CompressedSize));
                        break;
                    case TypeSymlink:
                        if (NodeData(chunk, latest, context, path) is { } target)
                            context.AddSymlink(meta, Encoding.UTF8.GetString(target));
                        break;
                    case TypeChar:
                    case TypeBlock:
                        var isBlock = (latest.Mode & TypeMask) == TypeBlock;
                        var dev = NodeData(chunk, latest, context, path);
                        switch (dev?.Length)
                        {
                            case 2:
                                // old_encode_dev: major << 8 | minor
                                var old = endian.U16(dev);
                                meta = meta with { Major = old >> 8, Minor = old & 0xff };
                                break;
                            case 4:
                                // new_encode_dev: minor bits 0-7, major bits 8-19, minor bits 20-31
                                var v = endian.U32(dev);
                                meta = meta with { Major = (v & 0xfff00) >> 8, Minor = (v & 0xff) | ((v >> 12) & 0xfff00) };
                                break;
                            default:
                                context.AddError($"jffs2: device \"{path}\" has {dev?.Length ?? 0} bytes of device number, expected 2 or 4; major/minor are unknown", latest.Position, path);
                                break;
                        }

                        context.AddSpecial(meta, NodeKind.Device, isBlock);
                        break;
                    case TypeFifo:
                        context.AddSpecial(meta, NodeKind.Fifo);
                        break;
                    case TypeSocket:
                        context.AddSpecial(meta, NodeKind.Socket);
                        break;
                    default:
                        context.AddError($"jffs2: inode {dent.Inum} at \"{path}\" has mode 0{Convert.ToString(latest.Mode, 8)} with no known file type; the entry is skipped", latest.Position, path);
                        break;
                }
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
                stack.Push(subdirectories[i]);
        }
    }

    private static bool Reject(Jffs2InodeNode node, IUnpackContext context, string path)
    {
        context.AddError($"jffs2 at 0x{node.Position:x}: inode {node.Inum} version {node.Version}: data_crc mismatch; the node is dropped and older data shows through", node.Position, path);
        return false;
    }

    private static byte[]? NodeData(IBlob chunk, Jffs2InodeNode node, IUnpackContext context, string path)
    {
        try
        {
            return Jffs2Data.Decode(chunk, node);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            context.AddError($"jffs2 at 0x{node.Position:x}: inode {node.Inum} data: {e.Message}; the entry is skipped", node.Position, path);
            return null;
        }
    }

    /// <summary>Walks the nodes of a region in order, reading through a window so memory does not grow with the image.</summary>
    private sealed class Scanner(IBlob blob, long start, long end, Jffs2Endian endian, bool stopAtForeign)
    {
        private readonly byte[] _window = new byte[WindowSize];
        private long _windowStart = -1;
        private int _windowLength;
        private long _position = start;
        private long _foreignSince = -1;

        private long _lastCleanMarker = -1;
        private long _cleanMarkerDistance;

        public long LastNodeEnd { get; private set; } = start;

        /// <summary>The distance between consecutive cleanmarkers when it is a plausible erase block size.</summary>
        public long? EraseBlockSize => _cleanMarkerDistance is >= MinEraseBlock and <= MaxEraseBlock && (_cleanMarkerDistance & (_cleanMarkerDistance - 1)) == 0
            ? _cleanMarkerDistance
            : null;
        public int DamagedHeaders { get; private set; }

        /// <summary>Up to <paramref name="length"/> bytes at <paramref name="position"/> (shorter at the end of the region).</summary>
        public ReadOnlySpan<byte> Bytes(long position, int length)
        {
            if (position < _windowStart || position + length > _windowStart + _windowLength)
            {
                _windowStart = position;
                _windowLength = blob.Read(position, _window.AsSpan(0, (int)Math.Min(_window.Length, end - position)));
                _windowLength = Math.Max(_windowLength, 0);
            }

            var from = (int)(position - _windowStart);
            return _window.AsSpan(from, Math.Min(length, _windowLength - from));
        }

        public (long Position, Jffs2NodeHeader Header)? Next(CancellationToken cancellationToken)
        {
            var steps = 0;
            while (_position <= end - Jffs2NodeHeader.Size)
            {
                if ((++steps & 0xffff) == 0)
                    cancellationToken.ThrowIfCancellationRequested();
                var span = Bytes(_position, Jffs2NodeHeader.Size);
                if (span.Length < Jffs2NodeHeader.Size)
                    break;
                var header = Jffs2NodeHeader.Read(span, endian);
                if (header is { } h && h.TotalLength >= Jffs2NodeHeader.Size && h.TotalLength <= MaxNodeLength && h.TotalLength <= end - _position)
                {
                    var position = _position;
                    LastNodeEnd = position + h.TotalLength;
                    if (h.NodeType == Jffs2NodeHeader.CleanMarker)
                    {
                        if (_lastCleanMarker >= 0 && (_cleanMarkerDistance == 0 || position - _lastCleanMarker < _cleanMarkerDistance))
                            _cleanMarkerDistance = position - _lastCleanMarker;
                        _lastCleanMarker = position;
                    }

                    _position = checked(position + ((h.TotalLength + Alignment - 1) & ~(uint)(Alignment - 1)));
                    _foreignSince = -1;
                    return (position, h);
                }

                if (endian.U16(span) == Jffs2NodeHeader.Magic)
                    DamagedHeaders++;
                if (span[..Alignment].ContainsAnyExcept((byte)0xff))
                {
                    if (_foreignSince < 0)
                        _foreignSince = _position;
                    else if (stopAtForeign && _position - _foreignSince > MaxForeignGap)
                        break;
                }

                _position += Alignment;
            }

            return null;
        }
    }
}
