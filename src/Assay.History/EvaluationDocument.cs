using System.Text.Json;
using Assay.Core.Model;
using Assay.Reports;

namespace Assay.History;

/// <summary>
/// Reads an evaluation document (<c>assay scan -f json</c>) given to <c>assay diff</c> in place of a
/// delivery. The file is input like any other: anything that is not a well-formed evaluation gives
/// an <see cref="InvalidDataException"/> that names the file and what is wrong with it.
/// </summary>
public static class EvaluationDocument
{
    /// <summary>The schema id prefix every evaluation document carries (any 1.x version is read).</summary>
    public const string SchemaPrefix = "https://assay.dev/schemas/evaluation/1.";

    /// <summary>
    /// The evaluation's JSON conventions, with the model's nullability enforced: a null where the
    /// model has a non-nullable string (a file's path, the input's hash, a type's class) is refused
    /// while reading, not met later as a crash.
    /// </summary>
    private static readonly JsonSerializerOptions Strict = new(AssayJson.Reading)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Bytes of the start of a file looked at by <see cref="LooksLikeEvaluation"/>.</summary>
    private const int SniffBytes = 4096;

    /// <summary>True when the file starts like an evaluation document (a JSON object naming the evaluation schema early), so it is read rather than scanned.</summary>
    public static bool LooksLikeEvaluation(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[SniffBytes];
        var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var text = System.Text.Encoding.UTF8.GetString(head, 0, n).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith('{') && text.Contains("\"schema\"", StringComparison.Ordinal) && text.Contains(SchemaPrefix, StringComparison.Ordinal);
    }

    /// <summary>Reads and checks an evaluation document from a file.</summary>
    public static Evaluation Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>Reads and checks an evaluation document; <paramref name="name"/> is used in messages.</summary>
    public static Evaluation Read(Stream input, string name)
    {
        Evaluation evaluation;
        try
        {
            evaluation = ModelDefaults.Restore(JsonSerializer.Deserialize(input, ModelJson.TypeInfo<Evaluation>(Strict))
                ?? throw new InvalidDataException("the file holds no evaluation document (JSON null)"));
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}" : "";
            throw new InvalidDataException($"{name}: not an evaluation document{where}: {e.Message}; give a file written by 'assay scan -f json' or a delivery to scan", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}; give a file written by 'assay scan -f json' or a delivery to scan", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // System.Text.Json reports text that is not UTF-8 this way (and a decoder's fallback as ArgumentException).
            throw new InvalidDataException($"{name}: not an evaluation document: {e.Message}; an evaluation is UTF-8 JSON written by 'assay scan -f json'", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"{name}: not an evaluation document: {e.Message}", e);
        }
        if (evaluation.Schema is null || !evaluation.Schema.StartsWith(SchemaPrefix, StringComparison.Ordinal))
            throw new InvalidDataException($"{name}: schema is '{evaluation.Schema}', expected {SchemaPrefix}x; give a file written by 'assay scan -f json'");
        Check(name, evaluation);
        return evaluation;
    }

    /// <summary>JSON lets every list hold nulls and every required string be empty; the diff relies on neither.</summary>
    private static void Check(string name, Evaluation e)
    {
        if (e.Tool is null || e.Input is null || e.Files is null || e.Components is null || e.Findings is null || e.Vulnerabilities is null || e.Errors is null || e.Chunks is null || e.Summaries is null)
            throw new InvalidDataException($"{name}: an evaluation needs tool, input, files, components, findings, vulnerabilities and errors; one of them is null");
        for (var i = 0; i < e.Files.Count; i++)
        {
            if (e.Files[i] is not { Path: { Length: > 0 } })
                throw new InvalidDataException($"{name}: files[{i}] has no path");
        }
        for (var i = 0; i < e.Components.Count; i++)
        {
            if (e.Components[i] is not { Name: not null, Version: not null, Location: not null })
                throw new InvalidDataException($"{name}: components[{i}] needs name, version and location");
        }
        for (var i = 0; i < e.Findings.Count; i++)
        {
            if (e.Findings[i] is not { RuleId: not null, Path: not null, Title: not null })
                throw new InvalidDataException($"{name}: findings[{i}] needs ruleId, title and path");
            if (e.Findings[i].Fingerprint is { } fp && (fp.Length != FindingFingerprints.Length || !fp.All(char.IsAsciiHexDigitLower)))
                throw new InvalidDataException($"{name}: findings[{i}].fingerprint '{Printable(fp)}' is not {FindingFingerprints.Length} lower-case hex digits");
        }
        for (var i = 0; i < e.Vulnerabilities.Count; i++)
        {
            if (e.Vulnerabilities[i] is not { Id: not null, Component: not null, Version: not null })
                throw new InvalidDataException($"{name}: vulnerabilities[{i}] needs id, component and version");
        }
        if (e.Errors.Any(x => x is null) || e.Chunks.Any(x => x is null))
            throw new InvalidDataException($"{name}: errors and chunks must not hold null entries");
    }

    private static string Printable(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
