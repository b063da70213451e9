using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using Assay.Formats.SquashFs;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// SquashFS 4.0 (both byte orders; gzip, lzma, lzo, xz with BCJ filters, lz4, zstd), 3.x (both
/// byte orders; zlib and the vendor LZMA of older router SDKs), 2.x and 1.x (both byte orders, zlib). Lists directories, files (data
/// blocks decompressed lazily, holes, fragment tail ends), symlinks, devices, fifos and sockets.
/// The chunk length is <c>bytes_used</c>, so a carver skips exactly the filesystem and reports the
/// padding after it.
/// </summary>
/// <remarks>
/// Magic: <c>68 73 71 73</c> "hsqs" (little-endian) or <c>73 71 73 68</c> "sqsh" (big-endian), or a
/// vendor signature of older router firmware (<see cref="SquashFsSuperBlock.VendorMagics"/>), then
/// the superblock (squashfs_fs.h struct squashfs_super_block; 3.x: squashfs_compat.h
/// struct squashfs_super_block_3; 2.x: its first 63 bytes, with 32-bit table positions; 1.x: its
/// first 51 bytes). The tables are sequences of metadata blocks (a 16-bit header:
/// bit 15 = stored uncompressed, low bits = stored size; at most 8 KiB decompressed); an inode or
/// directory reference is (block position relative to its table, offset in the decompressed block).
/// </remarks>
internal sealed class SquashFsHandler : IFormatHandler<SquashFsSuperBlock>
{
    public string Id => SquashFsImage.FormatId;
    public string Description => "SquashFS 4.0, 3.x, 2.x and 1.x filesystem image (both byte orders; gzip, lzma, lzo, xz, lz4, zstd)";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } =
        [MagicSignature.Ascii("hsqs"), MagicSignature.Ascii("sqsh"), .. SquashFsSuperBlock.VendorMagics.Select(v => MagicSignature.Ascii(v.Magic))];

    public IReadOnlyList<string> References { get; } =
    [
        "squashfs-tools squashfs_fs.h (4.0 on-disk structures) and squashfs_compat.h (3.x structures, bit-field byte orders)",
        "squashfs-tools unsquash-4.c, unsquash-3.c, unsquash-2.c, unsquash-1.c (table, inode and directory reading)",
        "Linux Documentation/filesystems/squashfs.rst",
        "squashfs-tools lzma_wrapper.c (13-byte LZMA alone header per block)",
        "xz-file-format.txt 1.1.0 (stream and block headers, LZMA2 chunks, BCJ and delta filters); LZMA SDK lzma-specification.txt",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "extended attributes are reported for 4.0 images; 3.x images have none",
        "hard links are not told apart: every name of a shared inode is reported as a regular file with its content",
        "SquashFS 1.0, 2.0 and 2.1 are read (zlib, both byte orders; they store no inode numbers, so inodes are counted in reading order)",
        "vendor variants: 3.x blocks are zlib or LZMA with the 13-byte 'alone' header (sqlzma, OpenWrt/DD-WRT 3.x lzma); "
            + "the vendor signatures shsq, hsqt (little-endian), qshs, tqsh, sqlz (big-endian) are read as the standard layout; "
            + "headerless or 5-byte-header LZMA blocks and 4.0 images with vendor LZMA are reported as corrupt blocks",
        "the NFS export table and directory indexes are not used (the tree is walked from the root)",
        "xz blocks: the CRC32 check is verified, CRC64 and SHA-256 checks are not; streams of several blocks or with filters other than BCJ (x86, PowerPC, IA-64, ARM, ARM-Thumb, SPARC, ARM64) and delta are decoded by SharpCompress",
    ];

    public FormatMatch<SquashFsSuperBlock>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> s = stackalloc byte[SquashFsSuperBlock.Size3];
        if (!blob.TryReadExactly(offset, s[..SquashFsSuperBlock.Size4]))
            return null;
        if (SquashFsSuperBlock.OrderOf(s, out var vendor) is not { } order)
            return null;
        SquashFsSuperBlock sb;
        switch (SquashFsSuperBlock.MajorOf(s, order))
        {
            case 4:
                sb = SquashFsSuperBlock.Parse4(s, order);
                if (sb.Minor != 0)
                    return null;
                break;
            case 3:
                if (!blob.TryReadExactly(offset, s))
                    return null;
                sb = SquashFsSuperBlock.Parse3(s, order);
                if (sb.Minor > 1)
                    return null;
                break;
            case 2:
                if (!blob.TryReadExactly(offset, s[..SquashFsSuperBlock.Size2]))
                    return null;
                sb = SquashFsSuperBlock.Parse2(s, order);
                if (sb.Minor > 1)
                    return null;
                break;
            case 1:
                sb = SquashFsSuperBlock.Parse1(s, order);
                if (sb.Minor != 0)
                    return null;
                break;
            default:
                return null;
        }
        if (sb.Validate() is not null)
            return null;
        var available = blob.Length - offset;
        var truncated = sb.BytesUsed > available;
        var description = $"squashfs {sb.Major}.{sb.Minor}, {sb.CompressionName}, {(order.BigEndian ? "big" : "little")}-endian, {sb.Inodes} inodes, block size {sb.BlockSize}"
            + (vendor is null ? "" : $", vendor signature '{vendor}'")
            + (truncated ? $", truncated: bytes_used {sb.BytesUsed} but {available} bytes present" : "");
        return new FormatMatch<SquashFsSuperBlock>(offset, truncated ? null : sb.BytesUsed, description, sb);
    }

    public void Unpack(IBlob chunk, FormatMatch<SquashFsSuperBlock> match, IUnpackContext context)
    {
        var sb = match.State;
        var ct = context.CancellationToken;
        var image = new SquashFsImage(chunk, match.Offset, sb, ct);
        if (chunk.Length < sb.BytesUsed)
            context.AddError($"squashfs at 0x{match.Offset:x}: bytes_used is {sb.BytesUsed} but only {chunk.Length} bytes are present; the image is truncated and what lies past its end is missing", match.Offset + chunk.Length);
        image.LoadIds();
        SquashFsXattrs? xattrs = null;
        try
        {
            xattrs = SquashFsXattrs.Open(image);
        }
        catch (FormatException e)
        {
            context.AddError(e.Message + "; extended attributes are not reported", e.Offset);
        }
        var rootBlock = SquashFsLayout.InodeBlock(sb.RootInode);
        var rootOffset = SquashFsLayout.InodeOffset(sb.RootInode);
        var root = image.ReadInode(rootBlock, rootOffset);
        if (root.Kind != SquashFsInodeKind.Directory)
            throw image.Error(sb.InodeTableStart, $"the root inode {rootBlock}:{rootOffset} is a {root.Kind}, not a directory; the superblock's root_inode is corrupt");

        var visited = new HashSet<(long, int)> { (rootBlock, rootOffset) };
        var pending = new Stack<(SquashFsInode Dir, string Path)>();
        pending.Push((root, ""));
        var children = new List<(SquashFsInode, string)>();
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var (dir, dirPath) = pending.Pop();
            List<SquashFsDirEntry> entries;
            try
            {
                entries = image.ReadDirectory(dir, context.Limits.MaxFiles);
            }
            catch (FormatException e)
            {
                context.AddError(e.Message, e.Offset, dirPath.Length == 0 ? null : dirPath);
                continue;
            }
            children.Clear();
            foreach (var entry in entries)
            {
                ct.ThrowIfCancellationRequested();
                var path = dirPath.Length == 0 ? entry.Name : dirPath + "/" + entry.Name;
                if (entry.Name.Length == 0 || entry.Name is "." or ".." || entry.Name.Contains('/') || entry.Name.Contains('\0'))
                {
                    context.AddError($"squashfs: directory '{dirPath}' has an entry named '{entry.Name}'; a name must not be empty, '.', '..' or contain '/' or NUL; the entry is skipped", null, dirPath);
                    continue;
                }
                SquashFsInode inode;
                try
                {
                    inode = image.ReadInode(entry.InodeBlock, entry.InodeOffset);
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, path);
                    continue;
                }
                var meta = new EntryMeta(path) { Mode = inode.Mode, Uid = inode.Uid, Gid = inode.Gid, Mtime = inode.Mtime, Xattrs = Xattrs(xattrs, inode, path, context) };
                switch (inode.Kind)
                {
                    case SquashFsInodeKind.Directory:
                        if (!visited.Add((entry.InodeBlock, entry.InodeOffset)))
                        {
                            context.AddError($"squashfs: directory '{path}' refers to inode {entry.InodeBlock}:{entry.InodeOffset}, a directory already listed; the directory loop is not followed", null, path);
                            continue;
                        }
                        context.AddDirectory(meta);
                        children.Add((inode, path));
                        break;
                    case SquashFsInodeKind.File:
                        EmitFile(image, inode, meta, context);
                        break;
                    case SquashFsInodeKind.Symlink:
                        context.AddSymlink(meta, inode.Target!);
                        break;
                    case SquashFsInodeKind.BlockDevice or SquashFsInodeKind.CharDevice:
                        context.AddSpecial(meta with { Major = inode.Major, Minor = inode.Minor }, NodeKind.Device, inode.Kind == SquashFsInodeKind.BlockDevice);
                        break;
                    case SquashFsInodeKind.Fifo:
                        context.AddSpecial(meta, NodeKind.Fifo);
                        break;
                    case SquashFsInodeKind.Socket:
                        context.AddSpecial(meta, NodeKind.Socket);
                        break;
                }
            }
            for (var i = children.Count - 1; i >= 0; i--)
                pending.Push(children[i]);
        }
    }

    private static IReadOnlyList<ExtendedAttribute>? Xattrs(SquashFsXattrs? table, SquashFsInode inode, string path, IUnpackContext context)
    {
        if (table is null || inode.Xattr == SquashFs.SquashFsLayout.NoXattr)
            return null;
        try
        {
            return table.Read(inode.Xattr);
        }
        catch (FormatException e)
        {
            context.AddError(e.Message, e.Offset, path);
            return null;
        }
    }

    private static void EmitFile(SquashFsImage image, SquashFsInode inode, EntryMeta meta, IUnpackContext context)
    {
        try
        {
            using var content = SquashFsFileStream.Open(image, inode, context.Limits.MaxFileBytes);
            context.AddFile(meta, content, content.PackedSize, context.KeepsResults && inode.FileSize >= PackedIdentity.MinimumSize ? content.Identity() : null);
        }
        catch (FormatException e)
        {
            context.AddError(e.Message, e.Offset, meta.Path);
        }
    }
}
