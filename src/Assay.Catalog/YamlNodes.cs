using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assay.Catalog;

/// <summary>
/// Reading the catalog's own YAML data files (signatures, end of support) from YamlDotNet's node
/// tree into their model classes, key by key. YamlDotNet's reflection deserializer did the same
/// but spent a third of a scan's start-up inspecting the models' properties and attributes
/// (issue 12). These helpers read values as the deserializer did and reject what it rejected:
/// values of the wrong shape, and (in the readers) unknown keys.
/// </summary>
/// <remarks>
/// YAML's null (a plain <c>null</c>, <c>Null</c>, <c>NULL</c>, <c>~</c> or nothing) reads as an
/// absent value; a quoted <c>'null'</c> is the string. Messages name the file and the line.
/// </remarks>
internal sealed class YamlNodes(string file)
{
    /// <summary>The root node of the file's single document; throws when the file is not YAML or is empty.</summary>
    public YamlNode Root(TextReader reader)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
            throw new InvalidDataException($"{file} is empty");
        return stream.Documents[0].RootNode;
    }

    /// <summary>The keys and values of a mapping, in file order.</summary>
    public IEnumerable<(string Key, YamlNode Value)> Mapping(YamlNode node, string what)
    {
        if (node is not YamlMappingNode map)
            throw Error(node, $"{what} must be a mapping");
        foreach (var (key, value) in map.Children)
            yield return (String(key, "a key") ?? throw Error(key, "a key is null"), value);
    }

    public List<T>? List<T>(YamlNode node, string key, Func<YamlNode, T> item)
    {
        if (IsNull(node))
            return null;
        if (node is not YamlSequenceNode seq)
            throw Error(node, $"'{key}' must be a list");
        return seq.Children.Select(item).ToList();
    }

    public List<string>? Strings(YamlNode node, string key) =>
        List(node, key, n => String(n, key) ?? throw Error(n, $"'{key}' holds a null item"));

    public Dictionary<string, string>? StringMap(YamlNode node, string key)
    {
        if (IsNull(node))
            return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Mapping(node, $"'{key}'"))
        {
            if (!map.TryAdd(k, String(v, key) ?? throw Error(v, $"'{key}.{k}' is null")))
                throw Error(v, $"'{key}' names '{k}' twice");
        }
        return map;
    }

    public string? String(YamlNode node, string key)
    {
        if (node is not YamlScalarNode scalar)
            throw Error(node, $"'{key}' must be a single value");
        return IsNull(scalar) ? null : scalar.Value ?? "";
    }

    public int? Int(YamlNode node, string key) =>
        String(node, key) is not { } text ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw Error(node, $"'{key}' is '{text}', not a whole number");

    public bool? Bool(YamlNode node, string key) =>
        String(node, key) is not { } text ? null
        : bool.TryParse(text, out var b) ? b
        : throw Error(node, $"'{key}' is '{text}', not true or false");

    /// <summary>YAML's null: a plain (unquoted) empty, <c>~</c> or <c>null</c> scalar.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public InvalidDataException Unknown(string key, YamlNode value, string where) =>
        Error(value, $"{where} has an unknown key '{key}'");

    public InvalidDataException Error(YamlNode node, string what) =>
        new($"{file}, line {node.Start.Line}: {what}");
}
