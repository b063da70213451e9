namespace Assay.Core.Content;

/// <summary>A bounded window of a parent blob. Disposing a slice does not dispose the parent.</summary>
public sealed class SliceBlob : IBlob
{
    private readonly IBlob _parent;
    private readonly long _offset;

    public SliceBlob(IBlob parent, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (offset < 0 || length < 0 || offset > parent.Length || length > parent.Length - offset)
            throw new ArgumentOutOfRangeException(nameof(length), $"slice 0x{offset:x}+0x{length:x} lies outside content of 0x{parent.Length:x} bytes");
        _parent = parent;
        _offset = offset;
        Length = length;
    }

    public long Length { get; }

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Length)
            return 0;
        var n = (int)Math.Min(buffer.Length, Length - position);
        return _parent.Read(_offset + position, buffer[..n]);
    }

    public void Dispose()
    {
    }
}
