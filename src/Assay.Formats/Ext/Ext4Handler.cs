using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Ext;

/// <summary>
/// ext2, ext3 and ext4 filesystems (one handler; the match says which): superblock and group
/// descriptors (32- and 64-bit, meta_bg), extent trees and indirect blocks, inline data, fast and
/// slow symlinks, htree directories read as their linear leaf blocks, sparse files, devices.
/// Each directory entry of a hard-linked inode becomes a regular file with the inode's content.
/// </summary>
/// <remarks>
/// The magic 0xEF53 (<c>53 ef</c>) is s_magic at byte 0x38 of the superblock, which starts at byte
/// 1024 of the filesystem: the signature sits at byte 1080 (0x438) of the chunk.
/// </remarks>
internal sealed class Ext4Handler : IFormatHandler<ExtSuperblock>
{
    /// <summary>The root directory's inode (EXT2_ROOT_INO).</summary>
    private const uint RootInode = 2;

    /// <summary>Directories nested deeper than this are reported, not entered.</summary>
    private const int MaxDirectoryDepth = 1024;

    /// <summary>PATH_MAX: longer symlink targets are reported as damage.</summary>
    private const int MaxSymlinkLength = 4096;

    /// <summary>Bytes of i_block that hold a fast symlink's target (shorter than 60 bytes).</summary>
    private const int FastSymlinkLimit = ExtInode.BlockFieldLength;

    /// <summary>i_block layout of a device inode: old 16-bit dev_t in word 0, new 32-bit encoding in word 1.</summary>
    private const int NewDeviceField = 4;

