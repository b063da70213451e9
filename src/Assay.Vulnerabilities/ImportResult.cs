namespace Assay.Vulnerabilities;

/// <summary>A record that could not be imported: which file, where in it, and why.</summary>
public sealed record ImportIssue(string Path, string Location, string Message)
{
    public override string ToString() => $"{Path}: {Location}: {Message}";
}

/// <summary>What an import did.</summary>
public sealed record ImportResult
{
    public required int Files { get; init; }
    public required int Added { get; init; }
    public required int Updated { get; init; }

    /// <summary>Records whose stored copy was as new or newer.</summary>
    public required int Unchanged { get; init; }

    /// <summary>Records removed because the feed marks them rejected or withdrawn.</summary>
    public required int Withdrawn { get; init; }

    public required IReadOnlyList<ImportIssue> Issues { get; init; }
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Records read (imported, unchanged, withdrawn or malformed).</summary>
    public int Records => Added + Updated + Unchanged + Withdrawn + Issues.Count;
}

/// <summary>How an import treats malformed input.</summary>
public sealed record ImportOptions
{
    /// <summary>When true the first malformed record aborts the import and nothing is changed.</summary>
    public bool Strict { get; init; }

    public Import.ImportLimits Limits { get; init; } = Import.ImportLimits.Default;

    /// <summary>Called after every file with the running totals (for progress output).</summary>
    public Action<string, int>? OnFileDone { get; init; }
}

/// <summary>The import was aborted (strict mode, or cancelled); the database is unchanged.</summary>
public sealed class ImportAbortedException(string message, Exception? inner = null) : Exception(message, inner);
