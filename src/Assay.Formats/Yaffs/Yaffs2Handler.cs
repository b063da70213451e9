using Assay.Core.Content;
using Assay.Core.Formats;
using Assay.Core.Model;
using FormatException = Assay.Core.Formats.FormatException;

namespace Assay.Formats.Yaffs;

/// <summary>
/// YAFFS2 NAND images (mkyaffs2image, NAND dumps of Android and router flash): pages with a spare
/// area holding the packed tags, in either layout (tags at the start of the spare, or after the
/// two bad-block marker bytes), for the common geometries. Object headers give names, modes,
/// owners, times, symlink targets, hard links and devices; file data is gathered by (object,
/// chunk) from the data chunks, the newest sequence number winning. Erased pages are skipped, so
/// a flash dump with free blocks reads like an image file.
/// </summary>
/// <remarks>
/// Aleph One yaffs2: yaffs_guts.h (struct yaffs_obj_hdr, object ids), yaffs_packedtags2.h (tags),
/// mkyaffs2image.c. A first chunk (mkyaffs2image writes the root's children first):
/// <code>
/// 00000000  03 00 00 00 01 00 00 00  ff ff 65 74 63 00 00 00  |..........etc...|   directory "etc" in the root
/// spare:    00 10 00 00 01 01 00 00  00 00 00 80 00 00 00 00   seq 0x1000, obj 0x101, header flag
/// </code>
/// </remarks>
internal sealed class Yaffs2Handler : IFormatHandler<Yaffs2Handler.State>
{
    private const int MaxObjects = 1 << 20;

    /// <summary>Geometries tried, most common first: (page, spare).</summary>
    private static readonly (int Page, int Spare)[] Geometries = [(2048, 64), (4096, 128), (4096, 224), (4096, 256), (8192, 448), (8192, 512), (2048, 128), (1024, 32), (512, 16)];

    public string Id => "yaffs2";
    public string Description => "YAFFS2 NAND filesystem image (page + spare, both tag layouts)";
    public FormatCategory Category => FormatCategory.Filesystem;

    public IReadOnlyList<MagicSignature> Magics { get; } =
    [
        // An object header in the root (parent 1) with the unused name checksum 0xffff: file, symlink, directory, special.
        MagicSignature.Hex("0100000001000000ffff"),
        MagicSignature.Hex("0200000001000000ffff"),
        MagicSignature.Hex("0300000001000000ffff"),
        MagicSignature.Hex("0500000001000000ffff"),
    ];

    public IReadOnlyList<string> References { get; } = ["Aleph One yaffs2 yaffs_guts.h (struct yaffs_obj_hdr), yaffs_packedtags2.h (packed tags 2)", "yaffs2 utils/mkyaffs2image.c", "unyaffs 0.9.7 (layout autodetection, -b)"];

    public IReadOnlyList<string> Limitations { get; } =
    [
        "little-endian images only; the tags' ECC bytes are not checked (NAND hardware ECC over the data is not in an image either)",
        "images with inband tags (tags inside the page) and YAFFS1 (512-byte pages with yaffs1 tags) are not read",
        "the image must start with an object header in the root directory (as mkyaffs2image writes it); a dump starting with data chunks is found only where such a header is",
    ];

    internal sealed record State(Yaffs2Geometry Geometry, long Length, int Chunks);

    public FormatMatch<State>? TryMatch(IBlob blob, long offset)
    {
        var header = blob.ReadBytes(offset, Yaffs2Header.Length);
        if (Yaffs2Header.Read(header) is not { } first || first.Name.Length == 0)
            return null;
        Span<byte> marker = stackalloc byte[2];
        foreach (var (page, spare) in Geometries)
        {
            // A good-block marker (ff ff) at the start of the spare means the tags follow it; with the
            // tags at the start those bytes are the low half of the sequence number (0x1000 and up).
            var badBlockLayout = blob.TryReadExactly(offset + page, marker) && marker[0] == 0xff && marker[1] == 0xff;
            foreach (var tagsOffset in badBlockLayout ? (ReadOnlySpan<int>)[2, 0] : [0, 2])
            {
                var g = new Yaffs2Geometry(page, spare, tagsOffset);
                if (ReadTags(blob, offset, 0, g) is not { } tags || !tags.IsPlausible(page) || !tags.IsHeader)
                    continue;
                var (length, chunks) = Extent(blob, offset, g);
                if (chunks < 1)
                    continue;
                return new FormatMatch<State>(offset, length, $"yaffs2, {page}-byte pages, {spare}-byte spare, tags at spare +{tagsOffset}, {chunks} chunks", new State(g, length, chunks));
            }
        }
        return null;
    }

