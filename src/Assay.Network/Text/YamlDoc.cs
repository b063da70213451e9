using Assay.Core.Text;
using Assay.Network.Inventory;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assay.Network.Text;

/// <summary>Loads one YAML document with positions kept, so that errors name the line of the bad value.</summary>
internal static class YamlDoc
{
    public static YamlMappingNode LoadMapping(string text, string file)
    {
        // The YAML reader recurses once per level of nesting: a file of nested brackets would overflow
        // the stack, which no handler can catch. Packs and inventories are a few levels deep.
        CheckNesting(text, file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InventoryException($"{file}:{e.Start.Line}: not valid YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or KeyNotFoundException)
        {
            // YamlDotNet throws these on some malformed input instead of a YamlException (found by fuzzing).
            throw new InventoryException($"{file}: not valid YAML: the reader stopped ({e.GetType().Name}: {e.Message}); check quotes, brackets and anchors");
        }
        if (stream.Documents.Count != 1)
            throw new InventoryException($"{file}: expected exactly one YAML document, found {stream.Documents.Count}");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InventoryException($"{file}:{stream.Documents[0].RootNode.Start.Line}: the document must be a mapping (key: value), not a {stream.Documents[0].RootNode.NodeType}");
        return root;
    }

    /// <summary>Refuses nesting deeper than <see cref="YamlNesting"/> allows, naming the line.</summary>
    internal static void CheckNesting(string text, string file)
    {
        if (YamlNesting.Check(text) is { } refused)
            throw new InventoryException($"{file}:{refused.Line}: {refused.Reason}; a pack or inventory is a few levels deep");
    }

    public static long Line(this YamlNode node) => node.Start.Line;

    public static YamlNode? Get(this YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode s && string.Equals(s.Value, key, StringComparison.OrdinalIgnoreCase))
                return v;
        return null;
    }

    /// <summary>The scalar under <paramref name="key"/>, or null when absent or <c>null</c>/<c>~</c>.</summary>
    public static string? Scalar(this YamlMappingNode map, string key, ErrorList errors)
    {
        var node = map.Get(key);
        if (node is null)
            return null;
        if (node is not YamlScalarNode s)
        {
            errors.Add(node.Line(), $"'{key}' must be a single value, not a {node.NodeType}");
            return null;
        }
        if (s.Style == ScalarStyle.Plain && (s.Value is null or "~" or "null" or "Null" or "NULL" || s.Value.Length == 0))
            return null;
        return s.Value;
    }

    /// <summary>A scalar or a sequence of scalars under <paramref name="key"/>, as a list.</summary>
    public static List<string> List(this YamlMappingNode map, string key, ErrorList errors)
    {
        var node = map.Get(key);
        var list = new List<string>();
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode s when !string.IsNullOrEmpty(s.Value) && s.Value is not ("~" or "null"):
                list.Add(s.Value);
                break;
            case YamlScalarNode:
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode si && !string.IsNullOrEmpty(si.Value))
                        list.Add(si.Value);
                    else
                        errors.Add(item.Line(), $"'{key}' must list plain values");
                }
                break;
            default:
                errors.Add(node.Line(), $"'{key}' must be a value or a list of values");
                break;
        }
        return list;
    }

    /// <summary>Keys present in <paramref name="map"/> that are not in <paramref name="known"/> (typos are errors, not silently ignored).</summary>
    public static void RejectUnknownKeys(this YamlMappingNode map, IReadOnlyCollection<string> known, string what, ErrorList errors)
    {
        foreach (var (k, _) in map.Children)
        {
            if (k is YamlScalarNode s && s.Value is not null && !known.Contains(s.Value, StringComparer.OrdinalIgnoreCase))
                errors.Add(k.Line(), $"unknown key '{s.Value}' in {what}; valid keys: {string.Join(", ", known)}");
        }
    }
}
