using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Assay.Core.Content;
using Assay.Core.Formats;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Deflate64;
using SharpCompress.Compressors.LZMA;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats;

/// <summary>
/// ZIP read from its central directory (the authoritative list), with zip64 sizes and offsets.
/// Methods: stored (a slice: no copy), deflate, deflate64, bzip2, lzma, zstd. Unix modes and
/// symlinks from the "external attributes" of archives made on Unix.
/// </summary>
/// <remarks>
/// APPNOTE.TXT 6.3.10: end of central directory record (EOCD) <c>50 4b 05 06</c>, at most
/// 65,535 + 22 bytes from the end; zip64 EOCD locator <c>50 4b 06 07</c> just before it points at
/// the zip64 EOCD <c>50 4b 06 06</c>. Central file header <c>50 4b 01 02</c> (46 bytes + name +
/// extra + comment); local file header <c>50 4b 03 04</c> (30 bytes + name + extra) before each
/// entry's data.
/// </remarks>
internal sealed class ZipHandler : IFormatHandler<ZipHandler.Layout>
{
    private const uint LocalSignature = 0x04034b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const int EndLength = 22;
    private const int Zip64LocatorLength = 20;
    private const int CentralLength = 46;
    private const int LocalLength = 30;
    private const int MaxComment = 0xffff;
    private const ushort Zip64ExtraId = 0x0001;
    private const int HostUnix = 3;

    private const ushort MethodStored = 0, MethodDeflate = 8, MethodDeflate64 = 9, MethodBzip2 = 12, MethodLzma = 14, MethodZstd = 93;
    private const ushort FlagEncrypted = 0x0001, FlagUtf8 = 0x0800;

