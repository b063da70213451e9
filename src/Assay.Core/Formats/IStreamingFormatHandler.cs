namespace Assay.Core.Formats;

/// <summary>
/// A format that can be unpacked as its bytes stream by, without random access: tar and cpio, whose
/// headers and contents follow one another. When such content comes out of a decompressor the
/// pipeline does not spool it: it hands the handler the decompressed stream, and each entry is
/// copied out (to pooled memory, or a scratch file when large) as the stream passes, so memory does
/// not grow with the archive and the entries are hashed and inspected on other cores while the
/// decompressor runs. The blob form of <see cref="IFormatHandler.Unpack"/> must list the same
/// entries and report the same length.
/// </summary>
public interface IStreamingFormatHandler : IFormatHandler
{
    /// <summary>
    /// True when content that starts with <paramref name="head"/> is this format and can be unpacked
    /// from a stream. <paramref name="head"/> holds the first <see cref="StreamHead.Bytes"/> bytes
    /// (less only when the content is shorter).
    /// </summary>
    bool CanStream(ReadOnlySpan<byte> head);

    /// <summary>
    /// Lists the entries of the content read from <paramref name="content"/> (positioned at the
    /// start of the archive), through <paramref name="context"/>: a regular file's bytes are passed
    /// as a stream that the context reads to its end before the handler reads on. Reports the
    /// archive's length with <see cref="IUnpackContext.ReportLength"/> when it knows where the
    /// archive ends (what follows is carved, as in the blob form), and returns without reading
    /// further than it must. Malformed data throws <see cref="FormatException"/>; entries emitted
    /// before stay in the tree.
    /// </summary>
    void UnpackStream(Stream content, IUnpackContext context);
}

/// <summary>How much of a decompressed stream the pipeline reads before it decides how to unpack it.</summary>
public static class StreamHead
{
    /// <summary>Bytes of head: enough for every magic and for file-type detection.</summary>
    public const int Bytes = 64 << 10;
}
