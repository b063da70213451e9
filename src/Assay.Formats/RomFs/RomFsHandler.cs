using System.Buffers.Binary;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.RomFs;

/// <summary>
/// romfs (genromfs; uClinux, bootloaders, small read-only roots): big-endian, 16-byte aligned file
/// headers chained within each directory, data stored as is. Both checksums (superblock and every
/// file header) are verified. Modes are the ones Linux presents (romfs stores only the type and an
/// executable bit); romfs has no owners or times.
/// </summary>
/// <remarks>
/// Linux Documentation/filesystems/romfs.rst:
/// <code>
/// 00000000  2d 72 6f 6d 31 66 73 2d  00 00 0b 20 5c 3a 16 a3  |-rom1fs-... \:..|   magic, full size, checksum
/// 00000010  72 6f 6d 20 35 66 30 38  61 30 35 65 00 00 00 00  |rom 5f08a05e....|   volume name, padded to 16
/// file header (16-byte aligned): next (offset of the next header in the directory; low 4 bits:
/// type 0-7 and the executable bit 8), spec.info, size, checksum, then the name padded to 16, then the data.
/// type: 0 hard link (spec = header it links to), 1 directory (spec = first header in it), 2 file,
/// 3 symlink (data = target), 4 block device, 5 char device (spec = major &lt;&lt; 16 | minor), 6 socket, 7 fifo
/// </code>
/// The superblock checksum makes the big-endian 32-bit words of the first min(512, size) bytes sum
/// to 0; a file header's checksum does the same over the header and its padded name.
/// </remarks>
public sealed class RomFsHandler : IFormatHandler
{
    private const int SizeOffset = 8;
    private const int ChecksumOffset = 12;
    private const int NameOffset = 16;
    private const int HeaderAlign = 16;
    private const int ChecksumSpan = 512;
    private const int MaxName = 256;
    private const uint TypeMask = 7;
    private const uint ExecBit = 8;
    private const uint OffsetMask = ~15u;

    private const int TypeHardlink = 0;
    private const int TypeDirectory = 1;
    private const int TypeFile = 2;
    private const int TypeSymlink = 3;
    private const int TypeBlock = 4;
    private const int TypeChar = 5;
    private const int TypeSocket = 6;
    private const int TypeFifo = 7;

    /// <summary>fs/romfs/super.c romfs_modemap: permissions by type; the executable bit adds 0111.</summary>
    private static readonly int[] ModeMap = [0, 0x1a4 /* 0644 */, 0x1a4, 0x1ff /* 0777 */, 0x180 /* 0600 */, 0x180, 0x1a4, 0x1a4];

