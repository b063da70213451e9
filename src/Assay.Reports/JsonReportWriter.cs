using System.Text.Json;
using Assay.Core.Model;

namespace Assay.Reports;

/// <summary>The canonical evaluation document (schema: <c>docs/evaluation.schema.json</c>).</summary>
public sealed class JsonReportWriter : IReportWriter
{
    public string Id => "json";
    public string Description => "Assay evaluation document (canonical JSON, versioned schema)";
    public string FileExtension => ".json";

    public void Write(Evaluation evaluation, Stream output)
    {
        JsonSerializer.Serialize(output, evaluation, ModelJson.TypeInfo<Evaluation>(AssayJson.Options));
        output.WriteByte((byte)'\n');
    }

    /// <summary>Reads an evaluation document written by <see cref="Write"/>.</summary>
    public static Evaluation Read(Stream input) =>
        ModelDefaults.Restore(JsonSerializer.Deserialize(input, ModelJson.TypeInfo<Evaluation>(AssayJson.Reading))
            ?? throw new InvalidDataException("the file holds no evaluation document (JSON null)"));
}
