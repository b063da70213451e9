using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.CramFs;

/// <summary>
/// CramFS (mkfs.cramfs; older routers, set-top boxes, cameras): a superblock and 12-byte inodes
/// with packed bit fields in the image's byte order (either), files stored as 4 KiB zlib blocks
/// behind a table of block end pointers. The CRC-32 of the image is verified; directories, files
/// (holes too), symlinks, devices, fifos and sockets are listed.
/// </summary>
/// <remarks>
/// Linux include/uapi/linux/cramfs_fs.h:
/// <code>
/// struct cramfs_super {          // at 0, or at 512 after a boot-loader pad (mkfs.cramfs -p)
///     u32 magic;                 // 0x00  0x28cd3d45 ("45 3d cd 28" little-endian, "28 cd 3d 45" big-endian)
///     u32 size;                  // 0x04  bytes of the image (pad included)
///     u32 flags;                 // 0x08  1 fsid v2 (CRC valid), 2 sorted dirs, 0x100 holes, 0x400 shifted root, 0x800 ext block pointers
///     u32 future;                // 0x0c
///     u8  signature[16];         // 0x10  "Compressed ROMFS"
///     struct { u32 crc, edition, blocks, files; } fsid;   // 0x20
///     u8  name[16];              // 0x30
///     struct cramfs_inode root;  // 0x40
/// };                             // 76 bytes
/// struct cramfs_inode { u32 mode:16, uid:16; u32 size:24, gid:8; u32 namelen:6, offset:26; };
/// </code>
/// Bit fields fill from the low bit on a little-endian image and from the high bit on a
/// big-endian one. <c>offset</c> and <c>namelen</c> count 4-byte units; a directory's offset points
/// at its entries (inode + name, <c>size</c> bytes in all), a file's at its block pointer table;
/// a device's <c>size</c> is its old-style device number (major &lt;&lt; 8 | minor).
/// </remarks>
internal sealed class CramFsHandler : IFormatHandler<CramFsHandler.State>
{
    private const uint Magic = 0x28cd3d45;
    private const int SuperSize = 76;
    private const int PadSize = 512;
    private const int SizeOffset = 4;
    private const int FlagsOffset = 8;
    private const int SignatureOffset = 16;
    private const int CrcOffset = 32;
    private const int EditionOffset = 36;
    private const int FilesOffset = 44;
    private const int NameOffset = 48;
    private const int RootOffset = 64;
    private const int InodeSize = 12;
    private const uint FlagFsidV2 = 0x1;
    private const uint FlagExtBlockPointers = 0x800;
    private const uint SupportedFlags = 0xff | 0x100 | 0x200 | 0x400;
    internal const int BlockSize = 4096;

    private const int ModeTypeMask = 0xf000;
    private const int TypeDir = 0x4000;
    private const int TypeFile = 0x8000;
    private const int TypeSymlink = 0xa000;
    private const int TypeBlock = 0x6000;
    private const int TypeChar = 0x2000;
    private const int TypeFifo = 0x1000;
    private const int TypeSocket = 0xc000;

