using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Xfs;

/// <summary>
/// XFS (v4 and v5 superblocks), the default filesystem of RHEL-family VM images: the directory
/// tree from the root inode through shortform, block, leaf and node directories; regular files as
/// their extents (inline, extent list or B+tree data forks) read as slices of the volume, holes and
/// unwritten extents as zeros; symlinks inline or remote; devices, fifos and sockets.
/// </summary>
/// <remarks>
/// "XFS Algorithms &amp; Data Structures" 3rd edition: §12.1 superblock, §14 inode (data fork
/// formats), §15 data extents and B+tree (BMA3/BMAP blocks), §16 directories (shortform, XDB3/XD2B
/// block, XDD3/XD2D data blocks below the 32 GiB leaf offset), §18 symbolic links (XSLM).
/// <code>
/// 00000000  58 46 53 42 00 00 10 00  00 00 00 00 00 00 10 00  |XFSB............|
/// </code>
/// </remarks>
internal sealed class XfsHandler : IFormatHandler<XfsSuperblock>
{
    private const long LeafOffset = 32L << 30;
    private const int MaxDepth = 256;
    private const int MaxBtreeLevels = 10;
    private const long MaxExtents = 1 << 22;
    private const int BtreeHeaderV5 = 72, BtreeHeaderV4 = 24;
    private const int DirDataHeaderV5 = 64, DirDataHeaderV4 = 16;
    private const int SymlinkHeaderV5 = 56;

    public string Id => "xfs";
    public string Description => "XFS filesystem (v4, v5)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("XFSB")];
    public IReadOnlyList<string> References { get; } = ["XFS Algorithms & Data Structures, 3rd edition (kernel.org xfs-documentation): superblock, inodes, extents and B+trees, directories, symbolic links"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "the log is not replayed: a filesystem not unmounted cleanly is read as its blocks are",
        "the realtime section and extended attributes are not read; metadata CRCs are not verified",
    ];

    public FormatMatch<XfsSuperblock>? TryMatch(IBlob blob, long offset)
    {
        var b = new byte[XfsSuperblock.Size];
        if (!blob.TryReadExactly(offset, b))
            return null;
        var sb = XfsSuperblock.Parse(b);
        if (sb is null)
            return null;
        long length;
        try
        {
            length = checked(sb.DataBlocks * sb.BlockSize);
        }
        catch (OverflowException)
        {
            return null;
        }
        return new FormatMatch<XfsSuperblock>(offset, Math.Min(length, blob.Length - offset), $"XFS v{sb.Version} filesystem, {sb.BlockSize}-byte blocks, {sb.AgCount} allocation groups", sb);
    }

    public void Unpack(IBlob chunk, FormatMatch<XfsSuperblock> match, IUnpackContext context)
    {
        var sb = match.State;
        if (sb.NeedsRepair)
            context.AddError("the superblock says the filesystem needs xfs_repair; it is read as it is", XfsSuperblock.IncompatOffset);
        new Walker(this, chunk, sb, context).Run();
    }

    private sealed class Walker(XfsHandler handler, IBlob volume, XfsSuperblock sb, IUnpackContext context)
    {
        private readonly HashSet<ulong> _directories = [];
        private readonly byte[] _inode = new byte[sb.InodeSize];

        public void Run()
        {
            var root = ReadInode(sb.RootInode) ?? throw new FormatException(handler.Id, XfsSuperblock.RootInodeOffset, $"root inode {sb.RootInode} is unreadable; the image is truncated or not XFS");
            if ((root.Inode.Mode & 0xf000) != 0x4000)
                throw new FormatException(handler.Id, XfsSuperblock.RootInodeOffset, $"root inode {sb.RootInode} is not a directory (mode 0{Convert.ToString(root.Inode.Mode, 8)})");
            _directories.Add(sb.RootInode);
            Directory(root, "", 0);
        }

        private (XfsInode Inode, byte[] Fork, long Offset)? ReadInode(ulong number)
        {
            long at;
            try
            {
                at = sb.InodeOffset(number);
            }
            catch (OverflowException)
            {
                return null;
            }
            if (at < 0 || at + sb.InodeSize > volume.Length || !volume.TryReadExactly(at, _inode))
                return null;
            var inode = XfsInode.Parse(_inode, sb);
            if (inode is not { } i)
                return null;
            return (i, _inode.AsSpan(i.ForkOffset, i.ForkLength).ToArray(), at);
        }

