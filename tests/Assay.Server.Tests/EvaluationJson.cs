using System.Text.Json;

namespace Assay.Server.Tests;

/// <summary>Evaluations compared as documents: timestamps and where the file sat (each scan's private work folder) masked.</summary>
internal static class EvaluationJson
{
    public static string Masked(JsonElement evaluation)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(evaluation.GetRawText())!.AsObject();
        node.Remove("startedAt");
        node.Remove("finishedAt");
        node["input"]!.AsObject().Remove("path");
        return node.ToJsonString();
    }

    public static string Masked(byte[] evaluation) => Masked(JsonDocument.Parse(evaluation).RootElement);
}
