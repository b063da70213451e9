using System.Text.Json;
using Assay.History.Build;
using Assay.Reports;

namespace Assay.History.Reports;

/// <summary>The verify-build document (<see cref="VerifyResult"/>): the JSON contract tests and users rely on.</summary>
public sealed class VerifyJsonWriter : IVerifyReportWriter
{
    public string Id => "json";
    public string Description => "verify-build document (JSON: verdict, normalisations, unexplainedBytes, files with sections)";
    public string FileExtension => ".json";

    public void Write(VerifyResult result, Stream output)
    {
        JsonSerializer.Serialize(output, result, AssayJson.Options);
        output.WriteByte((byte)'\n');
    }
}