        private void Directory((XfsInode Inode, byte[] Fork, long Offset) dir, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                context.AddError($"directories nest deeper than {MaxDepth} at '{path}'; not followed", dir.Offset, path.Length == 0 ? null : path);
                return;
            }
            var entries = new List<(string Name, ulong Inode)>();
            switch (dir.Inode.Format)
            {
                case XfsInode.FormatLocal:
                    ShortForm(dir.Fork, dir.Inode.Size, entries, dir.Offset);
                    break;
                case XfsInode.FormatExtents or XfsInode.FormatBtree:
                    var dirBlock = sb.BlockSize << sb.DirBlockLog;
                    foreach (var extent in Extents(dir.Inode, dir.Fork, dir.Offset, path))
                    {
                        for (long b = 0; b < extent.Count; b += 1L << sb.DirBlockLog)
                        {
                            var logical = (extent.FileBlock + b) * sb.BlockSize;
                            if (logical >= LeafOffset)
                                break;
                            var at = sb.BlockOffset(extent.StartBlock + (ulong)b);
                            if (at + dirBlock > volume.Length)
                            {
                                context.AddError($"directory block of '{Show(path)}' at 0x{at:x} lies past the end of the volume", at, Entry(path));
                                continue;
                            }
                            DataBlock(volume.ReadBytes(at, dirBlock), entries, at);
                        }
                    }
                    break;
                default:
                    context.AddError($"directory '{Show(path)}' has data fork format {dir.Inode.Format}; not read", dir.Offset, Entry(path));
                    return;
            }
            foreach (var (name, number) in entries)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (name is "." or ".." || name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                    continue;
                var child = path.Length == 0 ? name : path + "/" + name;
                var read = ReadInode(number);
                if (read is not { } node)
                {
                    context.AddError($"entry '{Show(child)}' names inode {number}, which is unreadable or not an inode", dir.Offset, child);
                    continue;
                }
                Emit(node, child, number, depth);
            }
        }

        private void Emit((XfsInode Inode, byte[] Fork, long Offset) node, string path, ulong number, int depth)
        {
            var i = node.Inode;
            var meta = new EntryMeta(path) { Mode = i.Mode & 0xfff, Uid = i.Uid, Gid = i.Gid, Mtime = i.Mtime };
            switch (i.Mode & 0xf000)
            {
                case 0x4000:
                    context.AddDirectory(meta);
                    if (!_directories.Add(number))
                    {
                        context.AddError($"directory '{Show(path)}' is inode {number}, already listed (a directory loop); not followed", node.Offset, path);
                        return;
                    }
                    Directory(node, path, depth + 1);
                    break;
                case 0x8000:
                    context.AddFile(meta, FileContent(node, path));
                    break;
                case 0xa000:
                    context.AddSymlink(meta, SymlinkTarget(node, path));
                    break;
                case 0x2000 or 0x6000:
                    var dev = node.Fork.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(node.Fork) : 0;
                    context.AddSpecial(meta with { Major = dev >> 18, Minor = dev & 0x3ffff }, NodeKind.Device, (i.Mode & 0xf000) == 0x6000);
                    break;
                case 0x1000:
                    context.AddSpecial(meta, NodeKind.Fifo);
                    break;
                case 0xc000:
                    context.AddSpecial(meta, NodeKind.Socket);
                    break;
                default:
                    context.AddError($"inode {number} of '{Show(path)}' has file type 0{Convert.ToString(i.Mode >> 12, 8)}, which XFS does not define; skipped", node.Offset, path);
                    break;
            }
        }

        /// <summary>The file's bytes: its extents as slices, holes and unwritten extents as zeros, cut to the inode size.</summary>
        private IBlob FileContent((XfsInode Inode, byte[] Fork, long Offset) node, string path)
        {
            var size = node.Inode.Size;
            if (size <= 0)
                return new MemoryBlob(ReadOnlyMemory<byte>.Empty);
            if (node.Inode.Format == XfsInode.FormatLocal)
                return new MemoryBlob(node.Fork.AsMemory(0, (int)Math.Min(size, node.Fork.Length)));
            var parts = new List<IBlob>();
            long cursor = 0;
            foreach (var e in Extents(node.Inode, node.Fork, node.Offset, path).OrderBy(e => e.FileBlock))
            {
                var start = e.FileBlock * sb.BlockSize;
                if (start >= size)
                    break;
                if (start < cursor)
                    continue; // overlapping extents: the first one wins
                if (start > cursor)
                    parts.Add(new ZeroBlob(start - cursor));
                var length = Math.Min(e.Count * sb.BlockSize, size - start);
                var at = sb.BlockOffset(e.StartBlock);
                if (e.Unwritten)
                    parts.Add(new ZeroBlob(length));
                else if (at + length > volume.Length)
                {
                    context.AddError($"an extent of '{Show(path)}' lies past the end of the volume (0x{at:x}); it reads as zeros", at, path);
                    parts.Add(new ZeroBlob(length));
                }
                else
                    parts.Add(volume.Slice(at, length));
                cursor = start + length;
            }
            if (cursor < size)
                parts.Add(new ZeroBlob(size - cursor));
            return new Iso9660.IsoExtentsBlob(parts);
        }

