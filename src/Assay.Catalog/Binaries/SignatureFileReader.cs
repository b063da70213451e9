using YamlDotNet.RepresentationModel;

namespace Assay.Catalog.Binaries;

/// <summary>
/// Reads <c>signatures.yaml</c> into the file's model classes (<see cref="YamlNodes"/> says why not
/// through the reflection deserializer). A test compares the models with the deserializer's on the
/// embedded file. <c>test.version</c> is a string or a map of component to version
/// (<see cref="Dictionary{TKey, TValue}"/> of object, as the deserializer gave).
/// </summary>
internal static class SignatureFileReader
{
    private static readonly YamlNodes Y = new("signature file");

    public static SignatureDatabase.FileModel Read(TextReader reader)
    {
        var file = new SignatureDatabase.FileModel();
        foreach (var (key, value) in Y.Mapping(Y.Root(reader), "the file"))
        {
            file.Components = key switch
            {
                "components" => Y.List(value, key, Component),
                _ => throw Y.Unknown(key, value, "the file"),
            };
        }
        return file;
    }

    private static SignatureDatabase.ComponentModel Component(YamlNode node)
    {
        var c = new SignatureDatabase.ComponentModel();
        foreach (var (key, value) in Y.Mapping(node, "a component"))
        {
            switch (key)
            {
                case "name": c.Name = Y.String(value, key) ?? ""; break;
                case "cpe": c.Cpe = Y.String(value, key); break;
                case "type": c.Type = Y.String(value, key); break;
                case "eol": c.Eol = Y.String(value, key); break;
                case "sources": c.Sources = Y.Strings(value, key); break;
                case "files": c.Files = Y.Strings(value, key); break;
                case "signatures": c.Signatures = Y.List(value, key, Signature); break;
                default: throw Y.Unknown(key, value, $"component {c.Name}");
            }
        }
        return c;
    }

    private static SignatureDatabase.SignatureModel Signature(YamlNode node)
    {
        var s = new SignatureDatabase.SignatureModel();
        foreach (var (key, value) in Y.Mapping(node, "a signature"))
        {
            switch (key)
            {
                case "id": s.Id = Y.String(value, key) ?? ""; break;
                case "kind": s.Kind = Y.String(value, key); break;
                case "anchors": s.Anchors = Y.Strings(value, key); break;
                case "pattern": s.Pattern = Y.String(value, key); break;
                case "file": s.File = Y.String(value, key); break;
                case "before": s.Before = Y.Int(value, key); break;
                case "after": s.After = Y.Int(value, key); break;
                case "priority": s.Priority = Y.Int(value, key); break;
                case "strength": s.Strength = Y.String(value, key); break;
                case "confirm": s.Confirm = Y.Bool(value, key); break;
                case "near": s.Near = Y.Bool(value, key); break;
                case "magic": s.Magic = Y.String(value, key); break;
                case "from": s.From = Y.Int(value, key); break;
                case "to": s.To = Y.Int(value, key); break;
                case "groups": s.Groups = Y.StringMap(value, key); break;
                case "test": s.Test = Test(value); break;
                default: throw Y.Unknown(key, value, $"signature {s.Id}");
            }
        }
        return s;
    }

    private static SignatureTest? Test(YamlNode node)
    {
        if (YamlNodes.IsNull(node))
            return null;
        var t = new SignatureTest();
        foreach (var (key, value) in Y.Mapping(node, "a signature test"))
        {
            switch (key)
            {
                case "name": t.Name = Y.String(value, key); break;
                case "miss_name": t.MissName = Y.String(value, key); break;
                case "hit": t.Hit = Y.String(value, key); break;
                case "miss": t.Miss = Y.String(value, key); break;
                case "version":
                    t.Version = value is YamlMappingNode
                        ? Y.StringMap(value, key)!.ToDictionary(kv => (object)kv.Key, kv => (object)kv.Value)
                        : Y.String(value, key);
                    break;
                default: throw Y.Unknown(key, value, "a signature test");
            }
        }
        return t;
    }
}
