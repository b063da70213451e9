using Assay.History.Diff;

namespace Assay.History.Reports;

/// <summary>One output format of a release diff (<c>assay diff -f ID</c>).</summary>
public interface IDiffReportWriter
{
    /// <summary>Stable lower-case id, the value of <c>-f</c>.</summary>
    string Id { get; }

    string Description { get; }

    /// <summary>Usual file extension, with the dot.</summary>
    string FileExtension { get; }

    void Write(ReleaseDiffResult diff, Stream output);
}
