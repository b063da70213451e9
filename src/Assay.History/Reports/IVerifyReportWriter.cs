using Assay.History.Build;

namespace Assay.History.Reports;

/// <summary>One output format of a build verification (<c>assay verify-build -f ID</c>).</summary>
public interface IVerifyReportWriter
{
    /// <summary>Stable lower-case id, the value of <c>-f</c>.</summary>
    string Id { get; }

    string Description { get; }

    /// <summary>Usual file extension, with the dot.</summary>
    string FileExtension { get; }

    void Write(VerifyResult result, Stream output);
}