    public string Id => ExtVolume.Id;
    public string Description => "ext2/ext3/ext4 filesystem image";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("53ef", ExtSuperblock.MagicOffsetInFilesystem)];

    public IReadOnlyList<string> References { get; } =
    [
        "Linux fs/ext4/ext4.h, ext4_extents.h (struct ext4_super_block, ext4_group_desc, ext4_inode, ext4_extent_header, ext4_dir_entry_2)",
        "ext4 Data Structures and Algorithms (kernel.org Documentation/filesystems/ext4)",
        "e2fsprogs lib/ext2fs/ext2_fs.h",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the journal is not replayed: an image unmounted uncleanly (needs_recovery) shows its last checkpointed state",
        "checksums (metadata_csum, gdt_csum) are not verified",
        "extended attributes are reported from the inode body and the attribute block (file capabilities and SELinux labels decoded); values kept in EA inodes (ea_inode) are reported by name with an empty value; POSIX ACLs are shown raw",
        "encrypted (fscrypt) names and contents are reported as stored; compressed (ext2 compression patch) and dirdata images are refused",
        "inode numbers of hard links are not reported: each name of a linked inode is a separate regular file",
    ];

    public FormatMatch<ExtSuperblock>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> raw = stackalloc byte[ExtSuperblock.Size];
        if (offset < 0 || !blob.TryReadExactly(offset + ExtSuperblock.Offset, raw))
            return null;
        var sb = ExtSuperblock.Parse(raw);
        if (sb.Invalid() is not null)
            return null;
        var declared = (long)sb.DeclaredLength;
        var available = blob.Length - offset;
        var length = Math.Min(declared, available);
        var description = Describe(sb);
        if (declared > available)
            description += $", truncated: declares 0x{declared:x} bytes, 0x{available:x} present";
        return new FormatMatch<ExtSuperblock>(offset, length, description, sb);
    }

    private static string Describe(ExtSuperblock sb)
    {
        var ext4Features = ExtSuperblock.IncompatExtents | ExtSuperblock.Incompat64Bit | ExtSuperblock.IncompatFlexBg
            | ExtSuperblock.IncompatInlineData | ExtSuperblock.IncompatEaInode | ExtSuperblock.IncompatLargeDir
            | ExtSuperblock.IncompatEncrypt | ExtSuperblock.IncompatCasefold;
        var ext4RoFeatures = ExtSuperblock.RoCompatHugeFile | ExtSuperblock.RoCompatGdtCsum | ExtSuperblock.RoCompatExtraIsize
            | ExtSuperblock.RoCompatMetadataCsum | ExtSuperblock.RoCompatBigalloc;
        var kind = (sb.FeatureIncompat & ext4Features) != 0 || (sb.FeatureRoCompat & ext4RoFeatures) != 0 ? "ext4"
            : sb.HasCompat(ExtSuperblock.CompatHasJournal) ? "ext3" : "ext2";
        var features = new List<string>();
        void Add(bool on, string name)
        {
            if (on)
                features.Add(name);
        }
        Add(sb.HasCompat(ExtSuperblock.CompatHasJournal), "journal");
        Add(sb.HasIncompat(ExtSuperblock.IncompatExtents), "extents");
        Add(sb.Is64Bit, "64bit");
        Add(sb.HasIncompat(ExtSuperblock.IncompatFlexBg), "flex_bg");
        Add(sb.HasIncompat(ExtSuperblock.IncompatMetaBg), "meta_bg");
        Add(sb.HasIncompat(ExtSuperblock.IncompatInlineData), "inline_data");
        Add(sb.HasCompat(ExtSuperblock.CompatDirIndex), "dir_index");
        Add(sb.HasRoCompat(ExtSuperblock.RoCompatMetadataCsum), "metadata_csum");
        Add(sb.HasRoCompat(ExtSuperblock.RoCompatBigalloc), "bigalloc");
        Add(sb.HasIncompat(ExtSuperblock.IncompatRecover), "needs_recovery");
        var text = $"{kind} filesystem, {sb.BlockSize}-byte blocks, {sb.BlocksCount} blocks, {sb.InodesCount} inodes";
        if (features.Count > 0)
            text += ", " + string.Join(' ', features);
        if (sb.VolumeName.Length > 0)
            text += $", label \"{sb.VolumeName}\"";
        return text;
    }

    public void Unpack(IBlob chunk, FormatMatch<ExtSuperblock> match, IUnpackContext context)
    {
        var sb = match.State;
        if (sb.Invalid() is { } why)
            throw new FormatException(Id, ExtSuperblock.Offset, $"{why}; the superblock is damaged or this is not ext2/3/4");
        var unsupported = sb.FeatureIncompat & ExtSuperblock.UnsupportedIncompat;
        if (unsupported != 0)
            throw new FormatException(Id, ExtSuperblock.Offset, $"s_feature_incompat has 0x{unsupported:x} (compression, external journal device or dirdata), which this reader does not support; nothing can be listed");
        var volume = ExtVolume.Open(chunk, sb, context.CancellationToken);
        new Walker(volume, context).Run();
    }

    /// <summary>Depth-first walk of the directory tree from the root inode.</summary>
    private sealed class Walker(ExtVolume volume, IUnpackContext context)
    {
        private readonly HashSet<uint> _directories = [RootInode];
        private readonly CancellationToken _ct = context.CancellationToken;
        private ulong _directoryBlocksRead;
        private long _contentBytes;

        public void Run()
        {
            var (root, rootOffset) = volume.ReadInode(RootInode);
            if (root.Type != ExtInode.TypeDir)
                throw new FormatException(ExtVolume.Id, rootOffset, $"the root inode 2 has mode 0x{root.Mode:x4}, expected a directory; the inode table is damaged");
            var pending = new Stack<(ExtInode Inode, long Offset, string Path, int Depth)>();
            pending.Push((root, rootOffset, "", 0));
            while (pending.Count > 0)
            {
                _ct.ThrowIfCancellationRequested();
                var (dir, dirOffset, dirPath, depth) = pending.Pop();
                var subdirs = new List<(ExtInode, long, string, int)>();
                foreach (var entry in ReadDirectory(dir, dirOffset, dirPath))
                {
                    _ct.ThrowIfCancellationRequested();
                    var path = dirPath.Length == 0 ? entry.Name : dirPath + "/" + entry.Name;
                    try
                    {
                        if (Emit(entry, path, depth) is { } sub)
                            subdirs.Add(sub);
                    }
                    catch (FormatException e)
                    {
                        context.AddError(e.Message, e.Offset, path);
                    }
                    catch (EndOfStreamException e)
                    {
                        context.AddError($"{ExtVolume.Id}: {e.Message}; the image is truncated", entry.Offset, path);
                    }
                }
                for (var i = subdirs.Count - 1; i >= 0; i--)
                    pending.Push(subdirs[i]);
            }
        }

        /// <summary>Emits one entry; returns the directory to walk next when it is one.</summary>
        private (ExtInode, long, string, int)? Emit(ExtDirEntry entry, string path, int depth)
        {
            if (entry.Name.Contains('/', StringComparison.Ordinal) || entry.Name.Contains('\0', StringComparison.Ordinal))
                throw new FormatException(ExtVolume.Id, entry.Offset, $"directory entry name \"{entry.Name.Replace("\0", "\\0", StringComparison.Ordinal)}\" contains '/' or NUL; the directory is damaged");
            var (inode, offset) = volume.ReadInode(entry.Inode);
            if (inode.Mode == 0 || inode.LinksCount == 0)
                throw new FormatException(ExtVolume.Id, offset, $"directory entry points at inode {entry.Inode}, which is not in use (mode 0x{inode.Mode:x4}, {inode.LinksCount} links); the directory is damaged");
            IReadOnlyList<ExtendedAttribute>? xattrs = null;
            try
            {
                xattrs = ExtXattrs.Read(volume, inode, offset);
            }
            catch (FormatException e)
            {
                context.AddError(e.Message + "; the entry is listed without its extended attributes", e.Offset, path);
            }
            var meta = new EntryMeta(path)
            {
                Mode = inode.Permissions,
                Uid = inode.Uid,
                Gid = inode.Gid,
                Mtime = inode.Mtime,
                Xattrs = xattrs,
            };
            switch (inode.Type)
            {
                case ExtInode.TypeDir:
                    if (!_directories.Add(entry.Inode))
                        throw new FormatException(ExtVolume.Id, entry.Offset, $"directory inode {entry.Inode} is reached a second time; the directory tree has a loop or a hard-linked directory, not entered again");
                    context.AddDirectory(meta);
                    if (depth + 1 >= MaxDirectoryDepth)
                        throw new FormatException(ExtVolume.Id, entry.Offset, $"directories are nested more than {MaxDirectoryDepth} deep; the rest of this branch is not listed");
                    return (inode, offset, path, depth + 1);
                case ExtInode.TypeRegular:
                    if (inode.Size > (ulong)context.Limits.MaxFileBytes)
                        throw new FormatException(ExtVolume.Id, offset, $"i_size {inode.Size} exceeds the file size limit of {context.Limits.MaxFileBytes} bytes; content not read");
                    // holes and blocks shared between inodes make content cost nothing to claim
                    _contentBytes += (long)inode.Size;
                    if (_contentBytes > context.Limits.MaxTotalBytes)
                        throw new FormatException(ExtVolume.Id, offset, $"the files listed so far claim {_contentBytes} bytes, more than the total limit of {context.Limits.MaxTotalBytes}; content not read");
                    context.AddFile(meta, volume.OpenContent(inode, offset, _ct));
                    return null;
                case ExtInode.TypeSymlink:
                    context.AddSymlink(meta, ReadSymlink(inode, offset));
                    return null;
                case ExtInode.TypeChar:
                case ExtInode.TypeBlock:
                    var (major, minor) = DeviceNumber(inode.BlockField);
                    context.AddSpecial(meta with { Major = major, Minor = minor }, NodeKind.Device, inode.Type == ExtInode.TypeBlock);
                    return null;
                case ExtInode.TypeFifo:
                    context.AddSpecial(meta, NodeKind.Fifo);
                    return null;
                case ExtInode.TypeSocket:
                    context.AddSpecial(meta, NodeKind.Socket);
                    return null;
                default:
                    throw new FormatException(ExtVolume.Id, offset, $"inode {entry.Inode} has file type 0x{inode.Type:x4} in i_mode 0x{inode.Mode:x4}, which is none of the seven Unix types; the inode is damaged");
            }
        }

        private string ReadSymlink(ExtInode inode, long offset)
        {
            if (inode.Size > MaxSymlinkLength)
                throw new FormatException(ExtVolume.Id, offset, $"symlink target length {inode.Size} exceeds PATH_MAX ({MaxSymlinkLength}); the inode is damaged");
            byte[] target;
            if (inode.HasInlineData)
            {
                target = volume.ReadInlineData(inode, offset);
            }
            else if (inode.Size < FastSymlinkLimit)
            {
                // fast symlink: the target is stored in i_block itself (e2fsprogs ext2fs_is_fast_symlink)
                target = inode.BlockField.AsSpan(0, (int)inode.Size).ToArray();
            }
            else
            {
                using var content = volume.OpenContent(inode, offset, _ct);
                target = new byte[content.Length];
                content.ReadExactly(0, target);
            }
            return Encoding.UTF8.GetString(target);
        }

        /// <summary>The old 16-bit dev_t (8:8) in i_block[0], else the new one in i_block[1] (minor 20 bits split around a 12-bit major).</summary>
        private static (long Major, long Minor) DeviceNumber(byte[] blockField)
        {
            var old = BinaryPrimitives.ReadUInt32LittleEndian(blockField);
            if (old != 0)
                return ((old >> 8) & 0xff, old & 0xff);
            var dev = BinaryPrimitives.ReadUInt32LittleEndian(blockField.AsSpan(NewDeviceField));
            return ((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
        }

        /// <summary>The names in a directory, in on-disk order; a damaged block is reported and skipped.</summary>
        private List<ExtDirEntry> ReadDirectory(ExtInode dir, long dirOffset, string dirPath)
        {
            var entries = new List<ExtDirEntry>();
            var errorPath = dirPath.Length == 0 ? "/" : dirPath;
            try
            {
                if (dir.HasInlineData)
                {
                    // i_block: __le32 parent inode, then records; more records in system.data
                    const int parentField = 4;
                    var head = dir.BlockField.AsSpan(parentField);
                    Report(ExtDirectory.Parse(head, volume.HasFileType, volume.BlockSize, dirOffset + ExtInode.BlockFieldOffset + parentField, entries), dirOffset, errorPath);
                    if (volume.ReadInlineXattr(dir, dirOffset) is { Length: > 0 } tail)
                        Report(ExtDirectory.Parse(tail, volume.HasFileType, volume.BlockSize, dirOffset, entries), dirOffset, errorPath);
                    return entries;
                }
                var runs = volume.MapBlocks(dir, dirOffset, _ct);
                var block = new byte[volume.BlockSize];
                foreach (var run in runs)
                {
                    for (ulong i = 0; i < run.Count; i++)
                    {
                        _ct.ThrowIfCancellationRequested();
                        if (++_directoryBlocksRead > volume.Superblock.BlocksCount)
                            throw new FormatException(ExtVolume.Id, dirOffset, $"directories have been read for more blocks than the filesystem's {volume.Superblock.BlocksCount}; directory block maps overlap");
                        var physical = run.Physical + i;
                        volume.ReadBlock(physical, block);
                        Report(ExtDirectory.Parse(block, volume.HasFileType, volume.BlockSize, volume.BlockOffset(physical), entries), volume.BlockOffset(physical), errorPath);
                    }
                }
            }
            catch (FormatException e)
            {
                context.AddError(e.Message, e.Offset, errorPath);
            }
            catch (EndOfStreamException e)
            {
                context.AddError($"{ExtVolume.Id}: {e.Message}; the image is truncated", dirOffset, errorPath);
            }
            return entries;
        }

        private void Report(string? problem, long offset, string path)
        {
            if (problem is not null)
                context.AddError($"{ExtVolume.Id} at 0x{offset:x}: {problem}; the rest of this directory block is skipped", offset, path);
        }
    }
}
