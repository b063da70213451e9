using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Iso9660;

/// <summary>
/// ISO 9660 / ECMA-119 CD and DVD images: the directory hierarchy from the primary volume
/// descriptor, with Rock Ridge (names, modes, owners, times, symlinks, devices, continuation areas,
/// relocated deep directories) when present, else the Joliet (UCS-2) names of a supplementary volume
/// descriptor, else the plain ISO names (version ";1" removed). Multi-extent files are joined.
/// </summary>
/// <remarks>
/// The magic "CD001" (<c>43 44 30 30 31</c>) is byte 1 of the first volume descriptor, at sector 16:
/// byte 0x8001 of the image.
/// </remarks>
internal sealed class Iso9660Handler : IFormatHandler<Iso9660Handler.Volume>
{
    private const string FormatId = "iso9660";

    /// <summary>Descriptors read before giving up on a terminator (real images have 2 to 5).</summary>
    private const int MaxDescriptors = 64;

    /// <summary>Continuation areas followed for one record.</summary>
    private const int MaxContinuations = 32;

    private const int MaxDirectoryDepth = 1024;

    /// <summary>Directories larger than this are reported, not read.</summary>
    private const long MaxDirectoryBytes = 64L << 20;

    // POSIX file types in a Rock Ridge PX mode
    private const int TypeMask = 0xf000;
    private const int TypeFifo = 0x1000;
    private const int TypeChar = 0x2000;
    private const int TypeDir = 0x4000;
    private const int TypeBlock = 0x6000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymlink = 0xa000;
    private const int TypeSocket = 0xc000;
    private const int PermissionMask = 0x0fff;

