using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ubifs;

/// <summary>
/// UBIFS, the flash filesystem that runs on a UBI volume. The newest master node locates the root of
/// the index B-tree; its leaves are inode, data (4 KiB blocks, lzo/zlib/zstd) and directory-entry
/// nodes, from which the tree is rebuilt. Found inside UBI volumes by the superblock's magic, or
/// carved from a raw <c>mkfs.ubifs</c> image.
/// </summary>
/// <remarks>
/// LEB 0 holds the superblock node, LEBs 1 and 2 the master nodes, then the log, the LEB
/// properties tree, the orphan area and the main area (index and leaf nodes). Superblock of a
/// <c>mkfs.ubifs -m 2048 -e 126976</c> image:
/// <code>
/// 00000000: 3118 1006 xxxx xxxx ssss ssss ssss ssss  magic 0x06101831, crc, sqnum
/// 00000010: 0010 0000 0600 0000 0000 0000 0000 0000  len 4096, node_type 6 (superblock)
/// </code>
/// </remarks>
internal sealed class UbifsHandler : IFormatHandler<UbifsSuperblock>
{
    private const int MinLebSize = 15 * 1024;
    private const int MaxLebSize = 16 << 20;
    /// <summary>Superblock, two master LEBs, two log LEBs and one more: mkfs.ubifs writes leb_cnt as the LEBs it used, below the kernel's mount minimum.</summary>
    private const int MinLebCount = 6;
    private const int MinFanout = 3;
    private const int MaxFanout = 4096;
    private const uint MaxFormatVersion = 5;
    private const byte SimpleKeyFormat = 0;
    private const int MasterLnum = 1;
    private const int MasterLebs = 2;
    private const uint RootInum = 1;

    private const uint TypeMask = 0xf000;
    private const uint PermissionMask = 0xfff;
    private const uint TypeDir = 0x4000;
    private const uint TypeFile = 0x8000;
    private const uint TypeSymlink = 0xa000;
    private const uint TypeChar = 0x2000;
    private const uint TypeBlock = 0x6000;
    private const uint TypeFifo = 0x1000;
    private const uint TypeSocket = 0xc000;

    public string Id => UbifsImage.FormatId;
    public string Description => "UBIFS flash filesystem (index B-tree walk; lzo, zlib, zstd)";
    public FormatCategory Category => FormatCategory.Filesystem;