        private string SymlinkTarget((XfsInode Inode, byte[] Fork, long Offset) node, string path)
        {
            var size = (int)Math.Clamp(node.Inode.Size, 0, 4096);
            if (node.Inode.Format == XfsInode.FormatLocal)
                return Encoding.UTF8.GetString(node.Fork, 0, Math.Min(size, node.Fork.Length));
            var sb2 = new StringBuilder();
            var remaining = size;
            foreach (var e in Extents(node.Inode, node.Fork, node.Offset, path).OrderBy(e => e.FileBlock))
            {
                for (long b = 0; b < e.Count && remaining > 0; b++)
                {
                    var block = volume.ReadBytes(sb.BlockOffset(e.StartBlock + (ulong)b), sb.BlockSize);
                    var header = sb.Version == 5 && block.Length >= SymlinkHeaderV5 && block.AsSpan(0, 4).SequenceEqual("XSLM"u8) ? SymlinkHeaderV5 : 0;
                    var n = Math.Min(remaining, block.Length - header);
                    if (n <= 0)
                        break;
                    sb2.Append(Encoding.UTF8.GetString(block, header, n));
                    remaining -= n;
                }
            }
            return sb2.ToString();
        }

        /// <summary>The data fork's extents: the inline list, or the leaves of the B+tree rooted in the inode.</summary>
        private List<XfsExtent> Extents(XfsInode inode, byte[] fork, long inodeOffset, string path)
        {
            var result = new List<XfsExtent>();
            if (inode.Format == XfsInode.FormatExtents)
            {
                var count = Math.Min(inode.Extents, fork.Length / XfsExtent.Size);
                if (count < inode.Extents)
                    context.AddError($"'{Show(path)}' claims {inode.Extents} extents but its inode holds room for {fork.Length / XfsExtent.Size}", inodeOffset, Entry(path));
                for (var i = 0; i < count; i++)
                    result.Add(XfsExtent.Parse(fork.AsSpan(i * XfsExtent.Size)));
                return result;
            }
            if (inode.Format != XfsInode.FormatBtree || fork.Length < 4)
                return result;
            // xfs_bmdr_block in the inode: level u16, numrecs u16, keys[maxrecs] u64, ptrs[maxrecs] u64
            var level = BinaryPrimitives.ReadUInt16BigEndian(fork);
            var numrecs = BinaryPrimitives.ReadUInt16BigEndian(fork.AsSpan(2));
            var maxrecs = (fork.Length - 4) / 16;
            if (level is 0 or > MaxBtreeLevels || numrecs > maxrecs)
            {
                context.AddError($"'{Show(path)}' has a data-fork B+tree root of level {level} with {numrecs} records; not read", inodeOffset, Entry(path));
                return result;
            }
            var visited = new HashSet<ulong>();
            for (var i = 0; i < numrecs; i++)
                BtreeBlock(BinaryPrimitives.ReadUInt64BigEndian(fork.AsSpan(4 + (maxrecs * 8) + (i * 8))), level - 1, result, visited, path);
            return result;
        }

