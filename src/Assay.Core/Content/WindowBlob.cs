namespace Assay.Core.Content;

/// <summary>
/// A blob of declared <see cref="Length"/> of which only one region is at hand: the head of a
/// container that was unpacked as it streamed by (what an inspector that reads headers may read),
/// or the tail that followed the end of a streamed archive (what the carver reads). Reading outside
/// the region is a bug of the reader and throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class WindowBlob : IBlob
{
    private readonly IBlob _region;
    private readonly long _regionOffset;

    /// <param name="length">Length of the whole content.</param>
    /// <param name="regionOffset">Where <paramref name="region"/> sits in the whole content.</param>
    /// <param name="region">The bytes at hand.</param>
    public WindowBlob(long length, long regionOffset, IBlob region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (regionOffset < 0 || length < 0 || region.Length > length - regionOffset)
            throw new ArgumentOutOfRangeException(nameof(regionOffset), $"region 0x{regionOffset:x}+0x{region.Length:x} lies outside content of 0x{length:x} bytes");
        Length = length;
        _regionOffset = regionOffset;
        _region = region;
    }

    public long Length { get; }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length || buffer.Length == 0)
            return 0;
        var n = (int)Math.Min(buffer.Length, Length - position);
        if (position < _regionOffset || position + n > _regionOffset + _region.Length)
            throw new InvalidOperationException($"read of 0x{n:x} bytes at 0x{position:x} is outside the 0x{_region.Length:x} bytes kept at 0x{_regionOffset:x} of this streamed content");
        return _region.Read(position - _regionOffset, buffer[..n]);
    }

    public void Dispose() => _region.Dispose();
}
