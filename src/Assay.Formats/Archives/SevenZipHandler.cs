using System.Buffers.Binary;
using System.IO.Hashing;
using Assay.Core.Content;
using Assay.Core.Formats;
using SharpCompress.Archives.SevenZip;
using SharpCompress.Readers;

namespace Assay.Formats;

/// <summary>7z archives, read with SharpCompress (LZMA, LZMA2, PPMd, BZip2, Deflate, BCJ/BCJ2 filters).</summary>
/// <remarks>
/// Signature header, 32 bytes (7zFormat.txt "SignatureHeader"): <c>37 7a bc af 27 1c</c>, version
/// (2), StartHeaderCRC (4) over the next 20 bytes: NextHeaderOffset (8), NextHeaderSize (8),
/// NextHeaderCRC (4). The archive spans 32 + NextHeaderOffset + NextHeaderSize bytes.
/// </remarks>
public sealed class SevenZipHandler : IFormatHandler
{
    private const int SignatureHeaderLength = 32;
    private const int StartHeaderCrcOffset = 8;
    private const int NextHeaderOffsetOffset = 12;
    private const int NextHeaderSizeOffset = 20;

    public string Id => "7z";
    public string Description => "7-Zip archive";
    public FormatCategory Category => FormatCategory.Archive;
    public IReadOnlyList<MagicSignature> Magics { get; } = [MagicSignature.Hex("377abcaf271c")];
    public IReadOnlyList<string> References { get; } = ["7-Zip DOC/7zFormat.txt"];
    public IReadOnlyList<string> Limitations { get; } =
    [
        "encrypted archives are listed as an error",
        "Unix modes are reported when the archive stores them (attribute bit 0x8000, mode in the high 16 bits: 7-Zip and p7zip on Unix); archives made on Windows have none",
        "entries are decompressed in archive order (solid blocks)",
    ];

    /// <summary>FILE_ATTRIBUTE_UNIX_EXTENSION (7-Zip CPP/Windows/FileFind.h): the high 16 bits hold st_mode.</summary>
    private const int UnixExtension = 0x8000;
    private const int ModeTypeMask = 0xf000;
    private const int ModeSymlink = 0xa000;
    private const int ModeDirectory = 0x4000;
    private const int MaxLinkTarget = 4096;

    public FormatMatch? TryMatch(IBlob blob, long offset)
    {
        Span<byte> h = stackalloc byte[SignatureHeaderLength];
        if (!blob.TryReadExactly(offset, h) || !h[..6].SequenceEqual((ReadOnlySpan<byte>)[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))
            return null;
        if (Crc32.HashToUInt32(h[NextHeaderOffsetOffset..]) != BinaryPrimitives.ReadUInt32LittleEndian(h[StartHeaderCrcOffset..]))
            return null;
        var nextOffset = BinaryPrimitives.ReadInt64LittleEndian(h[NextHeaderOffsetOffset..]);
        var nextSize = BinaryPrimitives.ReadInt64LittleEndian(h[NextHeaderSizeOffset..]);
        if (nextOffset < 0 || nextSize < 0 || nextOffset > blob.Length || nextSize > blob.Length)
            return null;
        var length = SignatureHeaderLength + nextOffset + nextSize;
        if (offset + length > blob.Length)
            return null;
        return new FormatMatch(offset, length, $"7z, version {h[6]}.{h[7]}");
    }

    public void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        try
        {
            UnpackEntries(chunk, context);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LimitExceededException or Core.Formats.FormatException))
        {
            // SharpCompress throws its own and general exception types on corrupt archives.
            throw new Core.Formats.FormatException(Id, 0, $"the archive is corrupt or truncated ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private void UnpackEntries(IBlob chunk, IUnpackContext context)
    {
        using var input = chunk.OpenStream();
        using var archive = SevenZipArchive.OpenArchive(input, new ReaderOptions { LeaveStreamOpen = true });
        if (archive.IsEncrypted)
            throw new Core.Formats.FormatException(Id, 0, "the archive is encrypted; entries cannot be examined without the password");
        // Attrib keeps only the low 16 bits; the full 32-bit attributes (with the Unix mode above
        // them) are SevenZipArchiveEntry.ExtendedAttrib of the archive's entry list.
        var attributes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in archive.Entries)
        {
            if (e.Key is { } k && e is SevenZipArchiveEntry { ExtendedAttrib: int a })
                attributes.TryAdd(k, a);
        }
        using var reader = archive.ExtractAllEntries();
        while (reader.MoveToNextEntry())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var entry = reader.Entry;
            var key = entry.Key ?? "";
            var unixMode = attributes.TryGetValue(key, out var attrib) && (attrib & UnixExtension) != 0 ? (attrib >> 16) & 0xffff : (int?)null;
            var meta = new EntryMeta(key)
            {
                Mtime = entry.LastModifiedTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds() : null,
                Mode = unixMode & 0xfff,
            };
            if (entry.IsDirectory || (unixMode & ModeTypeMask) == ModeDirectory)
            {
                context.AddDirectory(meta);
                continue;
            }
            using var content = new DecoderStream(reader.OpenEntryStream(), Id);
            if ((unixMode & ModeTypeMask) == ModeSymlink)
            {
                // A link stored as a link (7z a -snl): the entry's data is the target.
                var target = new byte[MaxLinkTarget];
                var length = content.ReadAtLeast(target, MaxLinkTarget, throwOnEndOfStream: false);
                context.AddSymlink(meta, System.Text.Encoding.UTF8.GetString(target, 0, length));
                continue;
            }
            context.AddFile(meta, content, entry.CompressedSize > 0 ? entry.CompressedSize : null);
        }
    }
}
