namespace Assay.Core.Model;

/// <summary>Something that could not be unpacked or analyzed, and why. The scan goes on.</summary>
public sealed record ScanError
{
    /// <summary>The virtual path of the node the error is about.</summary>
    public required string Path { get; init; }

    /// <summary>Handler, cataloger or analyzer id; <c>pipeline</c> for limits.</summary>
    public required string Handler { get; init; }

    public required string Message { get; init; }

    /// <summary>Byte offset inside the node, where known.</summary>
    public long? Offset { get; init; }

    /// <summary>What kind of problem it is; see <see cref="ErrorCategory"/>.</summary>
    public ErrorCategory Category { get; init; } = ErrorCategory.Malformed;
}
