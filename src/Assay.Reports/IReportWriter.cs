using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>One output format of an evaluation (<c>json</c>, <c>cyclonedx</c>, <c>sarif</c> ...).</summary>
public interface IReportWriter
{
    /// <summary>Stable lower-case id, the value of <c>-f</c>.</summary>
    string Id { get; }

    string Description { get; }

    /// <summary>Usual file extension, with the dot.</summary>
    string FileExtension { get; }

    void Write(Evaluation evaluation, Stream output);
}
