using Assay.Core.Content;

namespace Assay.Core.Formats;

/// <summary>Broad class of a format, used for the file type of its content and for docs.</summary>
public enum FormatCategory
{
    /// <summary>One compressed stream with one child (gzip, xz, zstd ...).</summary>
    Compression,

    /// <summary>An archive of entries (zip, tar, cpio, 7z).</summary>
    Archive,

    /// <summary>A filesystem image (SquashFS, ext4, UBIFS, JFFS2, ISO 9660).</summary>
    Filesystem,

    /// <summary>A firmware container (uImage, FIT, UBI, TRX, Android sparse, flash layouts).</summary>
    Firmware,

    /// <summary>A text or binary encoding of memory contents (Intel HEX, S-record).</summary>
    Encoding,
}

/// <summary>
/// A magic byte sequence that starts the format's header, at <see cref="Offset"/> bytes from the
/// start of the chunk (tar's <c>ustar</c> sits at 257).
/// </summary>
public sealed record MagicSignature(int Offset, byte[] Bytes)
{
    public static MagicSignature Ascii(string text, int offset = 0) => new(offset, System.Text.Encoding.ASCII.GetBytes(text));
    public static MagicSignature Hex(string hex, int offset = 0) => new(offset, Convert.FromHexString(hex));
}

/// <summary>
/// A validated header: the chunk starts at <see cref="Offset"/> of the blob and spans
/// <see cref="Length"/> bytes (null when the length is only known after unpacking; then it runs to
/// the end of the blob). <see cref="Description"/> says what was recognised
/// (<c>squashfs 4.0, xz, little-endian, 1024 inodes</c>). A handler that learns something while
/// validating and wants it back in <c>Unpack</c> returns a <see cref="FormatMatch{TState}"/>.
/// </summary>
public record FormatMatch(long Offset, long? Length, string Description);

/// <summary>A match that carries what the handler learned while validating (its parsed header), typed.</summary>
public sealed record FormatMatch<TState>(long Offset, long? Length, string Description, TState State) : FormatMatch(Offset, Length, Description);

/// <summary>
/// One format: declares its id, magic, references and limitations beside its logic
/// (STYLE.md rule 1). Handlers are stateless and thread-safe; one instance serves every scan.
/// A handler whose <c>Unpack</c> needs what <c>TryMatch</c> parsed implements
/// <see cref="IFormatHandler{TState}"/> instead.
/// </summary>
public interface IFormatHandler
{
    /// <summary>Stable lower-case id (<c>gzip</c>, <c>squashfs</c>).</summary>
    string Id { get; }

    string Description { get; }
    FormatCategory Category { get; }

    /// <summary>Magic sequences used to identify the format at offset 0 and to carve it out of unknown blobs. Empty: never tried by magic.</summary>
    IReadOnlyList<MagicSignature> Magics { get; }

    /// <summary>Specifications and sources the handler was written from.</summary>
    IReadOnlyList<string> References { get; }

    /// <summary>What the handler does not do (documented, shown in <c>assay formats</c>).</summary>
    IReadOnlyList<string> Limitations { get; }

    /// <summary>
    /// "Not this format" returns null. Validates the header at <paramref name="offset"/> of
    /// <paramref name="blob"/> with bounded reads and returns the chunk's extent. A malformed header
    /// may also throw one of the input failures of <see cref="Pipeline.FailureClassifier"/>; any
    /// other exception is a bug and is reported as one.
    /// </summary>
    FormatMatch? TryMatch(IBlob blob, long offset);

    /// <summary>
    /// Lists the children of the chunk (<paramref name="chunk"/> starts at the match offset and is
    /// bounded by its length) through <paramref name="context"/>. "This format but broken" throws
    /// <see cref="FormatException"/> with the offset; entries emitted before stay in the tree.
    /// </summary>
    void Unpack(IBlob chunk, FormatMatch match, IUnpackContext context);
}

/// <summary>
/// A handler whose match carries typed state from <see cref="TryMatch"/> to <see cref="Unpack"/>
/// (its parsed superblock or header), so <c>Unpack</c> never casts. The untyped members of
/// <see cref="IFormatHandler"/> are bridged here: a match that did not come from this handler
/// (a test that builds one by hand) is validated again at offset 0 of the chunk.
/// </summary>
/// <typeparam name="TState">What the handler parsed while validating (a record).</typeparam>
public interface IFormatHandler<TState> : IFormatHandler
{
    /// <inheritdoc cref="IFormatHandler.TryMatch"/>
    new FormatMatch<TState>? TryMatch(IBlob blob, long offset);

    /// <inheritdoc cref="IFormatHandler.Unpack"/>
    void Unpack(IBlob chunk, FormatMatch<TState> match, IUnpackContext context);

    FormatMatch? IFormatHandler.TryMatch(IBlob blob, long offset) => TryMatch(blob, offset);

    void IFormatHandler.Unpack(IBlob chunk, FormatMatch match, IUnpackContext context)
    {
        ArgumentNullException.ThrowIfNull(match);
        if (match is not FormatMatch<TState> typed)
        {
            var again = TryMatch(chunk, 0)
                ?? throw new ArgumentException($"{Id}: the match at 0x{match.Offset:x} was not made by this handler and the chunk does not validate as {Id}", nameof(match));
            typed = again with { Length = match.Length ?? again.Length };
        }
        Unpack(chunk, typed, context);
    }
}
