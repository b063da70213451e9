using System.Text.Json;
using Assay.History.Build;

namespace Assay.History.Reports;

/// <summary>The verify-build document (<see cref="VerifyResult"/>): the JSON contract tests and users rely on.</summary>
public sealed class VerifyJsonWriter : IVerifyReportWriter
{
    public string Id => "json";
    public string Description => "verify-build document (JSON: verdict, normalisations, unexplainedBytes, files with sections)";
    public string FileExtension => ".json";

    public void Write(VerifyResult result, Stream output)
    {
        JsonSerializer.Serialize(output, result, HistoryJson.Options.TypeInfo<VerifyResult>());
        output.WriteByte((byte)'\n');
    }
}