    /// <summary>Chunks from the start while their tags are plausible or erased; the extent ends after the last used chunk.</summary>
    private static (long Length, int Chunks) Extent(IBlob blob, long offset, Yaffs2Geometry g)
    {
        long index = 0;
        long lastUsed = -1;
        var used = 0;
        while (offset + ((index + 1) * g.ChunkSize) <= blob.Length)
        {
            var tags = ReadTags(blob, offset, index, g);
            if (tags is not { } t)
                break;
            if (t.IsErased)
            {
                index++;
                continue;
            }
            if (!t.IsPlausible(g.PageSize))
                break;
            lastUsed = index;
            used++;
            index++;
        }
        return ((lastUsed + 1) * g.ChunkSize, used);
    }

    private static Yaffs2Tags? ReadTags(IBlob blob, long offset, long index, Yaffs2Geometry g)
    {
        Span<byte> t = stackalloc byte[Yaffs2Tags.Size];
        return blob.TryReadExactly(offset + (index * g.ChunkSize) + g.PageSize + g.TagsOffset, t) ? Yaffs2Tags.Read(t) : null;
    }

    public void Unpack(IBlob chunk, FormatMatch<State> match, IUnpackContext context)
    {
        var s = match.State;
        var g = s.Geometry;
        var ct = context.CancellationToken;
        var headers = new Dictionary<uint, (Yaffs2Header Header, uint Sequence, long Position)>();
        var data = new Dictionary<uint, Dictionary<uint, (long Position, int Bytes, uint Sequence)>>();
        var page = new byte[Yaffs2Header.Length];
        var count = chunk.Length / g.ChunkSize;
        for (long i = 0; i < count; i++)
        {
            if ((i & 0x3ff) == 0)
                ct.ThrowIfCancellationRequested();
            if (ReadTags(chunk, 0, i, g) is not { } tags || tags.IsErased || !tags.IsPlausible(g.PageSize))
                continue;
            var position = i * g.ChunkSize;
            if (tags.IsHeader)
            {
                chunk.ReadExactly(position, page);
                if (Yaffs2Header.Read(page) is not { } header)
                {
                    context.AddError($"yaffs2: chunk {i} is tagged as the header of object {tags.Object} but holds no valid object header; skipped", match.Offset + position);
                    continue;
                }
                if (!headers.TryGetValue(tags.Object, out var known) || known.Sequence <= tags.Sequence)
                    headers[tags.Object] = (header, tags.Sequence, position);
                if (headers.Count > MaxObjects)
                    throw new LimitExceededException("maxFiles", $"yaffs2 at 0x{match.Offset:x}: more than {MaxObjects} objects");
            }
            else
            {
                if (!data.TryGetValue(tags.Object, out var chunks))
                    data[tags.Object] = chunks = [];
                if (!chunks.TryGetValue(tags.ChunkId, out var known) || known.Sequence <= tags.Sequence)
                    chunks[tags.ChunkId] = (position, (int)tags.ByteCount, tags.Sequence);
            }
        }

        var paths = new Dictionary<uint, string?>();
        string? PathOf(uint id, int depth = 0)
        {
            if (id == Yaffs2Header.RootId)
                return "";
            if (paths.TryGetValue(id, out var known))
                return known;
            if (depth > 256 || !headers.TryGetValue(id, out var h) || h.Header.Parent is Yaffs2Header.UnlinkedId or Yaffs2Header.DeletedId || h.Header.Parent == id)
                return paths[id] = null;
            var parent = PathOf(h.Header.Parent, depth + 1);
            return paths[id] = parent is null ? null : parent.Length == 0 ? h.Header.Name : parent + "/" + h.Header.Name;
        }

        foreach (var (id, (header, _, position)) in headers.OrderBy(h => PathOf(h.Key) ?? "", StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (id <= Yaffs2Header.DeletedId)
                continue; // the root, lost+found, unlinked and deleted directories themselves
            var path = PathOf(id);
            if (path is null)
            {
                if (header.Parent is not (Yaffs2Header.UnlinkedId or Yaffs2Header.DeletedId))
                    context.AddError($"yaffs2: object {id} \"{header.Name}\" has parent {header.Parent}, which is not a directory reachable from the root; not listed", match.Offset + position);
                continue;
            }
            if (header.Name.Length == 0 || header.Name is "." or ".." || header.Name.Contains('/'))
            {
                context.AddError($"yaffs2: object {id} has the name \"{header.Name}\"; skipped", match.Offset + position, path);
                continue;
            }
            var meta = new EntryMeta(path) { Mode = (int)(header.Mode & 0xfff), Uid = header.Uid, Gid = header.Gid, Mtime = header.Mtime };
            switch (header.Type)
            {
                case Yaffs2Header.TypeDirectory:
                    context.AddDirectory(meta);
                    break;
                case Yaffs2Header.TypeFile:
                    EmitFile(chunk, g, header, data.GetValueOrDefault(id), meta, match.Offset + position, context);
                    break;
                case Yaffs2Header.TypeSymlink:
                    context.AddSymlink(meta, header.Alias);
                    break;
                case Yaffs2Header.TypeHardlink:
                    if (PathOf(header.Equivalent) is { Length: > 0 } target)
                        context.AddHardlink(meta with { Mode = null }, target);
                    else
                        context.AddError($"yaffs2: hard link \"{path}\" points at object {header.Equivalent}, which is not listed; skipped", match.Offset + position, path);
                    break;
                case Yaffs2Header.TypeSpecial:
                    EmitSpecial(header, meta, context);
                    break;
            }
        }
    }

    private void EmitFile(IBlob chunk, Yaffs2Geometry g, Yaffs2Header header, Dictionary<uint, (long Position, int Bytes, uint Sequence)>? chunks, EntryMeta meta, long headerOffset, IUnpackContext context)
    {
        if (header.Size > context.Limits.MaxFileBytes)
        {
            context.AddError($"yaffs2: \"{meta.Path}\" claims {header.Size} bytes, more than the {context.Limits.MaxFileBytes}-byte file limit; content not read", headerOffset, meta.Path);
            return;
        }
        var pieces = new List<(long Position, int Length)>();
        long total = 0;
        var needed = (header.Size + g.PageSize - 1) / g.PageSize;
        for (uint n = 1; n <= needed; n++)
        {
            var want = (int)Math.Min(g.PageSize, header.Size - total);
            if (chunks is null || !chunks.TryGetValue(n, out var c) || c.Bytes < want)
            {
                context.AddError($"yaffs2: \"{meta.Path}\" ({header.Size} bytes) has no complete data chunk {n}; the file is listed without content", headerOffset, meta.Path);
                return;
            }
            pieces.Add((c.Position, want));
            total += want;
        }
        context.AddFile(meta, new PiecesBlob(chunk, pieces, total));
    }

    private static void EmitSpecial(Yaffs2Header header, EntryMeta meta, IUnpackContext context)
    {
        // yst_rdev is the kernel's old 16-bit encoding in images from mkyaffs2image (major << 8 | minor), or new_encode_dev.
        var rdev = header.Rdev;
        var major = (rdev & 0xfff00) >> 8;
        var minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
        switch (header.Mode & 0xf000)
        {
            case 0x2000 or 0x6000:
                context.AddSpecial(meta with { Major = major, Minor = minor }, NodeKind.Device, (header.Mode & 0xf000) == 0x6000);
                break;
            case 0x1000:
                context.AddSpecial(meta, NodeKind.Fifo);
                break;
            case 0xc000:
                context.AddSpecial(meta, NodeKind.Socket);
                break;
            default:
                context.AddError($"yaffs2: special object \"{meta.Path}\" has mode 0{Convert.ToString(header.Mode, 8)}, no device, fifo or socket; skipped", null, meta.Path);
                break;
        }
    }

    /// <summary>A file made of page-sized pieces of the image (no copy).</summary>
    private sealed class PiecesBlob(IBlob image, List<(long Position, int Length)> pieces, long length) : IBlob
    {
        private readonly long[] _starts = Starts(pieces);

        public long Length { get; } = length;

        public int Read(long position, Span<byte> buffer)
        {
            if (position < 0 || position >= Length || buffer.IsEmpty)
                return 0;
            var index = Array.BinarySearch(_starts, position);
            if (index < 0)
                index = ~index - 1;
            var (at, size) = pieces[index];
            var within = position - _starts[index];
            var n = (int)Math.Min(buffer.Length, size - within);
            return image.Read(at + within, buffer[..n]);
        }

        public void Dispose()
        {
        }

        private static long[] Starts(List<(long Position, int Length)> pieces)
        {
            var starts = new long[pieces.Count];
            long sum = 0;
            for (var i = 0; i < pieces.Count; i++)
            {
                starts[i] = sum;
                sum += pieces[i].Length;
            }
            return starts;
        }
    }
}
