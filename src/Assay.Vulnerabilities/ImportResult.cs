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

    /// <summary>CISA KEV and FIRST EPSS rows stored (those feeds are replaced whole).</summary>
    public int ExploitRows { get; init; }

    public required IReadOnlyList<ImportIssue> Issues { get; init; }
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Records read (imported, unchanged, withdrawn, KEV/EPSS rows or malformed).</summary>
    public int Records => Added + Updated + Unchanged + Withdrawn + ExploitRows + Issues.Count;
}

/// <summary>How an import treats malformed input.</summary>
public sealed record ImportOptions
{
    /// <summary>When true the first malformed record aborts the import and nothing is changed.</summary>
    public bool Strict { get; init; }

    public Import.ImportLimits Limits { get; init; } = Import.ImportLimits.Default;

    /// <summary>
    /// When true a file that cannot be read to its end (a truncated or corrupt download) aborts the
    /// import and leaves the database unchanged (what <c>db update</c> uses); when false its readable
    /// records are imported and the problem is reported.
    /// </summary>
    public bool RejectIncompleteFiles { get; init; }

    /// <summary>Called after every file with the running totals (for progress output).</summary>
    public Action<string, int>? OnFileDone { get; init; }
}

/// <summary>The import was aborted (strict mode, or cancelled); the database is unchanged.</summary>
public sealed class ImportAbortedException(string message, Exception? inner = null) : Exception(message, inner);
