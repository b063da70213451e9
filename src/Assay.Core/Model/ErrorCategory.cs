namespace Assay.Core.Model;

/// <summary>
/// What kind of problem a <see cref="ScanError"/> is (STYLE.md rule 4: "not this format" is no
/// error at all; "this format but broken" is <see cref="Malformed"/>; "our bug" is
/// <see cref="Internal"/>). Serialized lower-case in the evaluation (<c>malformed</c>, <c>limit</c>, ...).
/// </summary>
public enum ErrorCategory
{
    /// <summary>The input claims a format and violates it (truncated, corrupt, inconsistent).</summary>
    Malformed,

    /// <summary>A configured scan limit was hit (depth, bytes, ratio, files, time); the rest of that subtree was skipped.</summary>
    Limit,

    /// <summary>A valid input uses a feature Assay does not implement (a compression method, a format version).</summary>
    Unsupported,

    /// <summary>The input tried something dangerous (path traversal, links out of the extraction folder, device nodes).</summary>
    Unsafe,

    /// <summary>The host failed us: a read or write error, a full disk, no permission.</summary>
    Io,

    /// <summary>A bug in Assay: an exception our own code should never throw, whatever the input.</summary>
    Internal,
}

/// <summary>The lower-case names of <see cref="ErrorCategory"/> as the evaluation and the reports write them.</summary>
public static class ErrorCategoryNames
{
    public static string ToName(this ErrorCategory category) => category switch
    {
        ErrorCategory.Malformed => "malformed",
        ErrorCategory.Limit => "limit",
        ErrorCategory.Unsupported => "unsupported",
        ErrorCategory.Unsafe => "unsafe",
        ErrorCategory.Io => "io",
        ErrorCategory.Internal => "internal",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "not an ErrorCategory"),
    };
}