    // superblock node: magic 31 18 10 06, then node_type 6 at offset 20
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("31181006")];

    public IReadOnlyList<string> References { get; } =
    [
        "Linux fs/ubifs/ubifs-media.h (on-flash format, UBIFS_FORMAT_VERSION 4/5)",
        "UBIFS white paper, linux-mtd.infradead.org/doc/ubifs_whitepaper.pdf",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the journal is replayed from the log's reference nodes, but torn writes are not recovered: a bud ends at its first damaged node",
        "extended attributes are reported from xattr entries and their xattr inodes; encrypted files are listed without content",
        "authenticated images are read without checking their HMACs and hashes",
    ];

    public FormatMatch<UbifsSuperblock>? TryMatch(IBlob blob, long offset)
    {
        var sb = ReadSuperblock(blob, offset);
        if (sb is not { } s)
            return null;
        var length = Math.Min((long)s.LebCount * s.LebSize, blob.Length - offset);
        return new FormatMatch<UbifsSuperblock>(offset, length, $"UBIFS v{s.FormatVersion}, {s.LebSize} B LEBs, {s.LebCount} LEBs, default compressor {CompressorName(s.DefaultCompressor)}", s);
    }

    public void Unpack(IBlob chunk, FormatMatch<UbifsSuperblock> match, IUnpackContext context)
    {
        var sb = match.State;
        var hashLength = 0;
        if ((sb.Flags & UbifsSuperblock.FlagAuthentication) != 0)
        {
            hashLength = HashLength(sb.HashAlgorithm);
            if (hashLength == 0)
                throw new FormatException(Id, 0, $"authenticated image with unknown hash_algo {sb.HashAlgorithm}; the index branch size cannot be known");
        }

        using var image = new UbifsImage(chunk, sb, hashLength);
        var master = ReadMaster(image, chunk, context);
        var tree = WalkIndex(image, master, context);
        UbifsJournal.Replay(chunk, image, master, tree, context);
        Emit(image, tree, context);
    }

    private static UbifsSuperblock? ReadSuperblock(IBlob blob, long offset)
    {
        // every UBIFS node starts with the same magic: look at the common header before reading the whole superblock
        Span<byte> common = stackalloc byte[UbifsCommonHeader.Size];
        if (!blob.TryReadExactly(offset, common) || UbifsCommonHeader.Read(common) is not { NodeType: UbifsNodeType.Superblock, Length: UbifsSuperblock.NodeSize })
            return null;
        var node = new byte[UbifsSuperblock.NodeSize];
        if (!blob.TryReadExactly(offset, node) || !UbifsCommonHeader.CrcMatches(node))
            return null;
        var sb = UbifsSuperblock.Read(node);
        var ok = sb.KeyFormat == SimpleKeyFormat
            && sb.LebSize is >= MinLebSize and <= MaxLebSize && sb.LebSize % 8 == 0
            && sb.MinIoSize > 0 && sb.MinIoSize <= sb.LebSize && (sb.MinIoSize & (sb.MinIoSize - 1)) == 0
            && sb.LebCount >= MinLebCount
            && sb.Fanout is >= MinFanout and <= MaxFanout
            && sb.FormatVersion is >= 1 and <= MaxFormatVersion;
        return ok ? sb : null;
    }

    /// <summary>The newest valid master node of LEBs 1 and 2.</summary>
    private UbifsMaster ReadMaster(UbifsImage image, IBlob chunk, IUnpackContext context)
    {
        var sb = image.Superblock;
        var step = Math.Max(UbifsMaster.NodeSize, sb.MinIoSize);
        var node = new byte[UbifsMaster.NodeSize];
        UbifsMaster? best = null;
        for (var lnum = MasterLnum; lnum < MasterLnum + MasterLebs; lnum++)
        {
            for (var offs = 0; offs <= sb.LebSize - UbifsMaster.NodeSize; offs += step)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var position = image.Position(lnum, offs);
                if (!chunk.TryReadExactly(position, node))
                    break;
                var header = UbifsCommonHeader.Read(node);
                if (header is null)
                {
                    if (!node.AsSpan().ContainsAnyExcept((byte)0xff))
                        break;
                    continue;
                }

                if (header.Value.NodeType != UbifsNodeType.Master || header.Value.Length != UbifsMaster.NodeSize || !UbifsCommonHeader.CrcMatches(node))
                {
                    context.AddError($"ubifs: damaged master node at LEB {lnum} offset 0x{offs:x}; the other copies are used", position);
                    continue;
                }

                if (best is null || header.Value.Sqnum > best.Value.Sqnum)
                    best = UbifsMaster.Read(node, header.Value.Sqnum);
            }
        }

        return best ?? throw new FormatException(Id, image.Position(MasterLnum, 0), "no valid master node in LEBs 1 and 2; the root of the index cannot be found");
    }

    private UbifsTree WalkIndex(UbifsImage image, UbifsMaster master, IUnpackContext context)
    {
        var tree = new UbifsTree();
        var visited = new HashSet<(int, int)>();
        var stack = new Stack<(int Lnum, int Offset, int Length, int Level)>();
        stack.Push((master.RootLnum, master.RootOffset, master.RootLength, -1));
        var branchSize = image.BranchSize;
        var isRoot = true;
        while (stack.Count > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (lnum, offs, len, expectedLevel) = stack.Pop();
            var position = image.Position(lnum, offs);
            if (!visited.Add((lnum, offs)))
            {
                context.AddError($"ubifs: index node at LEB {lnum} offset 0x{offs:x} is referenced twice; the second reference is skipped (a loop or a damaged index)", position);
                continue;
            }

            byte[] node;
            int count;
            int level;
            try
            {
                node = image.ReadNode(lnum, offs, len, UbifsNodeType.Index);
                count = BinaryPrimitives.ReadUInt16LittleEndian(node.AsSpan(UbifsIndexNode.ChildCountOffset));
                level = BinaryPrimitives.ReadUInt16LittleEndian(node.AsSpan(UbifsIndexNode.LevelOffset));
                if (count == 0 || count > image.Superblock.Fanout || UbifsIndexNode.HeaderSize + ((long)count * branchSize) > node.Length
                    || level >= UbifsIndexNode.MaxLevels || (expectedLevel >= 0 && level != expectedLevel))
                {
                    throw new FormatException(Id, position, $"index node child_cnt {count} level {level} (expected level {(expectedLevel < 0 ? "any" : expectedLevel)}, fanout {image.Superblock.Fanout}, node length {node.Length}) is inconsistent; the index is damaged");
                }
            }
            catch (FormatException e) when (!isRoot)
            {
                context.AddError($"{e.Message}; the entries below it are missing", e.Offset);
                continue;
            }

            isRoot = false;
            for (var i = 0; i < count; i++)
            {
                var branch = node.AsSpan(UbifsIndexNode.HeaderSize + (i * branchSize), branchSize);
                var childLnum = BinaryPrimitives.ReadInt32LittleEndian(branch[UbifsIndexNode.BranchLnumOffset..]);
                var childOffs = BinaryPrimitives.ReadInt32LittleEndian(branch[UbifsIndexNode.BranchOffsOffset..]);
                var childLen = BinaryPrimitives.ReadInt32LittleEndian(branch[UbifsIndexNode.BranchLengthOffset..]);
                if (level > 0)
                {
                    stack.Push((childLnum, childOffs, childLen, level - 1));
                    continue;
                }

                var key = UbifsKey.Read(branch[UbifsIndexNode.BranchFixedSize..]);
                ReadLeaf(image, tree, key, childLnum, childOffs, childLen, context);
            }
        }

        return tree;
    }

    private void ReadLeaf(UbifsImage image, UbifsTree tree, UbifsKey key, int lnum, int offs, int len, IUnpackContext context)
    {
        var position = image.Position(lnum, offs);
        try
        {
            switch (key.Type)
            {
                case UbifsNodeType.Data:
                    tree.SetData(key.Inum, new DataRef(key.Value, lnum, offs, len));
                    break;
                case UbifsNodeType.Inode:
                    var inode = UbifsInode.Read(image.ReadNode(lnum, offs, len, UbifsNodeType.Inode), key.Inum, position)
                        ?? throw new FormatException(Id, position, $"inode {key.Inum}: data_len does not fit the node; the node is corrupt");
                    tree.SetInode(inode);
                    break;
                case UbifsNodeType.Dent:
                    var dent = UbifsDent.Read(image.ReadNode(lnum, offs, len, UbifsNodeType.Dent), key.Inum, position)
                        ?? throw new FormatException(Id, position, $"directory entry in inode {key.Inum}: nlen does not fit the node; the node is corrupt");
                    tree.SetDent(dent, replace: false);
                    break;
                case UbifsNodeType.Xent:
                    var xent = UbifsDent.Read(image.ReadNode(lnum, offs, len, UbifsNodeType.Xent), key.Inum, position)
                        ?? throw new FormatException(Id, position, $"xattr entry of inode {key.Inum}: nlen does not fit the node; the node is corrupt");
                    tree.SetXent(xent, replace: false);
                    break;
                default:
                    throw new FormatException(Id, position, $"index leaf with key type {key.Type} (0 inode, 1 data, 2 dent, 3 xent); the index is damaged");
            }
        }
        catch (FormatException e)
        {
            context.AddError($"{e.Message}; the node is skipped", e.Offset);
        }
    }

    private void Emit(UbifsImage image, UbifsTree tree, IUnpackContext context)
    {
        if (!tree.Inodes.ContainsKey(RootInum))
            context.AddError("ubifs: the root directory inode (1) is missing from the index; only entries reachable from its directory entries are listed");
        var visited = new HashSet<uint> { RootInum };
        var stack = new Stack<(uint Inum, string Path)>();
        stack.Push((RootInum, string.Empty));
        while (stack.Count > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var (dir, prefix) = stack.Pop();
            if (!tree.Children.TryGetValue(dir, out var dents))
                continue;
            var ordered = dents.Select(d => (Dent: d, Name: DecodeName(d.Name))).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
            var subdirectories = new List<(uint, string)>();
            foreach (var (dent, name) in ordered)
            {
                var path = prefix.Length == 0 ? name : $"{prefix}/{name}";
                if (name.Length == 0 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
                {
                    context.AddError($"ubifs: directory entry name \"{name}\" in inode {dir} is not a valid file name; the entry is skipped", dent.Offset, path);
                    continue;
                }

                if (dent.Inum > uint.MaxValue || !tree.Inodes.TryGetValue((uint)dent.Inum, out var inode))
                {
                    context.AddError($"ubifs: directory entry \"{path}\" points at inode {dent.Inum}, which is not in the index; the entry is skipped", dent.Offset, path);
                    continue;
                }

                var meta = new EntryMeta(path)
                {
                    Mode = (int)(inode.Mode & PermissionMask),
                    Uid = inode.Uid,
                    Gid = inode.Gid,
                    Mtime = inode.Mtime,
                    Xattrs = Xattrs(tree, inode.Inum, path, context),
                };
                switch (inode.Mode & TypeMask)
                {
                    case TypeDir:
                        if (!visited.Add(inode.Inum))
                        {
                            context.AddError($"ubifs: directory inode {inode.Inum} is reachable twice (at \"{path}\"); the second path is skipped (a directory loop)", dent.Offset, path);
                            continue;
                        }

                        context.AddDirectory(meta);
                        subdirectories.Add((inode.Inum, path));
                        break;
                    case TypeFile:
                        EmitFile(image, tree, inode, meta, context);
                        break;
                    case TypeSymlink:
                        context.AddSymlink(meta, Encoding.UTF8.GetString(inode.Data));
                        break;
                    case TypeChar:
                    case TypeBlock:
                        EmitDevice(inode, meta, context);
                        break;
                    case TypeFifo:
                        context.AddSpecial(meta, NodeKind.Fifo);
                        break;
                    case TypeSocket:
                        context.AddSpecial(meta, NodeKind.Socket);
                        break;
                    default:
                        context.AddError($"ubifs: inode {inode.Inum} at \"{path}\" has mode 0{Convert.ToString(inode.Mode, 8)} with no known file type; the entry is skipped", inode.Offset, path);
                        break;
                }
            }

            for (var i = subdirectories.Count - 1; i >= 0; i--)
                stack.Push(subdirectories[i]);
        }
    }

    /// <summary>
    /// The attributes of a host inode: each xent names an xattr inode (flag UBIFS_XATTR_FL) whose
    /// data is the value (fs/ubifs/xattr.c); the name carries its namespace prefix as stored.
    /// </summary>
    private static IReadOnlyList<ExtendedAttribute>? Xattrs(UbifsTree tree, uint host, string path, IUnpackContext context)
    {
        if (!tree.Xattrs.TryGetValue(host, out var xents) || xents.Count == 0)
            return null;
        var list = new List<ExtendedAttribute>(xents.Count);
        foreach (var xent in xents)
        {
            if (xent.Inum > uint.MaxValue || !tree.Inodes.TryGetValue((uint)xent.Inum, out var holder) || (holder.Flags & UbifsInode.FlagXattr) == 0)
            {
                context.AddError($"ubifs: extended attribute \"{DecodeName(xent.Name)}\" of \"{path}\" points at inode {xent.Inum}, which is not an xattr inode in the index; not reported", xent.Offset, path);
                continue;
            }
            list.Add(new ExtendedAttribute(DecodeName(xent.Name), holder.Data));
        }
        return list.Count == 0 ? null : list;
    }

    private static void EmitFile(UbifsImage image, UbifsTree tree, UbifsInode inode, EntryMeta meta, IUnpackContext context)
    {
        if ((inode.Flags & UbifsInode.FlagCrypt) != 0)
        {
            context.AddError($"ubifs: \"{meta.Path}\" is encrypted (fscrypt); its content is not available", inode.Offset, meta.Path);
            return;
        }

        if (inode.Size > (ulong)context.Limits.MaxFileBytes)
        {
            context.AddError($"ubifs: \"{meta.Path}\" claims {inode.Size} bytes, more than the {context.Limits.MaxFileBytes}-byte file limit; its content is skipped", inode.Offset, meta.Path);
            return;
        }

        var blocks = tree.Data.TryGetValue(inode.Inum, out var map) ? map.Values.OrderBy(b => b.Block).ToArray() : [];
        using var stream = new UbifsFileStream(image, (long)inode.Size, blocks, context, meta.Path);
        context.AddFile(meta, stream, blocks.Sum(b => (long)b.Length));
    }

    /// <summary>
    /// The inode data is the device number in the kernel's "new" (le32) or "huge" (le64) encoding:
    /// minor bits 0-7, major bits 8-19, minor bits 20-31.
    /// </summary>
    private static void EmitDevice(UbifsInode inode, EntryMeta meta, IUnpackContext context)
    {
        if (inode.Data.Length is not (4 or 8))
        {
            context.AddError($"ubifs: device \"{meta.Path}\" has {inode.Data.Length} bytes of device number, expected 4 or 8; major/minor are unknown", inode.Offset, meta.Path);
            context.AddSpecial(meta, NodeKind.Device, (inode.Mode & TypeMask) == TypeBlock);
            return;
        }

        var dev = BinaryPrimitives.ReadUInt32LittleEndian(inode.Data);
        var major = (dev & 0xfff00) >> 8;
        var minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
        context.AddSpecial(meta with { Major = major, Minor = minor }, NodeKind.Device, (inode.Mode & TypeMask) == TypeBlock);
    }

    private static string DecodeName(byte[] name) => Encoding.UTF8.GetString(name);

    private static string CompressorName(ushort c) => c switch
    {
        UbifsDataNode.None => "none",
        UbifsDataNode.Lzo => "lzo",
        UbifsDataNode.Zlib => "zlib",
        UbifsDataNode.Zstd => "zstd",
        _ => $"#{c}",
    };

    /// <summary>Digest length of the kernel's <c>enum hash_algo</c> values an authenticated image may use.</summary>
    private static int HashLength(ushort algorithm) => algorithm switch
    {
        1 => 16, // md5
        2 => 20, // sha1
        4 => 32, // sha256
        5 => 48, // sha384
        6 => 64, // sha512
        7 => 28, // sha224
        _ => 0,
    };
}
