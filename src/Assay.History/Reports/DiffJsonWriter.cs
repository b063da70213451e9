using System.Text.Json;
using Assay.History.Diff;

namespace Assay.History.Reports;

/// <summary>The diff document (<see cref="ReleaseDiffResult"/>): the JSON contract tests and users rely on.</summary>
public sealed class DiffJsonWriter : IDiffReportWriter
{
    public string Id => "json";
    public string Description => "release diff document (JSON: components, vulnerabilities, findings, files, hardening, ts33117)";
    public string FileExtension => ".json";

    public void Write(ReleaseDiffResult diff, Stream output)
    {
        JsonSerializer.Serialize(output, diff, HistoryJson.Options.TypeInfo<ReleaseDiffResult>());
        output.WriteByte((byte)'\n');
    }
}
