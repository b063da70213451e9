using System.Globalization;
using System.Text;
using Assay.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Assay.Analyzers.Kubernetes;

/// <summary>
/// YAML as Helm sees it (sigs.k8s.io/yaml over go-yaml: YAML 1.1 scalars into JSON types): maps
/// as <see cref="Dictionary{TKey,TValue}"/> of string keys, lists as <see cref="List{T}"/>,
/// scalars as string, long, double, bool or null. And the reverse, <c>toYaml</c>: keys sorted,
/// block style, strings quoted wherever a plain scalar would read back as another type.
/// </summary>
internal static class YamlValues
{
    /// <summary>Documents bigger than this are not parsed (a values file or rendered manifest is KiBs).</summary>
    public const int MaxBytes = 4 << 20;

    private const int MaxNodes = 200_000;
    private const int MaxDepth = 64;

    /// <summary>Every document of a YAML stream, converted; empty documents are skipped.</summary>
    public static List<object?> ParseAll(string text)
    {
        if (text.Length > MaxBytes)
            throw new TemplateException($"YAML of {text.Length:N0} characters is larger than {MaxBytes:N0}; not parsed");
        // YamlDotNet builds nodes recursively: nesting past any real manifest would overflow the stack.
        if (YamlNesting.Check(text) is { } refused)
            throw new TemplateException($"YAML line {refused.Line}: {refused.Reason}; not parsed");
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new TemplateException($"not valid YAML at line {e.Start.Line}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or KeyNotFoundException)
        {
            // YamlDotNet's scanner throws this on some malformed plain scalars (found by fuzzing): the input's fault.
            throw new TemplateException($"not valid YAML: {e.Message}");
        }
        var budget = MaxNodes;
        return [.. stream.Documents.Select(d => Convert(d.RootNode, 0, ref budget)).Where(d => d is not null)];
    }

    /// <summary>The first document as a map (a values file); null or a non-map gives an empty map.</summary>
    public static Dictionary<string, object?> ParseMap(string text) =>
        ParseAll(text).FirstOrDefault() as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    private static object? Convert(YamlNode node, int depth, ref int budget)
    {
        if (--budget < 0)
            throw new TemplateException($"YAML has more than {MaxNodes:N0} nodes; not parsed");
        if (depth > MaxDepth)
            throw new TemplateException($"YAML nests deeper than {MaxDepth}; not parsed");
        switch (node)
        {
            case YamlMappingNode map:
                {
                    var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var (k, v) in map.Children)
                    {
                        var key = k is YamlScalarNode ks ? ks.Value ?? "" : k.ToString();
                        if (key == "<<" && Convert(v, depth + 1, ref budget) is Dictionary<string, object?> merge)
                        {
                            foreach (var (mk, mv) in merge)
                                result.TryAdd(mk, mv);
                            continue;
                        }
                        result[key] = Convert(v, depth + 1, ref budget);
                    }
                    return result;
                }
            case YamlSequenceNode seq:
                {
                    var list = new List<object?>(seq.Children.Count);
                    foreach (var item in seq.Children)
                        list.Add(Convert(item, depth + 1, ref budget));
                    return list;
                }
            case YamlScalarNode scalar:
                return scalar.Style is ScalarStyle.Plain ? Plain(scalar.Value ?? "", scalar.Tag) : scalar.Value ?? "";
            default:
                return null;
        }
    }

    /// <summary>YAML 1.1 resolution of a plain scalar, as go-yaml v2 does it.</summary>
    internal static object? Plain(string v, YamlDotNet.Core.TagName tag)
    {
        if (!tag.IsEmpty && tag.Value is "tag:yaml.org,2002:str" or "!!str")
            return v;
        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return false;
        }
        var t = v.Replace("_", "", StringComparison.Ordinal);
        if (t.Length == 0)
            return v;   // only underscores ("_", as fuzz/smoke.sh helm-template found): a string
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            return l;
        if (t.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(t[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var h))
            return h;
        if ((char.IsDigit(t[0]) || t[0] is '-' or '+' or '.') && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !t.EndsWith('.'))
            return d;
        if (t is ".inf" or ".Inf" or "+.inf")
            return double.PositiveInfinity;
        if (t is "-.inf" or "-.Inf")
            return double.NegativeInfinity;
        return v;
    }

    /// <summary><c>toYaml</c>: block YAML of a value, no trailing newline (Helm trims it).</summary>
    public static string ToYaml(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value, 0, inList: false);
        return sb.ToString().TrimEnd('\n');
    }

    private static void Write(StringBuilder sb, object? value, int indent, bool inList)
    {
        switch (value)
        {
            case IDictionary<string, object?> map when map.Count > 0:
                {
                    var first = true;
                    foreach (var key in map.Keys.Order(StringComparer.Ordinal))
                    {
                        if (!(first && inList))
                            sb.Append(' ', indent);
                        first = false;
                        sb.Append(Scalar(key)).Append(':');
                        WriteChild(sb, map[key], indent);
                    }
                    break;
                }
            case IList<object?> list when list.Count > 0:
                {
                    var first = true;
                    foreach (var item in list)
                    {
                        if (!(first && inList))
                            sb.Append(' ', indent);
                        first = false;
                        sb.Append("- ");
                        if (item is IDictionary<string, object?> { Count: > 0 } or IList<object?> { Count: > 0 })
                            Write(sb, item, indent + 2, inList: true);
                        else
                            sb.Append(Scalar(item)).Append('\n');
                    }
                    break;
                }
            default:
                sb.Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteChild(StringBuilder sb, object? value, int indent)
    {
        switch (value)
        {
            case IDictionary<string, object?> { Count: > 0 } map:
                sb.Append('\n');
                Write(sb, map, indent + 2, inList: false);
                break;
            case IList<object?> { Count: > 0 } list:
                sb.Append('\n');
                // go-yaml writes a list under a key at the key's own indentation
                Write(sb, list, indent, inList: false);
                break;
            case string s when s.Contains('\n', StringComparison.Ordinal):
                sb.Append(" |").Append(s.EndsWith('\n') ? "" : "-").Append('\n');
                foreach (var line in s.TrimEnd('\n').Split('\n'))
                    sb.Append(' ', indent + 2).Append(line).Append('\n');
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    /// <summary>A scalar in flow form: strings quoted when a plain scalar would not read back as the same string.</summary>
    internal static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long or int => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => FormatDouble(d),
        string s => NeedsQuotes(s) ? "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"" : s,
        IDictionary<string, object?> => "{}",
        IList<object?> => "[]",
        _ => Scalar(System.Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    internal static string FormatDouble(double d) =>
        double.IsPositiveInfinity(d) ? "+Inf" : double.IsNegativeInfinity(d) ? "-Inf" : d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);

    private static bool NeedsQuotes(string s)
    {
        if (s.Length == 0 || Plain(s, default) is not string || s != s.Trim())
            return true;
        if (s.IndexOfAny([':', '#', '\n', '\t', '"', '\'', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '\\']) >= 0)
            return true;
        return s[0] is '-' or '?' or '.' && (s.Length == 1 || s[1] == ' ');
    }
}
