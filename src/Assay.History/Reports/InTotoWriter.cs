using System.Text.Json;
using System.Text.Json.Nodes;
using Assay.History.Build;

namespace Assay.History.Reports;

/// <summary>
/// The verification as an in-toto attestation (in-toto Attestation Framework, Statement v1): the
/// subjects are both inputs by SHA-256, the predicate is the verify-build document (verdict,
/// normalisations, per-file results). With a <see cref="Signer"/> it is wrapped in a DSSE envelope
/// (payloadType <c>application/vnd.in-toto+json</c>), signed over DSSE's pre-authentication encoding.
/// </summary>
public sealed class InTotoWriter : IVerifyReportWriter
{
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://assay.dev/attestations/verify-build/v1";
    public const string PayloadType = "application/vnd.in-toto+json";

    public string Id => "intoto";
    public string Description => "in-toto Statement v1 (subjects: both inputs by SHA-256; predicate: the verification), DSSE-signed with --sign-key";
    public string FileExtension => ".intoto.json";

    /// <summary>Signs the statement into a DSSE envelope when set; unsigned statement otherwise.</summary>
    public DsseSigner? Signer { get; init; }

    public void Write(VerifyResult result, Stream output)
    {
        ArgumentNullException.ThrowIfNull(result);
        var statement = Statement(result);
        if (Signer is null)
        {
            output.Write(statement);
            output.WriteByte((byte)'\n');
            return;
        }
        var envelope = Signer.Envelope(PayloadType, statement);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        envelope.WriteTo(writer);
        writer.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>The statement's bytes (compact JSON, the exact payload a DSSE signature covers).</summary>
    public static byte[] Statement(VerifyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var predicate = JsonSerializer.SerializeToNode(result, HistoryJson.Compact.TypeInfo<VerifyResult>())!.AsObject();
        var statement = new JsonObject
        {
            ["_type"] = StatementType,
            ["subject"] = new JsonArray(
                Subject("delivered/" + Path.GetFileName(result.Delivered.Path), result.Delivered.Sha256),
                Subject("rebuilt/" + Path.GetFileName(result.Rebuilt.Path), result.Rebuilt.Sha256)),
            ["predicateType"] = PredicateType,
            ["predicate"] = predicate,
        };
        return JsonSerializer.SerializeToUtf8Bytes(statement, HistoryJson.Compact.TypeInfo<JsonObject>());
    }

    private static JsonObject Subject(string name, string sha256) =>
        new() { ["name"] = name, ["digest"] = new JsonObject { ["sha256"] = sha256 } };
}