    public string Id => FormatId;
    public string Description => "ISO 9660 (ECMA-119) image with Rock Ridge and Joliet";
    public FormatCategory Category => FormatCategory.Filesystem;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Ascii("CD001", IsoVolumeDescriptor.MagicOffsetInImage)];

    public IReadOnlyList<string> References { get; } =
    [
        "ECMA-119 4th edition (ISO 9660): 6.8 directories, 8.4 primary and 8.5 supplementary volume descriptors, 9.1 directory records",
        "IEEE P1281 System Use Sharing Protocol 1.12 (SP, CE, ST)",
        "IEEE P1282 Rock Ridge Interchange Protocol 1.12 (PX, PN, SL, NM, CL, RE, TF)",
        "Joliet Specification (Microsoft, 1995): UCS-2 names, escape sequences %/@ %/C %/E",
    ];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "interleaved files (file unit size or gap set) are reported, not read",
        "El Torito boot images, UDF and HFS hybrids are not listed (their bytes stay in the image)",
        "extended attribute records are skipped, not read; zisofs-compressed files (ZF) are listed compressed",
        "only the first volume of a multi-volume set is read",
    ];

    public FormatMatch<Volume>? TryMatch(IBlob blob, long offset)
    {
        if (offset < 0)
            return null;
        var sector = new byte[IsoVolumeDescriptor.SectorSize];
        if (!blob.TryReadExactly(offset + IsoVolumeDescriptor.FirstDescriptorOffset, sector) || IsoVolumeDescriptor.TypeOf(sector) != IsoVolumeDescriptor.TypePrimary)
            return null;
        var primary = IsoVolumeDescriptor.Parse(sector);
        if (primary.Invalid() is not null)
            return null;
        var volume = ReadDescriptors(blob, offset, primary);
        var declared = (long)volume.Primary.VolumeSpaceSize * volume.Primary.LogicalBlockSize;
        var available = blob.Length - offset;
        var extensions = new List<string>();
        if (HasRockRidge(blob, offset, available, volume.Primary) is not null)
            extensions.Add("Rock Ridge");
        if (volume.Joliet is not null)
            extensions.Add("Joliet");
        var text = $"iso9660 volume \"{primary.VolumeId}\", {primary.LogicalBlockSize}-byte blocks, {primary.VolumeSpaceSize} blocks";
        if (extensions.Count > 0)
            text += ", " + string.Join(", ", extensions);
        if (declared > available)
            text += $", truncated: declares 0x{declared:x} bytes, 0x{available:x} present";
        return new FormatMatch<Volume>(offset, Math.Min(declared, available), text, volume);
    }

    internal sealed record Volume(IsoVolumeDescriptor Primary, IsoVolumeDescriptor? Joliet);

    /// <summary>The primary descriptor and the first Joliet supplementary one, up to the terminator.</summary>
    private static Volume ReadDescriptors(IBlob blob, long offset, IsoVolumeDescriptor primary)
    {
        IsoVolumeDescriptor? joliet = null;
        var sector = new byte[IsoVolumeDescriptor.SectorSize];
        for (var i = 1; i < MaxDescriptors; i++)
        {
            var at = offset + IsoVolumeDescriptor.FirstDescriptorOffset + ((long)i * IsoVolumeDescriptor.SectorSize);
            if (!blob.TryReadExactly(at, sector))
                break;
            var type = IsoVolumeDescriptor.TypeOf(sector);
            if (type is null or IsoVolumeDescriptor.TypeTerminator)
                break;
            if (type == IsoVolumeDescriptor.TypeSupplementary && joliet is null)
            {
                var d = IsoVolumeDescriptor.Parse(sector);
                if (d.IsJoliet && d.LogicalBlockSize == primary.LogicalBlockSize && IsoDirectoryRecord.TryParse(d.RootRecord) is { IsDirectory: true })
                    joliet = d;
            }
        }
        return new Volume(primary, joliet);
    }

    /// <summary>SUSP's len_skp when the root's "." record starts with an SP entry (SUSP 5.3), else null.</summary>
    private static int? HasRockRidge(IBlob blob, long offset, long available, IsoVolumeDescriptor primary)
    {
        var root = IsoDirectoryRecord.TryParse(primary.RootRecord)!.Value;
        var at = (long)root.Extent * primary.LogicalBlockSize;
        if (at + IsoDirectoryRecord.MinLength > available)
            return null;
        var first = blob.ReadBytes(offset + at, 255);
        if (first.Length == 0 || IsoDirectoryRecord.TryParse(first.AsSpan(0, Math.Min(first[0], first.Length))) is not { IsSelfOrParent: true } dot)
            return null;
        var info = new RockRidgeInfo();
        string? problem = null;
        RockRidge.Parse(dot.SystemUse, info, new RockRidge.SymlinkBuilder(), ref problem);
        return info.SuspSkip;
    }

    public void Unpack(IBlob chunk, FormatMatch<Volume> match, IUnpackContext context)
    {
        var volume = match.State;
        if (volume.Primary.Invalid() is { } why)
            throw new FormatException(Id, IsoVolumeDescriptor.FirstDescriptorOffset, $"primary volume descriptor: {why}; the descriptor is damaged");
        var skip = HasRockRidge(chunk, 0, chunk.Length, volume.Primary);
        var (descriptor, naming) = skip is not null ? (volume.Primary, Naming.RockRidge)
            : volume.Joliet is { } joliet ? (joliet, Naming.Joliet)
            : (volume.Primary, Naming.Iso);
        new Walker(chunk, descriptor.LogicalBlockSize, naming, skip ?? 0, context).Run(IsoDirectoryRecord.TryParse(descriptor.RootRecord)!.Value);
    }

    private enum Naming
    {
        Iso,
        Joliet,
        RockRidge,
    }

    private sealed class Walker(IBlob image, int blockSize, Naming naming, int suspSkip, IUnpackContext context)
    {
        private readonly HashSet<uint> _directories = [];
        private readonly CancellationToken _ct = context.CancellationToken;

        // Records may share extents: directories read and file bytes claimed are held to what
        // an image with disjoint extents could hold.
        private long _directoryBytes;
        private long _contentBytes;

        public void Run(IsoDirectoryRecord root)
        {
            var pending = new Stack<(uint Extent, uint Size, string Path, int Depth)>();
            _directories.Add(root.Extent);
            pending.Push((root.Extent, root.DataLength, "", 0));
            while (pending.Count > 0)
            {
                _ct.ThrowIfCancellationRequested();
                var (extent, size, path, depth) = pending.Pop();
                var subdirs = new List<(uint, uint, string, int)>();
                try
                {
                    ReadDirectory(extent, size, path, depth, subdirs);
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, path.Length == 0 ? "/" : path);
                }
                for (var i = subdirs.Count - 1; i >= 0; i--)
                    pending.Push(subdirs[i]);
            }
        }

        private byte[] ReadExtent(uint extent, uint size, string what)
        {
            var start = (long)extent * blockSize;
            if (size > MaxDirectoryBytes)
                throw new FormatException(FormatId, start, $"{what} claims {size} bytes, more than the {MaxDirectoryBytes} bytes a directory may have; the record is damaged");
            if (start + size > image.Length)
                throw new FormatException(FormatId, start, $"{what} at block {extent} ({size} bytes) runs past the end of the image (0x{image.Length:x}); the image is truncated");
            var data = new byte[size];
            image.ReadExactly(start, data);
            return data;
        }

        private void ReadDirectory(uint extent, uint size, string dirPath, int depth, List<(uint, uint, string, int)> subdirs)
        {
            _directoryBytes += size;
            if (_directoryBytes > image.Length)
                throw new FormatException(FormatId, (long)extent * blockSize, $"directories read so far total {_directoryBytes} bytes, more than the image's {image.Length}; directory extents overlap, the rest is not read");
            var data = ReadExtent(extent, size, "directory");
            var dirOffset = (long)extent * blockSize;
            var multi = new List<IsoDirectoryRecord>();
            var pos = 0;
            while (pos < data.Length)
            {
                _ct.ThrowIfCancellationRequested();
                var length = data[pos];
                var sectorEnd = Math.Min(data.Length, ((pos / IsoVolumeDescriptor.SectorSize) + 1) * IsoVolumeDescriptor.SectorSize);
                if (length == 0)
                {
                    pos = sectorEnd; // records do not cross sectors; the rest of this one is padding
                    continue;
                }
                var recordOffset = dirOffset + pos;
                if (pos + length > sectorEnd || IsoDirectoryRecord.TryParse(data.AsSpan(pos, length)) is not { } record)
                {
                    context.AddError($"{FormatId} at 0x{recordOffset:x}: directory record of length {length} does not fit its sector or its identifier; the rest of the sector is skipped", recordOffset, dirPath.Length == 0 ? "/" : dirPath);
                    pos = sectorEnd;
                    continue;
                }
                pos += length;
                if (record.IsSelfOrParent || record.IsAssociated)
                    continue;
                if (record.IsMultiExtent && !record.IsDirectory)
                {
                    multi.Add(record);
                    continue;
                }
                var extents = multi.Count > 0 ? [.. multi, record] : new List<IsoDirectoryRecord> { record };
                multi.Clear();
                string? path = null;
                try
                {
                    var rr = naming == Naming.RockRidge ? ReadRockRidge(record, recordOffset) : null;
                    var name = Name(record, rr, recordOffset);
                    path = dirPath.Length == 0 ? name : dirPath + "/" + name;
                    if (Emit(record, extents, rr, path, recordOffset, depth) is { } sub)
                        subdirs.Add(sub);
                }
                catch (FormatException e)
                {
                    context.AddError(e.Message, e.Offset, path ?? dirPath);
                }
                catch (EndOfStreamException e)
                {
                    context.AddError($"{FormatId}: {e.Message}; the image is truncated", recordOffset, path ?? dirPath);
                }
            }
            if (multi.Count > 0)
                context.AddError($"{FormatId} at 0x{dirOffset:x}: a multi-extent file's last record is missing; its {multi.Count} extents are not listed", dirOffset, dirPath);
        }

        private RockRidgeInfo ReadRockRidge(IsoDirectoryRecord record, long recordOffset)
        {
            var info = new RockRidgeInfo();
            var link = new RockRidge.SymlinkBuilder();
            string? problem = null;
            var area = record.SystemUse.Length > suspSkip ? record.SystemUse.AsSpan(suspSkip) : [];
            var next = RockRidge.Parse(area, info, link, ref problem);
            for (var hops = 0; next is { } ce; hops++)
            {
                if (hops >= MaxContinuations)
                    throw new FormatException(FormatId, recordOffset, $"more than {MaxContinuations} SUSP continuation areas (CE) for one record; the chain loops");
                var start = ((long)ce.Block * blockSize) + ce.Offset;
                if (ce.Offset + (long)ce.Length > blockSize || start + ce.Length > image.Length)
                    throw new FormatException(FormatId, recordOffset, $"SUSP continuation area at block {ce.Block} offset {ce.Offset} length {ce.Length} leaves its block or the image (0x{image.Length:x}); the entry is damaged");
                var bytes = new byte[ce.Length];
                image.ReadExactly(start, bytes);
                next = RockRidge.Parse(bytes, info, link, ref problem);
            }
            if (problem is not null)
                context.AddError($"{FormatId} at 0x{recordOffset:x}: {problem}; the remaining Rock Ridge entries of this record are ignored", recordOffset);
            return info;
        }

        private string Name(IsoDirectoryRecord record, RockRidgeInfo? rr, long recordOffset)
        {
            string name;
            if (rr?.Name is { } rrName)
            {
                name = rrName;
            }
            else
            {
                // in the Joliet tree every identifier is UCS-2, big-endian
                name = naming == Naming.Joliet && record.Identifier.Length % 2 == 0
                    ? Encoding.BigEndianUnicode.GetString(record.Identifier)
                    : Encoding.Latin1.GetString(record.Identifier);
                // "NAME.EXT;1": drop the version, then a trailing '.' of a name without extension (7.5.1)
                var semicolon = name.LastIndexOf(';');
                if (semicolon > 0 && !record.IsDirectory)
                    name = name[..semicolon];
                if (name.Length > 1 && name.EndsWith('.') && !record.IsDirectory)
                    name = name[..^1];
            }
            if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
                throw new FormatException(FormatId, recordOffset, $"file identifier \"{name.Replace("\0", "\\0", StringComparison.Ordinal)}\" is empty, '.', '..' or holds '/' or NUL; the record is damaged");
            return name;
        }

        private (uint, uint, string, int)? Emit(IsoDirectoryRecord record, List<IsoDirectoryRecord> extents, RockRidgeInfo? rr, string path, long recordOffset, int depth)
        {
            if (rr is { Relocated: true })
                return null; // listed where its CL placeholder points from
            var meta = new EntryMeta(path)
            {
                Mode = rr?.Mode is { } m ? m & PermissionMask : null,
                Uid = rr?.Uid,
                Gid = rr?.Gid,
                Mtime = rr?.Mtime ?? record.RecordingTime,
            };
            if (rr?.ChildLink is { } relocated)
                return Directory(relocated, null, meta, recordOffset, depth);
            var type = rr?.Mode is { } mode ? mode & TypeMask : record.IsDirectory ? TypeDir : TypeRegular;
            switch (type)
            {
                case TypeDir:
                    return Directory(record.Extent, record.DataLength, meta, recordOffset, depth);
                case TypeRegular:
                    var content = Content(extents, recordOffset);
                    _contentBytes += content.Length;
                    if (_contentBytes > context.Limits.MaxTotalBytes)
                        throw new FormatException(FormatId, recordOffset, $"the files listed so far claim {_contentBytes} bytes, more than the total limit of {context.Limits.MaxTotalBytes}; content not read");
                    context.AddFile(meta, content);
                    return null;
                case TypeSymlink:
                    context.AddSymlink(meta, rr?.SymlinkTarget ?? throw new FormatException(FormatId, recordOffset, "Rock Ridge symlink has no SL entry; the record is damaged"));
                    return null;
                case TypeChar:
                case TypeBlock:
                    var (major, minor) = rr?.Device ?? throw new FormatException(FormatId, recordOffset, "Rock Ridge device has no PN entry; the record is damaged");
                    context.AddSpecial(meta with { Major = major, Minor = minor }, NodeKind.Device, type == TypeBlock);
                    return null;
                case TypeFifo:
                    context.AddSpecial(meta, NodeKind.Fifo);
                    return null;
                case TypeSocket:
                    context.AddSpecial(meta, NodeKind.Socket);
                    return null;
                default:
                    throw new FormatException(FormatId, recordOffset, $"Rock Ridge PX mode 0{Convert.ToString(rr?.Mode ?? 0, 8)} has file type 0x{type:x4}, none of the seven Unix types; the record is damaged");
            }
        }

        private (uint, uint, string, int)? Directory(uint extent, uint? size, EntryMeta meta, long recordOffset, int depth)
        {
            if (!_directories.Add(extent))
                throw new FormatException(FormatId, recordOffset, $"directory at block {extent} is reached a second time; the directory tree has a loop, not entered again");
            if (size is null)
            {
                // a relocated directory (RRIP CL): its size is in its own "." record
                var first = ReadExtent(extent, (uint)Math.Min(IsoVolumeDescriptor.SectorSize, Math.Max(0, image.Length - ((long)extent * blockSize))), "relocated directory");
                if (first.Length == 0 || first[0] > first.Length || IsoDirectoryRecord.TryParse(first.AsSpan(0, first[0])) is not { IsSelfOrParent: true } dot)
                    throw new FormatException(FormatId, (long)extent * blockSize, $"relocated directory at block {extent} does not start with a \".\" record; the CL entry is damaged");
                size = dot.DataLength;
            }
            context.AddDirectory(meta);
            if (depth + 1 >= MaxDirectoryDepth)
                throw new FormatException(FormatId, recordOffset, $"directories are nested more than {MaxDirectoryDepth} deep; the rest of this branch is not listed");
            return (extent, size.Value, meta.Path, depth + 1);
        }

        private IBlob Content(List<IsoDirectoryRecord> extents, long recordOffset)
        {
            var parts = new List<IBlob>(extents.Count);
            foreach (var r in extents)
            {
                if (r.FileUnitSize != 0 || r.InterleaveGap != 0)
                    throw new FormatException(FormatId, recordOffset, $"file is interleaved (unit size {r.FileUnitSize}, gap {r.InterleaveGap}), which this reader does not support; content not read");
                if (r.DataLength == 0)
                    continue;
                var start = ((long)r.Extent + r.ExtendedAttributeLength) * blockSize;
                if (start + r.DataLength > image.Length)
                    throw new FormatException(FormatId, recordOffset, $"file data at block {r.Extent} ({r.DataLength} bytes) runs past the end of the image (0x{image.Length:x}); the image is truncated");
                parts.Add(image.Slice(start, r.DataLength));
            }
            return parts.Count == 1 ? parts[0] : new IsoExtentsBlob(parts);
        }
    }
}
