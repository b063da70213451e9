using System.Text;
using Assay.Reports;

namespace Assay.History.Tests;

/// <summary>An evaluation document given to <c>assay diff</c> is untrusted input: it is read back whole or refused with a message.</summary>
public sealed class EvaluationDocumentTests
{
    private static string Written()
    {
        var e = new Release("1.2.0").File("/etc/passwd", Release.Sha("a")).Finding("ASSAY-PASSWD-EMPTY", "/etc/passwd", Core.Model.Severity.High, 1, "x: empty").Build();
        using var stream = new MemoryStream();
        new JsonReportWriter().Write(Core.Model.FindingFingerprints.Assign(e), stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static Core.Model.Evaluation Read(string json) => EvaluationDocument.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "e.json");

    [Fact]
    public void Read_WrittenEvaluation_RoundTripsWithFingerprints()
    {
        var e = Read(Written());
        Assert.Equal(4, e.Files.Count);
        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(e.Findings).Fingerprint!);
    }

    [Theory]
    [InlineData("", "not an evaluation document")]
    [InlineData("null", "no evaluation document")]
    [InlineData("[1,2]", "not an evaluation document")]
    [InlineData("{\"schema\":\"https://example.com/x\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"}}", "schema is")]
    [InlineData("{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"},\"files\":[null]}", "files[0]")]
    [InlineData("{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"},\"findings\":[{\"ruleId\":\"R\",\"category\":\"c\",\"severity\":\"high\",\"title\":\"t\",\"path\":\"p\",\"fingerprint\":\"XYZ\"}]}", "fingerprint")]
    [InlineData("{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"},\"findings\":[{\"ruleId\":\"R\",\"category\":\"c\",\"severity\":\"loud\",\"title\":\"t\",\"path\":\"p\"}]}", "not an evaluation document")]
    [InlineData("{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":null,\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"}}", "null")]
    // Found by the history:evaluation-json fuzz target: a null input hash crashed the terminal summary.
    [InlineData("{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":null}}", "not an evaluation document")]
    public void Read_Malformed_IsRefusedWithAMessage(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Read(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("e.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidUtf8InAString_IsRefused()
    {
        // Found by the history:evaluation-json fuzz target: System.Text.Json throws InvalidOperationException for it.
        byte[] bytes = [.. "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a"u8, 0xff, 0xfe, .. "\",\"version\":\"1\"}}"u8];
        var e = Assert.Throws<InvalidDataException>(() => EvaluationDocument.Read(new MemoryStream(bytes), "e.json"));
        Assert.StartsWith("e.json: not an evaluation document", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidUtf8InASummary_IsRefusedWhenRead()
    {
        // Found by the history:evaluation-json fuzz target: summaries stay raw JSON, so the bad string surfaced only when a diff read it.
        byte[] bytes = [.. "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"tool\":{\"name\":\"a\",\"version\":\"1\"},\"input\":{\"path\":\"x\",\"size\":1,\"sha256\":\"\"},\"summaries\":{\"ts33117\":{\"requirements\":[{\"section\":\"4"u8, 0xa4, .. "\"}]}}}"u8];
        Assert.Contains("summaries.ts33117", Assert.Throws<InvalidDataException>(() => EvaluationDocument.Read(new MemoryStream(bytes), "e.json")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedAnywhere_IsRefusedNeverCrashes()
    {
        var json = Written();
        for (var cut = 0; cut < json.Length; cut += 37)
            Assert.Throws<InvalidDataException>(() => Read(json[..cut]));
    }

    [Fact]
    public void Read_DeeplyNested_IsRefused()
    {
        var json = "{\"schema\":\"https://assay.dev/schemas/evaluation/1.0\",\"summaries\":{\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}}";
        Assert.Throws<InvalidDataException>(() => Read(json));
    }

    [Fact]
    public void LooksLikeEvaluation_JsonDocumentVersusArchive()
    {
        var dir = Directory.CreateTempSubdirectory("assay-evaldoc-");
        try
        {
            var json = Path.Combine(dir.FullName, "e.json");
            File.WriteAllText(json, Written());
            var zip = Path.Combine(dir.FullName, "d.zip");
            File.WriteAllBytes(zip, [0x50, 0x4b, 0x03, 0x04, 0, 0]);
            Assert.True(EvaluationDocument.LooksLikeEvaluation(json));
            Assert.False(EvaluationDocument.LooksLikeEvaluation(zip));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