        private void BtreeBlock(ulong fsblock, int level, List<XfsExtent> result, HashSet<ulong> visited, string path)
        {
            if (!visited.Add(fsblock) || result.Count > MaxExtents)
                return;
            var at = sb.BlockOffset(fsblock);
            var block = volume.ReadBytes(at, sb.BlockSize);
            var v5 = block.Length >= 4 && block.AsSpan(0, 4).SequenceEqual("BMA3"u8);
            if (block.Length < sb.BlockSize || (!v5 && !block.AsSpan(0, 4).SequenceEqual("BMAP"u8)))
            {
                context.AddError($"B+tree block of '{Show(path)}' at 0x{at:x} is not a BMA3/BMAP block; its extents are missing", at, Entry(path));
                return;
            }
            var header = v5 ? BtreeHeaderV5 : BtreeHeaderV4;
            var blockLevel = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(4));
            var numrecs = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(6));
            var maxrecs = (sb.BlockSize - header) / 16;
            if (blockLevel != level || numrecs > maxrecs)
            {
                context.AddError($"B+tree block of '{Show(path)}' at 0x{at:x} has level {blockLevel} (expected {level}) or {numrecs} records; skipped", at, Entry(path));
                return;
            }
            if (level == 0)
            {
                for (var i = 0; i < numrecs; i++)
                    result.Add(XfsExtent.Parse(block.AsSpan(header + (i * XfsExtent.Size))));
                return;
            }
            for (var i = 0; i < numrecs; i++)
                BtreeBlock(BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(header + (maxrecs * 8) + (i * 8))), level - 1, result, visited, path);
        }

        /// <summary>Shortform directory (§16.1): count, i8count, parent, then namelen, offset[2], name, [ftype], inumber (4 or 8 bytes).</summary>
        private void ShortForm(byte[] fork, long size, List<(string, ulong)> entries, long inodeOffset)
        {
            if (fork.Length < 6)
                return;
            int count = fork[0], i8 = fork[1];
            var inumberSize = i8 > 0 ? 8 : 4;
            var at = 2 + inumberSize;
            var end = (int)Math.Min(size, fork.Length);
            for (var n = 0; n < (i8 > 0 ? i8 : count) && at < end; n++)
            {
                int nameLength = fork[at];
                var record = 1 + 2 + nameLength + (sb.FileTypes ? 1 : 0) + inumberSize;
                if (nameLength == 0 || at + record > end)
                {
                    context.AddError("a shortform directory entry runs past its inode; the rest of the directory is not listed", inodeOffset);
                    return;
                }
                var name = Encoding.UTF8.GetString(fork, at + 3, nameLength);
                var inumberAt = at + 3 + nameLength + (sb.FileTypes ? 1 : 0);
                var inumber = inumberSize == 8 ? BinaryPrimitives.ReadUInt64BigEndian(fork.AsSpan(inumberAt)) : BinaryPrimitives.ReadUInt32BigEndian(fork.AsSpan(inumberAt));
                entries.Add((name, inumber));
                at += record;
            }
        }

        /// <summary>A directory data block (XDB3/XD2B single-block form, XDD3/XD2D data block): entries and unused regions up to the leaf or the end.</summary>
        private void DataBlock(byte[] block, List<(string, ulong)> entries, long at)
        {
            var magic = block.AsSpan(0, 4);
            bool isBlock = magic.SequenceEqual("XDB3"u8) || magic.SequenceEqual("XD2B"u8);
            if (!isBlock && !magic.SequenceEqual("XDD3"u8) && !magic.SequenceEqual("XD2D"u8))
            {
                context.AddError($"directory block at 0x{at:x} has magic '{Encoding.ASCII.GetString(block, 0, 4).Replace('\0', '.')}', not a directory data block; skipped", at);
                return;
            }
            var header = magic[2] == '3' || magic.SequenceEqual("XDD3"u8) ? DirDataHeaderV5 : DirDataHeaderV4;
            var end = block.Length;
            if (isBlock)
            {
                // block tail: leaf count u32, stale u32 at the end; the leaf entries (8 bytes) before it
                var leafCount = BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(block.Length - 8));
                var leafBytes = (long)leafCount * 8;
                if (leafBytes > block.Length - header - 8)
                {
                    context.AddError($"directory block at 0x{at:x} claims {leafCount} leaf entries, more than fit; skipped", at);
                    return;
                }
                end = block.Length - 8 - (int)leafBytes;
            }
            var p = header;
            while (p + 8 <= end)
            {
                if (BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(p)) == 0xffff)
                {
                    var free = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(p + 2));
                    if (free < 8 || free % 8 != 0)
                    {
                        context.AddError($"directory block at 0x{at:x} has a free region of {free} bytes at 0x{p:x}; the rest of the block is not listed", at);
                        return;
                    }
                    p += free;
                    continue;
                }
                var inumber = BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(p));
                int nameLength = block[p + 8];
                var size = (8 + 1 + nameLength + (sb.FileTypes ? 1 : 0) + 2 + 7) / 8 * 8;
                if (nameLength == 0 || p + size > end)
                {
                    context.AddError($"directory entry at 0x{at + p:x} runs past its block; the rest of the block is not listed", at + p);
                    return;
                }
                entries.Add((Encoding.UTF8.GetString(block, p + 9, nameLength), inumber));
                p += size;
            }
        }

        private static string Show(string path) => path.Length == 0 ? "/" : path;

        private static string? Entry(string path) => path.Length == 0 ? null : path;
    }

    /// <summary>Zeros of a given length (holes, unwritten extents).</summary>
    private sealed class ZeroBlob(long length) : IBlob
    {
        public long Length { get; } = length;

        public int Read(long position, Span<byte> buffer)
        {
            if (position < 0 || position >= Length)
                return 0;
            var n = (int)Math.Min(buffer.Length, Length - position);
            buffer[..n].Clear();
            return n;
        }

        public void Dispose()
        {
        }
    }
}