    public string Id => "romfs";
    public string Description => "romfs filesystem (genromfs), checksums verified";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("-rom1fs-")];
    public IReadOnlyList<string> References { get; } = ["Linux Documentation/filesystems/romfs.rst", "Linux fs/romfs/super.c (romfs_modemap, romfs_iget)", "genromfs 0.5.2"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "romfs stores no permissions, owners or times: modes are what Linux presents (0644, 0755 with the executable bit, 0777 for links, 0600 for devices), uid/gid/mtime are not reported",
        "hard links are reported as hard links to the first name of the target; \".\" and \"..\" entries are not listed",
    ];

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[NameOffset];
        if (!blob.TryReadExactly(offset, h) || !h[..8].SequenceEqual("-rom1fs-"u8))
            return null;
        var size = BinaryPrimitives.ReadUInt32BigEndian(h[SizeOffset..]);
        if (size < NameOffset + HeaderAlign)
            return null;
        var checkedBytes = blob.ReadBytes(offset, (int)Math.Min(ChecksumSpan, size));
        if (checkedBytes.Length < Math.Min(ChecksumSpan, size) || Sum(checkedBytes) != 0)
            return null;
        var name = ReadName(blob, offset + NameOffset, out _) ?? "";
        var truncated = size > blob.Length - offset;
        return new FormatMatch(offset, truncated ? null : size, $"romfs, volume \"{name}\", {size} bytes" + (truncated ? $", truncated ({blob.Length - offset} present)" : ""));
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        if (ReadName(chunk, NameOffset, out var nameLength) is null)
            throw new FormatException(Id, match.Offset + NameOffset, "the volume name is not terminated within 256 bytes; the superblock is corrupt");
        var first = Align(NameOffset + nameLength);
        var visited = new HashSet<long>();
        var paths = new Dictionary<long, string>();
        var links = new List<(EntryMeta Meta, long Target)>();
        var pending = new Stack<(long Header, string Dir)>();
        pending.Push((first, ""));
        var ct = context.CancellationToken;
        while (pending.Count > 0)
        {
            var (header, dir) = pending.Pop();
            // Walk one directory's chain of headers.
            while (header != 0)
            {
                ct.ThrowIfCancellationRequested();
                if (!visited.Add(header))
                {
                    context.AddError($"romfs: the header at 0x{header:x} is reached twice; the directory chain loops and is not followed further", match.Offset + header, dir.Length == 0 ? null : dir);
                    break;
                }
                if (visited.Count > context.Limits.MaxFiles)
                    throw new LimitExceededException("maxFiles", $"romfs at 0x{match.Offset:x}: more than {context.Limits.MaxFiles} file headers");
                Header entry;
                try
                {
                    entry = ReadHeader(chunk, header, match.Offset);
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, dir.Length == 0 ? null : dir);
                    break;
                }
                var type = (int)(entry.Next & TypeMask);
                var path = dir.Length == 0 ? entry.Name : dir + "/" + entry.Name;
                var exec = (entry.Next & ExecBit) != 0;
                var meta = new EntryMeta(path) { Mode = ModeMap[type] | (exec && type is TypeDirectory or TypeFile ? 0x49 : 0) };
                header = entry.Next & OffsetMask;
                if (entry.Name is "." or "..")
                    continue;
                if (entry.Name.Length == 0 || entry.Name.Contains('/'))
                {
                    context.AddError($"romfs: directory '{dir}' has an entry named '{entry.Name}'; a name must not be empty or contain '/'; skipped", match.Offset + entry.Offset, dir.Length == 0 ? null : dir);
                    continue;
                }
                paths[entry.Offset] = path;
                try
                {
                    Emit(chunk, match.Offset, entry, type, meta, context, links, pending);
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, path);
                }
            }
        }
        foreach (var (meta, target) in links)
        {
            if (paths.TryGetValue(target, out var to))
                context.AddHardlink(meta, to);
            else
                context.AddError($"romfs: hard link '{meta.Path}' points to 0x{target:x}, which is no listed entry; not listed", match.Offset + target, meta.Path);
        }
    }

    private void Emit(IBlob chunk, long baseOffset, Header entry, int type, EntryMeta meta, IUnpackContext context, List<(EntryMeta Meta, long Target)> links, Stack<(long Header, string Dir)> pending)
    {
        switch (type)
        {
            case TypeHardlink:
                links.Add((meta with { Mode = null }, entry.Spec & OffsetMask));
                break;
            case TypeDirectory:
                context.AddDirectory(meta);
                var child = entry.Spec & OffsetMask;
                if (child != 0)
                    pending.Push((child, meta.Path));
                break;
            case TypeFile:
                context.AddFile(meta, Data(chunk, entry, baseOffset));
                break;
            case TypeSymlink:
                var target = Data(chunk, entry, baseOffset).ReadBytes(0, (int)Math.Min(entry.Size, 65536));
                context.AddSymlink(meta, Encoding.UTF8.GetString(target));
                break;
            case TypeBlock or TypeChar:
                context.AddSpecial(meta with { Major = entry.Spec >> 16, Minor = entry.Spec & 0xffff }, NodeKind.Device, type == TypeBlock);
                break;
            case TypeSocket:
                context.AddSpecial(meta, NodeKind.Socket);
                break;
            case TypeFifo:
                context.AddSpecial(meta, NodeKind.Fifo);
                break;
        }
    }

    private readonly record struct Header(long Offset, uint Next, uint Spec, uint Size, string Name, long DataOffset);

    private Header ReadHeader(IBlob chunk, long at, long baseOffset)
    {
        if (at < NameOffset || at % HeaderAlign != 0 || at > chunk.Length - NameOffset)
            throw new FormatException(Id, baseOffset + at, $"file header offset 0x{at:x} is not a 16-byte aligned place inside the image (0x{chunk.Length:x} bytes); the chain is corrupt");
        Span<byte> h = stackalloc byte[NameOffset];
        chunk.ReadExactly(at, h);
        var name = ReadName(chunk, at + NameOffset, out var nameLength)
            ?? throw new FormatException(Id, baseOffset + at + NameOffset, "the file name is not terminated within 256 bytes");
        var dataOffset = at + NameOffset + Align(nameLength);
        var covered = chunk.ReadBytes(at, (int)(dataOffset - at));
        if (Sum(covered) != 0)
            throw new FormatException(Id, baseOffset + at, $"the header of '{name}' fails its checksum (words sum to 0x{Sum(covered):x8}, not 0); the image is corrupt");
        return new Header(at, BinaryPrimitives.ReadUInt32BigEndian(h), BinaryPrimitives.ReadUInt32BigEndian(h[4..]), BinaryPrimitives.ReadUInt32BigEndian(h[8..]), name, dataOffset);
    }

    private IBlob Data(IBlob chunk, Header entry, long baseOffset)
    {
        if (entry.Size > chunk.Length - entry.DataOffset)
            throw new FormatException(Id, baseOffset + entry.Offset, $"'{entry.Name}' has {entry.Size} bytes at 0x{entry.DataOffset:x}, past the image end (0x{chunk.Length:x})");
        return chunk.Slice(entry.DataOffset, entry.Size);
    }

    /// <summary>A NUL-terminated name; <paramref name="length"/> includes the NUL.</summary>
    private static string? ReadName(IBlob blob, long at, out int length)
    {
        var bytes = blob.ReadBytes(at, MaxName);
        var end = Array.IndexOf(bytes, (byte)0);
        length = end + 1;
        return end < 0 ? null : Encoding.UTF8.GetString(bytes, 0, end);
    }

    private static long Align(long n) => (n + HeaderAlign - 1) & ~(long)(HeaderAlign - 1);

    private static uint Sum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        for (var i = 0; i + 4 <= bytes.Length; i += 4)
            sum = unchecked(sum + BinaryPrimitives.ReadUInt32BigEndian(bytes[i..]));
        return sum;
    }
}
