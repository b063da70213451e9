namespace Assay.Core.Formats;

/// <summary>
/// "This format, but broken": the data claims to be the format and violates it. Carries the format
/// id, the byte offset and the field, so the message can say exactly what is wrong and where.
/// </summary>
public sealed class FormatException : Exception
{
    public FormatException(string formatId, long offset, string message)
        : base($"{formatId} at 0x{offset:x}: {message}")
    {
        FormatId = formatId;
        Offset = offset;
    }

    public FormatException(string formatId, long offset, string message, Exception inner)
        : base($"{formatId} at 0x{offset:x}: {message}", inner)
    {
        FormatId = formatId;
        Offset = offset;
    }

    public string FormatId { get; }
    public long Offset { get; }
}

/// <summary>A configured scan limit was hit (depth, bytes, ratio, files, time). The scan goes on without that subtree.</summary>
public sealed class LimitExceededException(string limit, string message) : Exception(message)
{
    /// <summary>Name of the limit as in <see cref="Pipeline.ScanLimits"/> (<c>maxRatio</c>).</summary>
    public string Limit { get; } = limit;
}
