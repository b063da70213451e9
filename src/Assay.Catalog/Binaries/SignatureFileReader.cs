using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assay.Catalog.Binaries;

/// <summary>
/// Reads <c>signatures.yaml</c> from YamlDotNet's node tree into the file's model classes, key by
/// key. YamlDotNet's reflection deserializer did the same but spent a quarter of a scan's start-up
/// inspecting the model's properties and their attributes (issue 12); this reader gives the same
/// models (a test compares the two on the embedded file) and rejects what the deserializer
/// rejected: unknown keys and values of the wrong shape.
/// </summary>
/// <remarks>
/// YAML's null (a plain <c>null</c>, <c>Null</c>, <c>NULL</c>, <c>~</c> or nothing) reads as an
/// absent value, as it did through the deserializer; <c>test.version</c> is a string or a map of
/// component to version (<see cref="Dictionary{TKey, TValue}"/> of object, as the deserializer gave).
/// </remarks>
internal static class SignatureFileReader
{
    public static SignatureDatabase.FileModel Read(TextReader reader)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"signature file: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
            throw new InvalidDataException("signature file is empty");
        var file = new SignatureDatabase.FileModel();
        foreach (var (key, value) in Mapping(stream.Documents[0].RootNode, "the file"))
        {
            file.Components = key switch
            {
                "components" => List(value, key, c => Component(c)),
                _ => throw Unknown(key, value, "the file"),
            };
        }
        return file;
    }

    private static SignatureDatabase.ComponentModel Component(YamlNode node)
    {
        var c = new SignatureDatabase.ComponentModel();
        foreach (var (key, value) in Mapping(node, "a component"))
        {
            switch (key)
            {
                case "name": c.Name = String(value, key) ?? ""; break;
                case "cpe": c.Cpe = String(value, key); break;
                case "type": c.Type = String(value, key); break;
                case "eol": c.Eol = String(value, key); break;
                case "sources": c.Sources = Strings(value, key); break;
                case "files": c.Files = Strings(value, key); break;
                case "signatures": c.Signatures = List(value, key, Signature); break;
                default: throw Unknown(key, value, $"component {c.Name}");
            }
        }
        return c;
    }

    private static SignatureDatabase.SignatureModel Signature(YamlNode node)
    {
        var s = new SignatureDatabase.SignatureModel();
        foreach (var (key, value) in Mapping(node, "a signature"))
        {
            switch (key)
            {
                case "id": s.Id = String(value, key) ?? ""; break;
                case "kind": s.Kind = String(value, key); break;
                case "anchors": s.Anchors = Strings(value, key); break;
                case "pattern": s.Pattern = String(value, key); break;
                case "file": s.File = String(value, key); break;
                case "before": s.Before = Int(value, key); break;
                case "after": s.After = Int(value, key); break;
                case "priority": s.Priority = Int(value, key); break;
                case "strength": s.Strength = String(value, key); break;
                case "confirm": s.Confirm = Bool(value, key); break;
                case "near": s.Near = Bool(value, key); break;
                case "magic": s.Magic = String(value, key); break;
                case "from": s.From = Int(value, key); break;
                case "to": s.To = Int(value, key); break;
                case "groups": s.Groups = StringMap(value, key); break;
                case "test": s.Test = Test(value); break;
                default: throw Unknown(key, value, $"signature {s.Id}");
            }
        }
        return s;
    }

    private static SignatureTest? Test(YamlNode node)
    {
        if (IsNull(node))
            return null;
        var t = new SignatureTest();
        foreach (var (key, value) in Mapping(node, "a signature test"))
        {
            switch (key)
            {
                case "name": t.Name = String(value, key); break;
                case "miss_name": t.MissName = String(value, key); break;
                case "hit": t.Hit = String(value, key); break;
                case "miss": t.Miss = String(value, key); break;
                case "version":
                    t.Version = value is YamlMappingNode
                        ? StringMap(value, key)!.ToDictionary(kv => (object)kv.Key, kv => (object)kv.Value)
                        : String(value, key);
                    break;
                default: throw Unknown(key, value, "a signature test");
            }
        }
        return t;
    }

    private static IEnumerable<(string Key, YamlNode Value)> Mapping(YamlNode node, string what)
    {
        if (node is not YamlMappingNode map)
            throw Shape(node, $"{what} must be a mapping");
        foreach (var (key, value) in map.Children)
            yield return (String(key, "a key") ?? throw Shape(key, "a key is null"), value);
    }

    private static List<T>? List<T>(YamlNode node, string key, Func<YamlNode, T> item)
    {
        if (IsNull(node))
            return null;
        if (node is not YamlSequenceNode seq)
            throw Shape(node, $"'{key}' must be a list");
        return seq.Children.Select(item).ToList();
    }

    private static List<string>? Strings(YamlNode node, string key) =>
        List(node, key, n => String(n, key) ?? throw Shape(n, $"'{key}' holds a null item"));

    private static Dictionary<string, string>? StringMap(YamlNode node, string key)
    {
        if (IsNull(node))
            return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Mapping(node, $"'{key}'"))
        {
            if (!map.TryAdd(k, String(v, key) ?? throw Shape(v, $"'{key}.{k}' is null")))
                throw Shape(v, $"'{key}' names '{k}' twice");
        }
        return map;
    }

    private static string? String(YamlNode node, string key)
    {
        if (node is not YamlScalarNode scalar)
            throw Shape(node, $"'{key}' must be a single value");
        return IsNull(scalar) ? null : scalar.Value ?? "";
    }

    private static int? Int(YamlNode node, string key) =>
        String(node, key) is not { } text ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw Shape(node, $"'{key}' is '{text}', not a whole number");

    private static bool? Bool(YamlNode node, string key) =>
        String(node, key) is not { } text ? null
        : bool.TryParse(text, out var b) ? b
        : throw Shape(node, $"'{key}' is '{text}', not true or false");

    /// <summary>YAML's null: a plain (unquoted) empty, <c>~</c> or <c>null</c> scalar.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static InvalidDataException Unknown(string key, YamlNode value, string where) =>
        Shape(value, $"{where} has an unknown key '{key}'");

    private static InvalidDataException Shape(YamlNode node, string what) =>
        new($"signature file, line {node.Start.Line}: {what}");
}
