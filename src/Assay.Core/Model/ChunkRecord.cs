namespace Assay.Core.Model;

/// <summary>
/// A region of a container blob: a recognised format (with the handler that read it), or an
/// unknown/padding gap left between recognised chunks. This is the "format tree" of the evaluation.
/// </summary>
public sealed record ChunkRecord
{
    /// <summary>The virtual path of the blob the chunk lies in.</summary>
    public required string Path { get; init; }

    public required long Offset { get; init; }
    public required long Length { get; init; }

    /// <summary>Format id, or <c>padding</c> / <c>unknown</c> for gaps.</summary>
    public required string Format { get; init; }

    /// <summary>Shannon entropy in bits per byte, for gaps.</summary>
    public double? Entropy { get; init; }

    /// <summary>What the gap likely is (<c>high entropy: encrypted or unknown compression</c>).</summary>
    public string? Note { get; init; }

    /// <summary>Virtual path the chunk's content was given as a node.</summary>
    public string? Node { get; init; }
}