    public string Id => "cramfs";
    public string Description => "CramFS filesystem image (both byte orders), CRC-32 verified";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } =
        [MagicSignature.Hex("453dcd28"), MagicSignature.Hex("28cd3d45"), MagicSignature.Hex("453dcd28", PadSize), MagicSignature.Hex("28cd3d45", PadSize)];
    public IReadOnlyList<string> References { get; } = ["Linux include/uapi/linux/cramfs_fs.h", "Linux fs/cramfs/inode.c", "util-linux disk-utils/mkfs.cramfs.c and fsck.cramfs.c"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "the block size is taken as 4096 (as Linux reads cramfs: page size; mkfs.cramfs -b with another size is not detected)",
        "extended block pointers (flag 0x800: uncompressed and direct blocks, Linux 4.15+ with mkcramfs from the kernel tree) are not read",
        "the format keeps 16-bit uids, 8-bit gids and no times; files above 16 MiB were truncated by mkfs.cramfs",
    ];

    internal readonly record struct Inode(int Mode, int Uid, uint Size, int Gid, int NameLength, long Offset);

    internal sealed record State(bool BigEndian, long Start, uint Size, uint Flags, Inode Root);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset) => TryMatchAt(blob, offset, offset) ?? TryMatchAt(blob, offset, offset + PadSize);

    /// <summary>The image starting at <paramref name="start"/> with its superblock at <paramref name="superblock"/> (the same place, or 512 bytes on).</summary>
    private FormatMatch<State>? TryMatchAt(IBlob blob, long start, long superblock)
    {
        var offset = superblock;
        Span<byte> s = stackalloc byte[SuperSize];
        if (!blob.TryReadExactly(offset, s))
            return null;
        bool bigEndian;
        if (BinaryPrimitives.ReadUInt32LittleEndian(s) == Magic)
            bigEndian = false;
        else if (BinaryPrimitives.ReadUInt32BigEndian(s) == Magic)
            bigEndian = true;
        else
            return null;
        if (!s.Slice(SignatureOffset, 16).SequenceEqual("Compressed ROMFS"u8))
            return null;
        var size = U32(s, SizeOffset, bigEndian);
        var flags = U32(s, FlagsOffset, bigEndian);
        var root = ReadInode(s[RootOffset..], bigEndian);
        if ((root.Mode & ModeTypeMask) != TypeDir || size < SuperSize)
            return null;
        // A padded image (mkfs.cramfs -p) has the superblock at 512 and offsets counted from the pad.
        var padded = root.Offset >= PadSize + SuperSize;
        if (padded != (superblock != start))
            return null;
        var available = blob.Length - start;
        var truncated = size > available;
        var crcState = "";
        if ((flags & FlagFsidV2) != 0 && !truncated)
        {
            var stored = U32(s, CrcOffset, bigEndian);
            var computed = Crc(blob, offset, size - (padded ? PadSize : 0));
            if (computed != stored)
                return null;
            crcState = ", CRC-32 verified";
        }
        var name = Encoding.ASCII.GetString(s.Slice(NameOffset, 16)).TrimEnd('\0');
        var files = U32(s, FilesOffset, bigEndian);
        var description = $"cramfs, {(bigEndian ? "big" : "little")}-endian, \"{name}\", edition {U32(s, EditionOffset, bigEndian)}, {files} files, {size} bytes"
            + (padded ? ", 512-byte pad" : "") + crcState + (truncated ? $", truncated ({available} of {size} bytes present)" : "");
        return new FormatMatch<State>(start, truncated ? null : size, description, new State(bigEndian, start, size, flags, root));
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var state = match.State;
        if ((state.Flags & ~SupportedFlags) != 0)
        {
            var what = (state.Flags & FlagExtBlockPointers) != 0 ? "extended block pointers (0x800)" : $"unknown feature flags 0x{state.Flags & ~SupportedFlags:x}";
            throw new FormatException(Id, match.Offset + FlagsOffset, $"the image uses {what}, which this reader does not support; its files are not listed");
        }
        var ct = context.CancellationToken;
        var pending = new Stack<(Inode Dir, string Path)>();
        pending.Push((state.Root, ""));
        var visited = new HashSet<long> { state.Root.Offset };
        var count = 0;
        while (pending.Count > 0)
        {
            var (dir, dirPath) = pending.Pop();
            var end = dir.Offset + dir.Size;
            if (dir.Size > 0 && (dir.Offset < SuperSize || end > chunk.Length))
            {
                context.AddError($"cramfs: directory '{dirPath}' lists {dir.Size} bytes of entries at 0x{dir.Offset:x}, outside the image (0x{chunk.Length:x}); not listed", match.Offset + dir.Offset, dirPath.Length == 0 ? null : dirPath);
                continue;
            }
            var position = dir.Offset;
            var children = new List<(Inode, string)>();
            var raw = new byte[InodeSize];
            while (position < end)
            {
                ct.ThrowIfCancellationRequested();
                if (++count > context.Limits.MaxFiles)
                    throw new LimitExceededException("maxFiles", $"cramfs at 0x{match.Offset:x}: more than {context.Limits.MaxFiles} entries");
                if (!chunk.TryReadExactly(position, raw))
                    break;
                var inode = ReadInode(raw, state.BigEndian);
                var nameBytes = chunk.ReadBytes(position + InodeSize, inode.NameLength);
                position += InodeSize + inode.NameLength;
                var nul = Array.IndexOf(nameBytes, (byte)0);
                var name = Encoding.UTF8.GetString(nameBytes, 0, nul < 0 ? nameBytes.Length : nul);
                if (name.Length == 0 || name is "." or ".." || name.Contains('/'))
                {
                    context.AddError($"cramfs: directory '{dirPath}' has an entry named '{name}'; skipped", match.Offset + position, dirPath.Length == 0 ? null : dirPath);
                    continue;
                }
                var path = dirPath.Length == 0 ? name : dirPath + "/" + name;
                var meta = new EntryMeta(path) { Mode = inode.Mode & 0xfff, Uid = inode.Uid, Gid = inode.Gid };
                try
                {
                    switch (inode.Mode & ModeTypeMask)
                    {
                        case TypeDir:
                            context.AddDirectory(meta);
                            if (inode.Size > 0 && !visited.Add(inode.Offset))
                                context.AddError($"cramfs: directory '{path}' reuses the entries at 0x{inode.Offset:x}; the loop is not followed", match.Offset + inode.Offset, path);
                            else if (inode.Size > 0)
                                children.Add((inode, path));
                            break;
                        case TypeFile:
                            using (var content = new CramFsFileStream(chunk, inode, state.BigEndian, Id, match.Offset))
                                context.AddFile(meta, content, content.PackedSize);
                            break;
                        case TypeSymlink:
                            using (var target = new CramFsFileStream(chunk, inode, state.BigEndian, Id, match.Offset))
                            {
                                using var buffer = new MemoryStream();
                                target.CopyTo(buffer);
                                context.AddSymlink(meta, Encoding.UTF8.GetString(buffer.ToArray()));
                            }
                            break;
                        case TypeBlock or TypeChar:
                            context.AddSpecial(meta with { Major = inode.Size >> 8, Minor = inode.Size & 0xff }, NodeKind.Device, (inode.Mode & ModeTypeMask) == TypeBlock);
                            break;
                        case TypeFifo:
                            context.AddSpecial(meta, NodeKind.Fifo);
                            break;
                        case TypeSocket:
                            context.AddSpecial(meta, NodeKind.Socket);
                            break;
                        default:
                            context.AddError($"cramfs: '{path}' has mode 0{Convert.ToString(inode.Mode, 8)}, no known file type; skipped", match.Offset + position, path);
                            break;
                    }
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, path);
                }
            }
            for (var i = children.Count - 1; i >= 0; i--)
                pending.Push(children[i]);
        }
    }

    internal static Inode ReadInode(ReadOnlySpan<byte> s, bool bigEndian)
    {
        var w0 = U32(s, 0, bigEndian);
        var w1 = U32(s, 4, bigEndian);
        var w2 = U32(s, 8, bigEndian);
        return bigEndian
            ? new Inode((int)(w0 >> 16), (int)(w0 & 0xffff), w1 >> 8, (int)(w1 & 0xff), (int)(w2 >> 26) * 4, (long)(w2 & 0x3ffffff) * 4)
            : new Inode((int)(w0 & 0xffff), (int)(w0 >> 16), w1 & 0xffffff, (int)(w1 >> 24), (int)(w2 & 0x3f) * 4, (long)(w2 >> 6) * 4);
    }

    internal static uint U32(ReadOnlySpan<byte> s, int at, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    /// <summary>CRC-32 of <paramref name="length"/> bytes from the superblock with the crc field read as zero (mkfs.cramfs).</summary>
    private static uint Crc(IBlob blob, long superblock, long length)
    {
        var crc = new System.IO.Hashing.Crc32();
        var buffer = new byte[1 << 16];
        long done = 0;
        while (done < length)
        {
            var n = blob.Read(superblock + done, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done)));
            if (n <= 0)
                return 0;
            if (done == 0 && n >= CrcOffset + 4)
                buffer.AsSpan(CrcOffset, 4).Clear();
            crc.Append(buffer.AsSpan(0, n));
            done += n;
        }
        return crc.GetCurrentHashAsUInt32();
    }
}
