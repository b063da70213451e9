namespace Assay.Core.Model;

/// <summary>One image of the <c>container-images</c> summary.</summary>
public sealed record ImageSummary
{
    public required string Path { get; init; }
    public string? Platform { get; init; }
    public string? Created { get; init; }

    /// <summary>The configured user; empty means root.</summary>
    public required string User { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    public string? WorkingDir { get; init; }

    /// <summary>NAME=value, values of secret-named variables masked.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The build steps (created_by), oldest first.</summary>
    public IReadOnlyList<string> History { get; init; } = [];
    public int Layers { get; init; }
}