    public string Id => "zip";
    public string Description => "ZIP archive (zip64; stored, deflate, deflate64, bzip2, lzma, zstd)";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("504b0304"), MagicSignature.Hex("504b0506")];
    public IReadOnlyList<string> References { get; } = ["PKWARE APPNOTE.TXT 6.3.10 (sections 4.3, 4.4, 4.5.3 zip64)"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "encrypted entries are listed but not decrypted",
        "multi-disk (spanned) archives are not supported",
        "an archive without its central directory (truncated) is recovered from its local headers: entries whose data is complete are listed, CRC-checked, without modes (only the central directory has them), so symbolic links come out as small files",
        "in recovery, an entry with a data descriptor is found only when the descriptor carries its signature (50 4b 07 08)",
    ];

    internal readonly record struct Directory(long CentralOffset, long CentralSize, long Entries, long ArchiveStart, long End);

    public FormatMatch<Layout>? TryMatch(IBlob blob, long offset)
    {
        Span<byte> sig = stackalloc byte[4];
        if (!blob.TryReadExactly(offset, sig))
            return null;
        var signature = BinaryPrimitives.ReadUInt32LittleEndian(sig);
        if (signature is not (LocalSignature or EndSignature))
            return null;
        if (signature == LocalSignature && !PlausibleLocalHeader(blob, offset))
            return null;
        try
        {
            var dir = FindDirectory(blob, offset);
            if (dir is not null)
                return new FormatMatch<Layout>(offset, dir.Value.End - offset, $"zip, {dir.Value.Entries} entries", new Complete(dir.Value));
            if (signature != LocalSignature)
                return null;
            // No end record for this archive in the blob's tail: walk the local headers. They lead
            // to the central directory of an archive that is followed by other data, or they are
            // all there is of a truncated archive.
            var walk = WalkLocalHeaders(blob, offset);
            if (walk.Directory is { } found)
                return new FormatMatch<Layout>(offset, found.End - offset, $"zip, {found.Entries} entries", new Complete(found));
            if (walk.Entries.Count == 0)
                return null;
            var end = walk.Entries[^1].DataEnd;
            return new FormatMatch<Layout>(offset, end - offset, $"zip without its central directory (truncated), {walk.Entries.Count} whole entries recovered from local headers",
                new Recovered(walk.Entries, walk.Stop));
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>An entry found by its local header, with the extent of its data (absolute in the blob TryMatch saw).</summary>
    private sealed record LocalEntry(string Name, ushort Method, ushort Flags, uint Crc, long Compressed, long Size, long DataStart, long DataEnd, long? Mtime);

    /// <summary>Entries recovered from local headers; <see cref="Stop"/> says why the walk ended.</summary>
    private sealed record Recovered(IReadOnlyList<LocalEntry> Entries, string Stop) : Layout;

    /// <summary>What <see cref="TryMatch"/> found: a central directory (<see cref="Complete"/>) or, for a truncated archive, entries recovered from local headers.</summary>
    internal abstract record Layout;

    /// <summary>An archive whose end of central directory was found.</summary>
    internal sealed record Complete(Directory Directory) : Layout;

    private const uint DescriptorSignature = 0x08074b50;
    private const int MaxRecoveredEntries = 1 << 20;

    /// <summary>
    /// Local file headers one after the other (APPNOTE 4.3.7): each whole entry is kept; the walk
    /// stops at the first header whose data is not all there, or at the central directory, whose
    /// end record then gives the archive.
    /// </summary>
    private (List<LocalEntry> Entries, Directory? Directory, string Stop) WalkLocalHeaders(IBlob blob, long start)
    {
        var entries = new List<LocalEntry>();
        var position = start;
        var header = new byte[LocalLength];
        while (entries.Count < MaxRecoveredEntries)
        {
            if (!blob.TryReadExactly(position, header))
                return (entries, null, $"the data ends at 0x{position:x} inside a local header");
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (signature == CentralSignature)
                return (entries, DirectoryAfter(blob, start, position, entries.Count), "the central directory");
            if (signature != LocalSignature)
                return (entries, null, $"no local header at 0x{position:x} (signature 0x{signature:x8})");
            var h = header.AsSpan();
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            var dosTime = BinaryPrimitives.ReadUInt32LittleEndian(h[10..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(h[22..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            var nameBytes = blob.ReadBytes(position + LocalLength, nameLength);
            var extra = blob.ReadBytes(position + LocalLength + nameLength, extraLength);
            if (nameBytes.Length != nameLength || extra.Length != extraLength)
                return (entries, null, $"the data ends at 0x{position:x} inside the local header of an entry");
            long ignored = 0;
            ApplyZip64(extra, ref size, ref compressed, ref ignored);
            var dataStart = position + LocalLength + nameLength + extraLength;
            var name = (flags & FlagUtf8) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            long dataEnd;
            if ((flags & 0x0008) != 0)
            {
                // Sizes and CRC follow the data in a descriptor: find it by its signature and a size that fits.
                if (FindDescriptor(blob, dataStart) is not { } d)
                    return (entries, null, $"the data descriptor of '{name}' (from 0x{dataStart:x}) is not found; the entry is cut off");
                (crc, compressed, size, dataEnd) = d;
            }
            else
            {
                dataEnd = dataStart + compressed;
                if (compressed < 0 || dataEnd > blob.Length)
                    return (entries, null, $"'{name}' needs {compressed} bytes of data from 0x{dataStart:x} but the data ends at 0x{blob.Length:x}");
            }
            entries.Add(new LocalEntry(name, method, flags, crc, compressed, size, dataStart, dataEnd, DosTime(dosTime)));
            position = dataEnd;
        }
        return (entries, null, $"more than {MaxRecoveredEntries} entries");
    }

    /// <summary>A data descriptor (signature, CRC, sizes: 32-bit, or 64-bit for zip64) whose compressed size is its distance from the data start.</summary>
    private static (uint Crc, long Compressed, long Size, long End)? FindDescriptor(IBlob blob, long dataStart)
    {
        const int Window = 1 << 20;
        var buffer = new byte[Window + 24];
        for (long at = dataStart; at < blob.Length; at += Window)
        {
            var n = blob.Read(at, buffer);
            if (n <= 0)
                break;
            var span = buffer.AsSpan(0, n);
            var from = 0;
            while (true)
            {
                var hit = span[from..].IndexOf("PK\x07\x08"u8);
                if (hit < 0)
                    break;
                var i = from + hit;
                from = i + 1;
                if (i >= Window)
                    break;
                var distance = at + i - dataStart;
                if (i + 16 <= n && BinaryPrimitives.ReadUInt32LittleEndian(span[(i + 8)..]) == distance)
                    return (BinaryPrimitives.ReadUInt32LittleEndian(span[(i + 4)..]), distance, BinaryPrimitives.ReadUInt32LittleEndian(span[(i + 12)..]), at + i + 16);
                if (i + 24 <= n && BinaryPrimitives.ReadInt64LittleEndian(span[(i + 8)..]) == distance)
                    return (BinaryPrimitives.ReadUInt32LittleEndian(span[(i + 4)..]), distance, BinaryPrimitives.ReadInt64LittleEndian(span[(i + 16)..]), at + i + 24);
            }
            if (n < buffer.Length)
                break;
        }
        return null;
    }

    /// <summary>The end record right after a central directory that starts at <paramref name="central"/>, if it describes this archive.</summary>
    private Directory? DirectoryAfter(IBlob blob, long archiveStart, long central, int localEntries)
    {
        var position = central;
        var header = new byte[CentralLength];
        for (var i = 0; i <= MaxRecoveredEntries; i++)
        {
            if (!blob.TryReadExactly(position, header.AsSpan(0, 4)))
                return null;
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (signature != CentralSignature)
            {
                if (signature is not (EndSignature or Zip64EndSignature))
                    return null;
                var endRecord = signature == EndSignature ? position : FindEndAfterZip64(blob, position);
                if (endRecord is not { } end)
                    return null;
                var eocd = blob.ReadBytes(end, EndLength);
                if (eocd.Length < EndLength)
                    return null;
                var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(eocd.AsSpan(20));
                if (end + EndLength + commentLength > blob.Length)
                    return null;
                return new Directory(central, position - central, i, archiveStart, end + EndLength + commentLength);
            }
            if (!blob.TryReadExactly(position, header))
                return null;
            var lengths = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
            position = checked(position + CentralLength + lengths);
        }
        return null;
    }

    /// <summary>After a zip64 end record (its own size at +4) and its locator comes the classic end record.</summary>
    private static long? FindEndAfterZip64(IBlob blob, long zip64End)
    {
        var sizeField = blob.ReadBytes(zip64End + 4, 8);
        if (sizeField.Length < 8)
            return null;
        var recordSize = BinaryPrimitives.ReadInt64LittleEndian(sizeField);
        if (recordSize < 44 || recordSize > 1 << 20)
            return null;
        var end = zip64End + 12 + recordSize + Zip64LocatorLength;
        var sig = blob.ReadBytes(end, 4);
        return sig.Length == 4 && BinaryPrimitives.ReadUInt32LittleEndian(sig) == EndSignature ? end : null;
    }

    /// <summary>
    /// A local file header worth the search for its directory: a known method, a version that
    /// exists, a name. Carving meets "PK\x03\x04" in plenty of data; this keeps each false hit cheap.
    /// </summary>
    private static bool PlausibleLocalHeader(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[LocalLength];
        if (!blob.TryReadExactly(offset, h))
            return false;
        var version = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]) & 0xff;
        var method = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
        return version <= 90 && nameLength is > 0 and <= 4096 && method is 0 or 1 or 6 or 8 or 9 or 12 or 14 or 19 or 93 or 95 or 96 or 97 or 98 or 99;
    }

    // The end records in the last 64 KiB of a blob, found once per blob: carving may try many
    // candidate local headers in one blob, and each would otherwise read and search that tail again.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBlob, long[]> _endRecords = [];

    private long[] EndRecords(IBlob blob) => _endRecords.GetValue(blob, b =>
    {
        var tailLength = (int)Math.Min(b.Length, EndLength + MaxComment);
        var tailStart = b.Length - tailLength;
        var tail = b.ReadBytes(tailStart, tailLength);
        var found = new List<long>();
        for (var i = tail.Length - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature)
                found.Add(tailStart + i);
        }
        return [.. found];
    });

    /// <summary>Finds the EOCD after <paramref name="start"/> whose central directory points back to an archive starting there.</summary>
    private Directory? FindDirectory(IBlob blob, long start)
    {
        // Search from the end: the common case is an archive that ends the blob.
        foreach (var endRecord in EndRecords(blob))
        {
            if (endRecord < start)
                break;
            var eocdBytes = blob.ReadBytes(endRecord, EndLength);
            if (eocdBytes.Length < EndLength)
                continue;
            var eocd = eocdBytes.AsSpan();
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(eocd[20..]);
            var endPosition = endRecord;
            if (endPosition + EndLength + commentLength > blob.Length)
                continue;
            long entries = BinaryPrimitives.ReadUInt16LittleEndian(eocd[10..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(eocd[12..]);
            long central = BinaryPrimitives.ReadUInt32LittleEndian(eocd[16..]);
            if (entries == 0xffff || size == 0xffffffff || central == 0xffffffff)
            {
                var zip64 = ReadZip64End(blob, endPosition);
                if (zip64 is null)
                    continue;
                (entries, size, central) = zip64.Value;
            }
            // Offsets are relative to the archive start; the central directory ends where the EOCD (or zip64 records) begin.
            var centralEnd = endPosition;
            if (endPosition >= Zip64LocatorLength && blob.ReadBytes(endPosition - Zip64LocatorLength, 4) is { Length: 4 } loc && BinaryPrimitives.ReadUInt32LittleEndian(loc) == Zip64LocatorSignature)
                centralEnd = FindZip64EndStart(blob, endPosition) ?? endPosition;
            var archiveStart = centralEnd - size - central;
            if (archiveStart != start && entries > 0)
            {
                // A prefixed archive (self-extractor) keeps offsets relative to the file: accept when they match.
                if (start != 0 || archiveStart < 0)
                    continue;
                archiveStart = 0;
            }
            if (central < 0 || size < 0 || archiveStart + central + size > blob.Length)
                continue;
            return new Directory(archiveStart + central, size, entries, archiveStart, endPosition + EndLength + commentLength);
        }
        return null;
    }

    private (long Entries, long Size, long Offset)? ReadZip64End(IBlob blob, long endPosition)
    {
        var start = FindZip64EndStart(blob, endPosition);
        if (start is null)
            return null;
        var record = blob.ReadBytes(start.Value, 56);
        if (record.Length < 56 || BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
            return null;
        return (BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32)), BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(40)), BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(48)));
    }

    private static long? FindZip64EndStart(IBlob blob, long endPosition)
    {
        if (endPosition < Zip64LocatorLength)
            return null;
        var locator = blob.ReadBytes(endPosition - Zip64LocatorLength, Zip64LocatorLength);
        if (locator.Length < Zip64LocatorLength || BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature)
            return null;
        // The locator's offset is relative to the archive start; for an archive at 0 it is absolute.
        var at = BinaryPrimitives.ReadInt64LittleEndian(locator.AsSpan(8));
        return at >= 0 && at < endPosition ? at : null;
    }

    public void Unpack(IBlob chunk, FormatMatch<Layout> match, IUnpackContext context)
    {
        if (match.State is Recovered recovered)
        {
            UnpackRecovered(chunk, match, recovered, context);
            return;
        }
        var dir = ((Complete)match.State).Directory;
        // State offsets are relative to the blob TryMatch saw; rebase them onto the chunk.
        var shift = match.Offset;
        var central = dir.CentralOffset - shift;
        var end = central + dir.CentralSize;
        if (central < 0 || end > chunk.Length)
            throw new FormatException(Id, central, "central directory lies outside the archive");
        var archiveStart = dir.ArchiveStart - shift;
        var position = central;
        var header = new byte[CentralLength];
        for (long i = 0; i < dir.Entries && position < end; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            chunk.ReadExactly(position, header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralSignature)
                throw new FormatException(Id, position + shift, $"central directory entry {i} has no 50 4b 01 02 signature; the directory is corrupt");
            var h = header.AsSpan();
            var madeBy = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            var dosTime = BinaryPrimitives.ReadUInt32LittleEndian(h[12..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            var external = BinaryPrimitives.ReadUInt32LittleEndian(h[38..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            var nameBytes = chunk.ReadBytes(position + CentralLength, nameLength);
            var extra = chunk.ReadBytes(position + CentralLength + nameLength, extraLength);
            if (nameBytes.Length != nameLength || extra.Length != extraLength)
                throw new FormatException(Id, position + shift, "central directory entry passes the end of the archive");
            ApplyZip64(extra, ref size, ref compressed, ref local);
            position = checked(position + CentralLength + nameLength + extraLength + commentLength);
            var name = (flags & FlagUtf8) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            // Windows-made archives may use backslashes as separators (APPNOTE 4.4.17 forbids it, tools do it anyway).
            if ((madeBy >> 8) != HostUnix)
                name = name.Replace('\\', '/');
            var unixMode = (madeBy >> 8) == HostUnix ? (int)(external >> 16) : 0;
            var meta = new EntryMeta(name) { Mode = unixMode != 0 ? unixMode & 0xfff : null, Mtime = DosTime(dosTime) };
            if (name.EndsWith('/') || (unixMode & 0xf000) == 0x4000)
            {
                context.AddDirectory(meta);
                continue;
            }
            if ((flags & FlagEncrypted) != 0)
            {
                context.AddError($"entry is encrypted; listed, content not examined", local, name);
                continue;
            }
            try
            {
                var dataStart = DataStart(chunk, archiveStart + local, shift);
                if (compressed < 0 || dataStart + compressed > chunk.Length)
                    throw new FormatException(Id, dataStart + shift, $"entry data of {compressed} bytes passes the end of the archive; truncated");
                var data = chunk.Slice(dataStart, compressed);
                if ((unixMode & 0xf000) == 0xa000)
                {
                    using var targetStream = Open(method, data, size, dataStart + shift);
                    using var reader = new StreamReader(targetStream, Encoding.UTF8);
                    var target = new char[Math.Min(size, 4096)];
                    var n = reader.ReadBlock(target, 0, target.Length);
                    context.AddSymlink(meta, new string(target, 0, n));
                    continue;
                }
                if (method == MethodStored)
                {
                    if (size != compressed)
                        context.AddError($"stored entry declares {size} bytes but holds {compressed}", local, name);
                    context.AddFile(meta, data);
                    continue;
                }
                using var stream = Open(method, data, size, dataStart + shift);
                // the entry decodes from its data alone, given the method and the declared size
                var identity = context.KeepsResults && size >= PackedIdentity.MinimumSize ? PackedIdentity.OfStored("zip-entry/1", [method, size], data, size) : null;
                context.AddFile(meta, stream, compressed, identity);
            }
            catch (FormatException e)
            {
                context.AddError(e.Message, e.Offset, name);
            }
            catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException))
            {
                // A decoder refusing the entry's data at its start (bad bzip2/lzma/zstd header) spoils that entry only.
                context.AddError($"entry data could not be decoded ({e.GetType().Name}: {e.Message})", local, name);
            }
        }
    }

    /// <summary>Entries found from their local headers: each decoded and its CRC-32 checked against the header's.</summary>
    private void UnpackRecovered(IBlob chunk, FormatMatch<Layout> match, Recovered recovered, IUnpackContext context)
    {
        context.AddError($"zip at 0x{match.Offset:x}: no central directory (the archive is truncated); {recovered.Entries.Count} whole entries recovered from their local headers, " +
            $"without modes; the walk stopped at {recovered.Stop}", match.Offset);
        foreach (var entry in recovered.Entries)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var meta = new EntryMeta(entry.Name) { Mtime = entry.Mtime };
            if (entry.Name.EndsWith('/'))
            {
                context.AddDirectory(meta);
                continue;
            }
            if ((entry.Flags & FlagEncrypted) != 0)
            {
                context.AddError("entry is encrypted; listed, content not examined", entry.DataStart, entry.Name);
                continue;
            }
            var start = entry.DataStart - match.Offset;
            try
            {
                using var stream = Open(entry.Method, chunk.Slice(start, entry.Compressed), entry.Size, entry.DataStart);
                using var checkedStream = new Crc32Stream(stream);
                context.AddFile(meta, checkedStream, entry.Compressed);
                if (checkedStream.ReachedEnd && (checkedStream.Crc != entry.Crc || checkedStream.Length64 != entry.Size))
                    context.AddError($"entry data gives {checkedStream.Length64} bytes with CRC-32 {checkedStream.Crc:x8}; the local header says {entry.Size} bytes with {entry.Crc:x8}; the entry is damaged", entry.DataStart, entry.Name);
            }
            catch (FormatException e)
            {
                context.AddError(e.Message, e.Offset, entry.Name);
            }
            catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException))
            {
                context.AddError($"entry data could not be decoded ({e.GetType().Name}: {e.Message})", entry.DataStart, entry.Name);
            }
        }
    }

    private long DataStart(IBlob chunk, long local, long shift)
    {
        var header = chunk.ReadBytes(local, LocalLength);
        if (header.Length != LocalLength || BinaryPrimitives.ReadUInt32LittleEndian(header) != LocalSignature)
            throw new FormatException(Id, local + shift, "local file header missing where the central directory points");
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26));
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
        return checked(local + LocalLength + nameLength + extraLength);
    }

    private Stream Open(ushort method, IBlob data, long size, long offset)
    {
        var input = data.OpenStream();
        return method switch
        {
            MethodDeflate => new DeflateStream(input, System.IO.Compression.CompressionMode.Decompress),
            MethodDeflate64 => new DecoderStream(new Deflate64Stream(input, SharpCompress.Compressors.CompressionMode.Decompress), Id),
            MethodBzip2 => new DecoderStream(BZip2Stream.Create(input, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: false, leaveOpen: false, tolerateTruncatedStream: false), Id),
            MethodLzma => OpenLzma(input, data.Length, size, offset),
            MethodZstd => new DecoderStream(new ZstdSharp.DecompressionStream(input), Id),
            MethodStored => input,
            _ => throw new FormatException(Id, offset, $"compression method {method} is not supported (stored, deflate, deflate64, bzip2, lzma and zstd are)"),
        };
    }

    /// <summary>ZIP's LZMA (APPNOTE 5.8.8): version (2), properties size (2), properties (5), then the stream.</summary>
    private Stream OpenLzma(Stream input, long compressed, long size, long offset)
    {
        Span<byte> head = stackalloc byte[4];
        input.ReadExactly(head);
        var propsSize = BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
        if (propsSize != 5)
            throw new FormatException(Id, offset, $"LZMA properties size {propsSize}, expected 5");
        var props = new byte[5];
        input.ReadExactly(props);
        return new DecoderStream(LzmaStream.Create(props, input, compressed - 9, size, leaveOpen: false), Id);
    }

    private static void ApplyZip64(byte[] extra, ref long size, ref long compressed, ref long local)
    {
        var i = 0;
        while (i + 4 <= extra.Length)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra.AsSpan(i));
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra.AsSpan(i + 2));
            if (i + 4 + length > extra.Length)
                return;
            if (id == Zip64ExtraId)
            {
                // Only the fields whose 32-bit value is all ones are present, in this order (APPNOTE 4.5.3).
                var field = extra.AsSpan(i + 4, length);
                var at = 0;
                if (size == 0xffffffff && at + 8 <= field.Length)
                {
                    size = BinaryPrimitives.ReadInt64LittleEndian(field[at..]);
                    at += 8;
                }
                if (compressed == 0xffffffff && at + 8 <= field.Length)
                {
                    compressed = BinaryPrimitives.ReadInt64LittleEndian(field[at..]);
                    at += 8;
                }
                if (local == 0xffffffff && at + 8 <= field.Length)
                    local = BinaryPrimitives.ReadInt64LittleEndian(field[at..]);
                return;
            }
            i += 4 + length;
        }
    }

    private static long? DosTime(uint dos)
    {
        var year = 1980 + (int)(dos >> 25);
        var month = (int)((dos >> 21) & 0xf);
        var day = (int)((dos >> 16) & 0x1f);
        var hour = (int)((dos >> 11) & 0x1f);
        var minute = (int)((dos >> 5) & 0x3f);
        var second = (int)(dos & 0x1f) * 2;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            return null;
        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).ToUnixTimeSeconds();
    }
}
