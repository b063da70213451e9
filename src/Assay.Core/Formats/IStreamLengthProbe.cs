using Assay.Core.Content;

namespace Assay.Core.Formats;

/// <summary>
/// A format whose chunk length is only known by decoding it (a deflate stream has no length field
/// and no end marker outside its bit stream), so <see cref="IFormatHandler.TryMatch"/> leaves
/// <see cref="FormatMatch.Length"/> null. The carver asks for the exact length of a chunk it found
/// inside a larger blob, so that the padding or the next partition after it becomes its own region
/// instead of the tail of the stream. Not used at offset 0: there the handler reports the length
/// while it unpacks (<see cref="IUnpackContext.ReportLength"/>), which costs nothing extra.
/// </summary>
public interface IStreamLengthProbe
{
    /// <summary>
    /// The exact length of the stream at <paramref name="offset"/> of <paramref name="blob"/>, or null
    /// when it cannot be told (corrupt or truncated stream, or more than <paramref name="maxOutput"/>
    /// bytes would have to be decoded).
    /// </summary>
    long? MeasureLength(IBlob blob, long offset, long maxOutput, CancellationToken cancellationToken);
}
