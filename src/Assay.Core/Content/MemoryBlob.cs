namespace Assay.Core.Content;

/// <summary>Content held in memory.</summary>
public sealed class MemoryBlob(ReadOnlyMemory<byte> data) : IBlob
{
    public ReadOnlyMemory<byte> Data { get; } = data;

    public long Length => Data.Length;

    public int Read(long position, Span<byte> buffer)
    {
        if (position < 0 || position >= Data.Length)
            return 0;
        var n = (int)Math.Min(buffer.Length, Data.Length - position);
        Data.Span.Slice((int)position, n).CopyTo(buffer);
        return n;
    }

    public void Dispose()
    {
    }
}
